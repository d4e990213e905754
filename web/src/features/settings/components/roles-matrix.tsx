import { Alert, Badge, Checkbox, Table, Text, Tooltip } from '@mantine/core';
import { QueryState } from '@/components/query-state';
import { errorMessage } from '@/lib/api/client';
import { t } from '@/i18n';
import { useMatrix, useUpdateRole } from '../api/settings';
import { tone } from '@/lib/colors';

/** Roles × permissions. Ticking a box changes the role at once (audited on the server). */
export function RolesMatrix({ editable }: { editable: boolean }) {
  const matrix = useMatrix();
  const update = useUpdateRole();
  const m = matrix.data;

  return (
    <QueryState isPending={matrix.isPending} error={matrix.error}>
      {update.error && (
        <Alert color="red" role="alert" mb="sm">
          {errorMessage(update.error)}
        </Alert>
      )}
      <Text size="sm" c="dimmed" mb="sm">
        {t('roles.hint')}
      </Text>
      {m && (
        <Table.ScrollContainer minWidth={900}>
          <Table striped withColumnBorders stickyHeader>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('roles.permission')}</Table.Th>
                {m.roles.map((r) => (
                  <Table.Th key={r.id} ta="center">
                    {r.name}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {m.permissions.map((p) => (
                <Table.Tr key={p.key}>
                  <Table.Td>
                    <Tooltip label={p.description} multiline w={260}>
                      <Text size="sm" component="span">
                        {p.key}
                      </Text>
                    </Tooltip>{' '}
                    {p.sensitive && (
                      <Badge size="xs" color={tone.orange}>
                        {t('roles.twoFactor')}
                      </Badge>
                    )}
                  </Table.Td>
                  {m.roles.map((r) => {
                    const has = r.permissions.includes(p.key);
                    return (
                      <Table.Td key={r.id} ta="center">
                        <Checkbox
                          aria-label={t('roles.toggle', { role: r.name, permission: p.key })}
                          checked={has}
                          disabled={!editable || r.key === 'admin' || update.isPending}
                          onChange={() =>
                            update.mutate({
                              id: r.id,
                              body: {
                                permissions: has ? r.permissions.filter((x) => x !== p.key) : [...r.permissions, p.key],
                                version: r.version,
                              },
                            })
                          }
                          style={{ display: 'inline-block' }}
                        />
                      </Table.Td>
                    );
                  })}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </QueryState>
  );
}
