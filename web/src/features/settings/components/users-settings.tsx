import { Alert, Badge, Button, Code, Group, Modal, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { EmptyState, QueryState } from '@/components/query-state';
import { errorMessage } from '@/lib/api/client';
import { formatDateTime } from '@/lib/format';
import { useDepartments } from '@/lib/lookups';
import { t } from '@/i18n';
import { useCreateUser, useMatrix, useUpdateUser, useUserList } from '../api/settings';
import { tone } from '@/lib/colors';

export function UsersSettings() {
  const [text, setText] = useState('');
  const [q] = useDebouncedValue(text.trim(), 300);
  const users = useUserList(q);
  const update = useUpdateUser();
  const roles = useMatrix().data?.roles ?? [];
  const [creating, setCreating] = useState(false);

  return (
    <Stack>
      <Group justify="space-between">
        <TextInput label={t('filter.search')} value={text} onChange={(e) => setText(e.currentTarget.value)} w={260} />
        <Button onClick={() => setCreating(true)}>{t('users.add')}</Button>
      </Group>
      {update.error && (
        <Alert color="red" role="alert">
          {errorMessage(update.error)}
        </Alert>
      )}
      <QueryState isPending={users.isPending} error={users.error}>
        {(users.data?.items.length ?? 0) === 0 ? (
          <EmptyState title={t('users.empty')} />
        ) : (
          <Table.ScrollContainer minWidth={800}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('users.name')}</Table.Th>
                  <Table.Th>{t('users.email')}</Table.Th>
                  <Table.Th>{t('users.role')}</Table.Th>
                  <Table.Th>{t('users.twoFactor')}</Table.Th>
                  <Table.Th>{t('users.lastSignIn')}</Table.Th>
                  <Table.Th>{t('users.status')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {users.data!.items.map((u) => (
                  <Table.Tr key={u.id}>
                    <Table.Td>{u.name}</Table.Td>
                    <Table.Td>{u.email}</Table.Td>
                    <Table.Td>
                      <Select
                        aria-label={t('users.roleOf', { name: u.name })}
                        data={roles.map((r) => ({ value: r.key, label: r.name }))}
                        value={u.role}
                        onChange={(role) => role && role !== u.role && update.mutate({ id: u.id, body: { role } })}
                        size="xs"
                        w={190}
                        allowDeselect={false}
                      />
                    </Table.Td>
                    <Table.Td>{u.twoFactorEnabled ? t('common.yes') : t('common.no')}</Table.Td>
                    <Table.Td>{formatDateTime(u.lastLoginAt)}</Table.Td>
                    <Table.Td>
                      <Group gap="xs">
                        <Badge color={u.status === 'active' ? tone.green : 'gray.7'}>{t(u.status === 'active' ? 'users.active' : 'users.inactive')}</Badge>
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          onClick={() => update.mutate({ id: u.id, body: { status: u.status === 'active' ? 'inactive' : 'active' } })}
                        >
                          {u.status === 'active' ? t('users.deactivate') : t('users.reactivate')}
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
      <CreateUserDialog opened={creating} onClose={() => setCreating(false)} roles={roles.map((r) => ({ value: r.key, label: r.name }))} />
    </Stack>
  );
}

function CreateUserDialog({ opened, onClose, roles }: { opened: boolean; onClose: () => void; roles: { value: string; label: string }[] }) {
  const create = useCreateUser();
  const departments = useDepartments(opened);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<string | null>('technician');
  const [departmentId, setDepartmentId] = useState<string | null>(null);
  const close = () => {
    create.reset();
    setName('');
    setEmail('');
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title={t('users.add')}>
      {create.data ? (
        <Stack>
          <Text>{t('users.created', { name: create.data.user.name })}</Text>
          {create.data.temporaryPassword && (
            <Alert color="blue" title={t('users.temporaryPassword')}>
              <Code fz="md">{create.data.temporaryPassword}</Code>
              <Text size="xs" mt="xs">
                {t('users.temporaryHint')}
              </Text>
            </Alert>
          )}
          <Button onClick={close}>{t('action.done')}</Button>
        </Stack>
      ) : (
        <Stack>
          {create.error && (
            <Alert color="red" role="alert">
              {errorMessage(create.error)}
            </Alert>
          )}
          <TextInput label={t('users.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} required />
          <TextInput label={t('users.email')} type="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} required />
          <Select label={t('users.role')} data={roles} value={role} onChange={setRole} allowDeselect={false} />
          <Select
            label={t('filter.department')}
            data={(departments.data?.items ?? []).map((d) => ({ value: d.id, label: d.name }))}
            value={departmentId}
            onChange={setDepartmentId}
            clearable
            searchable
          />
          <Button
            loading={create.isPending}
            disabled={!name.trim() || !email.trim() || !role}
            onClick={() => create.mutate({ name: name.trim(), email: email.trim(), role: role!, departmentId })}
          >
            {t('users.create')}
          </Button>
        </Stack>
      )}
    </Modal>
  );
}
