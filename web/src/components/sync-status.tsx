import { Alert, Badge, Button, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
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
    color = 'orange.9';
  } else if (s.syncing || waiting) {
    label = t('sync.syncing', { count: waiting });
    color = 'blue.8';
  } else if (s.conflicts.length) {
    label = t('sync.conflicts', { count: s.conflicts.length });
    color = 'red.9';
  } else {
    label = t('sync.saved');
    color = 'green.9';
  }
  return (
    <Badge component={Link} to="/profile#sync" color={color} variant="filled" role="status" aria-live="polite" data-testid="sync-status" style={{ cursor: 'pointer' }}>
      {label}
    </Badge>
  );
}

/** Changes the server refused: shown until the technician has read and dismissed them. */
export function SyncConflicts() {
  const s = useSync();
  if (s.conflicts.length === 0) {
    return <Text c="dimmed" size="sm">{t('sync.noConflicts')}</Text>;
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
