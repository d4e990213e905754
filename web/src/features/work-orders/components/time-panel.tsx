import { Button, Group, NumberInput, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { QueryState } from '@/components/query-state';
import { formatDateTime, formatMinutes } from '@/lib/format';
import { t } from '@/i18n';
import { useTimeLogs } from '../api/work-orders';
import { tone } from '@/lib/colors';

export function TimePanel({
  workOrderId,
  userId,
  canWrite,
  onStart,
  onStop,
  onLog,
}: {
  workOrderId: string;
  userId: string | undefined;
  canWrite: boolean;
  onStart: () => Promise<void>;
  onStop: () => Promise<void>;
  onLog: (minutes: number, note: string) => Promise<void>;
}) {
  const logs = useTimeLogs(workOrderId);
  const [minutes, setMinutes] = useState<number | string>('');
  const [note, setNote] = useState('');
  const running = logs.data?.items.find((l) => !l.endedAt && l.userId === userId);

  return (
    <QueryState isPending={logs.isPending} error={logs.error}>
      <Stack>
        <Group justify="space-between">
          <Text>
            {t('time.total')}: <strong>{formatMinutes(logs.data?.totalMinutes)}</strong>
          </Text>
          {canWrite &&
            (running ? (
              <Button size="lg" color={tone.orange} onClick={() => void onStop()}>
                {t('time.stop')}
              </Button>
            ) : (
              <Button size="lg" variant="light" onClick={() => void onStart()}>
                {t('time.start')}
              </Button>
            ))}
        </Group>
        {running && (
          <Text size="sm" role="status">
            {t('time.runningSince', { when: formatDateTime(running.startedAt) })}
          </Text>
        )}
        {(logs.data?.items.length ?? 0) > 0 && (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('time.who')}</Table.Th>
                <Table.Th>{t('time.started')}</Table.Th>
                <Table.Th>{t('time.minutes')}</Table.Th>
                <Table.Th>{t('time.note')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {logs.data!.items.map((l) => (
                <Table.Tr key={l.id}>
                  <Table.Td>{l.userName ?? t('common.someone')}</Table.Td>
                  <Table.Td>{formatDateTime(l.startedAt)}</Table.Td>
                  <Table.Td>{l.endedAt ? formatMinutes(l.minutes) : t('time.running')}</Table.Td>
                  <Table.Td>{l.note ?? ''}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {canWrite && (
          <Group align="end">
            <NumberInput label={t('time.manualMinutes')} value={minutes} onChange={setMinutes} min={1} max={1440} allowDecimal={false} w={140} />
            <TextInput label={t('time.note')} value={note} onChange={(e) => setNote(e.currentTarget.value)} w={220} />
            <Button
              variant="default"
              disabled={typeof minutes !== 'number' || minutes < 1}
              onClick={() =>
                void onLog(minutes as number, note.trim()).then(() => {
                  setMinutes('');
                  setNote('');
                })
              }
            >
              {t('time.log')}
            </Button>
          </Group>
        )}
      </Stack>
    </QueryState>
  );
}
