import { Button, Code, Group, Spoiler, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { EmptyState, QueryState } from '@/components/query-state';
import { formatDateTime } from '@/lib/format';
import { nameMap, useUsers } from '@/lib/lookups';
import { t } from '@/i18n';
import { useAudit } from '../api/audit';

/** The audit trail, newest first: who did what to which record, and the hash chain position. */
export function AuditPage() {
  const [entityType, setEntityType] = useState('');
  const [action, setAction] = useState('');
  const [filters] = useDebouncedValue({ entityType: entityType.trim() || undefined, action: action.trim() || undefined }, 300);
  const audit = useAudit(filters);
  const names = nameMap(useUsers().data?.items);
  const items = audit.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Stack>
      <Title order={1} size="h2">
        {t('audit.title')}
      </Title>
      <Text size="sm" c="dimmed">
        {t('audit.hint')}
      </Text>
      <Group role="search">
        <TextInput label={t('audit.entityType')} placeholder="work_order" value={entityType} onChange={(e) => setEntityType(e.currentTarget.value)} />
        <TextInput label={t('audit.action')} placeholder="work_order.status_changed" value={action} onChange={(e) => setAction(e.currentTarget.value)} />
      </Group>
      <QueryState isPending={audit.isPending} error={audit.error} retry={() => void audit.refetch()}>
        {items.length === 0 ? (
          <EmptyState title={t('audit.empty')} />
        ) : (
          <Table.ScrollContainer minWidth={900}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>#</Table.Th>
                  <Table.Th>{t('audit.when')}</Table.Th>
                  <Table.Th>{t('audit.who')}</Table.Th>
                  <Table.Th>{t('audit.action')}</Table.Th>
                  <Table.Th>{t('audit.record')}</Table.Th>
                  <Table.Th>{t('audit.change')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((e) => (
                  <Table.Tr key={e.seq}>
                    <Table.Td>{e.seq}</Table.Td>
                    <Table.Td>{formatDateTime(e.createdAt)}</Table.Td>
                    <Table.Td>{(e.actorId && names.get(e.actorId)) || t('common.system')}</Table.Td>
                    <Table.Td>
                      <Code>{e.action}</Code>
                    </Table.Td>
                    <Table.Td>
                      {e.entityType}{' '}
                      {e.entityId && (
                        <Text span size="xs" c="dimmed">
                          {e.entityId.slice(0, 8)}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Spoiler maxHeight={40} showLabel={t('audit.more')} hideLabel={t('audit.less')}>
                        <Code block fz="xs">
                          {JSON.stringify(e.after ?? e.before ?? null, null, 1)}
                        </Code>
                      </Spoiler>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {audit.hasNextPage && (
          <Button variant="default" onClick={() => void audit.fetchNextPage()} loading={audit.isFetchingNextPage} mx="auto">
            {t('action.loadMore')}
          </Button>
        )}
      </QueryState>
    </Stack>
  );
}
