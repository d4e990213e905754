import { Button, Paper, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { EmptyState, QueryState } from '@/components/query-state';
import { formatDateTime } from '@/lib/format';
import { t } from '@/i18n';
import { useNotes } from '../api/work-orders';

export function NotesPanel({ workOrderId, canWrite, onAdd }: { workOrderId: string; canWrite: boolean; onAdd: (body: string) => Promise<void> }) {
  const notes = useNotes(workOrderId);
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);

  const add = async () => {
    setBusy(true);
    try {
      await onAdd(body.trim());
      setBody('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack>
      <QueryState isPending={notes.isPending} error={notes.error}>
        {(notes.data ?? []).length === 0 ? (
          <EmptyState title={t('notes.empty')} />
        ) : (
          <Stack gap="xs" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label={t('notes.title')}>
            {notes.data!.map((n) => (
              <Paper key={n.id} withBorder p="sm" component="li">
                <Text size="xs" c="dimmed">
                  {n.authorName ?? t('common.someone')} · {formatDateTime(n.createdAt)}
                </Text>
                <Text style={{ whiteSpace: 'pre-wrap' }}>{n.body}</Text>
              </Paper>
            ))}
          </Stack>
        )}
      </QueryState>
      {canWrite && (
        <Stack gap="xs">
          <Textarea label={t('notes.add')} value={body} onChange={(e) => setBody(e.currentTarget.value)} autosize minRows={2} maxLength={10000} />
          <Button onClick={() => void add()} disabled={!body.trim()} loading={busy} w="fit-content">
            {t('notes.save')}
          </Button>
        </Stack>
      )}
    </Stack>
  );
}
