import { Badge, Button, Group, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { EmptyState, QueryState } from '@/components/query-state';
import { useMe } from '@/lib/auth/use-me';
import { tone } from '@/lib/colors';
import { formatDate } from '@/lib/format';
import { can } from '@/lib/permissions';
import { t } from '@/i18n';
import { useTemplates } from '../api/preventive';

export function ChecklistsList() {
  const me = useMe().data;
  const list = useTemplates();
  return (
    <>
      {can(me, 'preventive.manage') && (
        <Group justify="flex-end" mb="sm">
          <Button component={Link} to="/preventive/checklists/new" variant="light">
            {t('checklist.new')}
          </Button>
        </Group>
      )}
      <QueryState isPending={list.isPending} error={list.error}>
        {(list.data?.length ?? 0) === 0 ? (
          <EmptyState title={t('checklist.none')} hint={t('checklist.noneHint')} />
        ) : (
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('checklist.name')}</Table.Th>
                <Table.Th>{t('checklist.items')}</Table.Th>
                <Table.Th>{t('checklist.version')}</Table.Th>
                <Table.Th>{t('checklist.changed')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data!.map((c) => (
                <Table.Tr key={c.id}>
                  <Table.Td>
                    <Link to={`/preventive/checklists/${c.id}`}>{c.name}</Link>
                    {c.description && (
                      <Text size="xs" c="dimmed">
                        {c.description}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{c.itemCount}</Table.Td>
                  <Table.Td>v{c.currentVersion}</Table.Td>
                  <Table.Td>{formatDate(c.updatedAt)}</Table.Td>
                  <Table.Td>{!c.active && <Badge color={tone.gray}>{t('checklist.retired')}</Badge>}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryState>
    </>
  );
}
