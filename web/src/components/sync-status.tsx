import { Alert, Badge, Button, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { tone } from '@/lib/colors';
import { queue, useSync } from '@/lib/offline/sync';
import { t, type MessageKey } from '@/i18n';

/** Online / offline / waiting / syncing, always visible in the header. */
export function SyncBadge() {
  const s = useSync();
  const waiting = s.pending.length;
  let label: string;
  let color: string;
  if (!s.online) {
    label = waiting ? t('sync.offlineWaiting', { count: waiting }) : t('sync.offline');
    color = tone.orange;
  } else if (s.syncing || waiting) {
    label = t('sync.syncing', { count: waiting });
    color = tone.blue;
  } else if (s.conflicts.length) {
    label = t('sync.conflicts', { count: s.conflicts.length });
    color = tone.red;
  } else {
    label = t('sync.saved');
    color = tone.green;
  }
  return (
    <Badge component={Link} to="/profile#sync" color={color} variant="filled" data-testid="sync-status" style={{ cursor: 'pointer' }}>
      <span role="status" aria-live="polite">
        {label}
      </span>
    </Badge>
  );
}

/** Changes the server refused: shown until the technician has read and dismissed them. */
export function SyncConflicts() {
  const s = useSync();
  if (s.conflicts.length === 0) {
    return (
      <Text c="dimmed" size="sm">
        {t('sync.noConflicts')}
      </Text>
    );
  }
  return (
    <Stack gap="xs">
      {s.conflicts.map((m) => (
        <Alert key={m.id} color="red" title={t(`sync.kind.${m.kind}` as MessageKey)} data-testid="sync-conflict">
          <Stack gap={4}>
            <Text size="sm">{m.error}</Text>
            {m.allowed && m.allowed.length > 0 && (
              <Text size="xs">{t('sync.allowed', { states: m.allowed.map((a) => t(`status.${a}` as MessageKey)).join(', ') })}</Text>
            )}
            <Button component={Link} to={`/work-orders/${m.workOrderId}`} size="xs" variant="light" w="fit-content">
              {t('sync.openWorkOrder')}
            </Button>
            <Button size="xs" variant="subtle" w="fit-content" onClick={() => void queue.dismiss(m.id)}>
              {t('sync.dismiss')}
            </Button>
          </Stack>
        </Alert>
      ))}
    </Stack>
  );
}
