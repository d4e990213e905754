import { Alert, Button, Code, CopyButton, Group, Paper, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { errorMessage } from '@/lib/api/client';
import { useMe } from '@/lib/auth/use-me';
import { tone } from '@/lib/colors';
import { formatDateTime } from '@/lib/format';
import { useDepartments } from '@/lib/lookups';
import { t } from '@/i18n';
import { useCreateFeed, useFeeds, useRevokeFeed } from '../api/preventive';

/** Calendar-app subscriptions: a secret address per feed, shown once, revocable. */
export function FeedsPanel() {
  const me = useMe().data;
  const feeds = useFeeds();
  const create = useCreateFeed();
  const revoke = useRevokeFeed();
  const departments = useDepartments();
  const [scope, setScope] = useState<'mine' | 'department'>('mine');
  const [department, setDepartment] = useState<string | null>(me?.user.departmentId ?? null);

  return (
    <Paper withBorder p="md">
      <Title order={2} size="h4">
        {t('feeds.title')}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t('feeds.hint')}
      </Text>
      <Group align="end">
        <Select
          label={t('feeds.which')}
          data={[
            { value: 'mine', label: t('feeds.mine') },
            { value: 'department', label: t('feeds.department') },
          ]}
          value={scope}
          onChange={(v) => v && setScope(v as 'mine' | 'department')}
          allowDeselect={false}
          w={220}
        />
        {scope === 'department' && (
          <Select
            label={t('filter.department')}
            data={(departments.data?.items ?? []).map((d) => ({ value: d.id, label: d.name }))}
            value={department}
            onChange={setDepartment}
            searchable
            w={240}
          />
        )}
        <Button
          loading={create.isPending}
          disabled={scope === 'department' && !department}
          onClick={() => create.mutate(scope === 'mine' ? { scope } : { scope, scopeId: department })}
        >
          {t('feeds.create')}
        </Button>
      </Group>
      {create.error && (
        <Alert color="red" role="alert" mt="sm">
          {errorMessage(create.error)}
        </Alert>
      )}
      {create.data?.url && (
        <Alert color="blue" mt="sm" title={t('feeds.created')}>
          <Stack gap={4}>
            <Code style={{ wordBreak: 'break-all' }}>{create.data.url}</Code>
            <CopyButton value={create.data.url}>
              {({ copied, copy }) => (
                <Button size="xs" variant="light" onClick={copy} w="fit-content">
                  {copied ? t('feeds.copied') : t('feeds.copy')}
                </Button>
              )}
            </CopyButton>
            <Text size="xs">{t('feeds.once')}</Text>
          </Stack>
        </Alert>
      )}
      {(feeds.data?.length ?? 0) > 0 && (
        <Table mt="sm">
          <Table.Tbody>
            {feeds.data!.map((f) => (
              <Table.Tr key={f.id}>
                <Table.Td>{f.name}</Table.Td>
                <Table.Td>
                  <Text size="xs" c="dimmed">
                    {f.lastUsedAt ? t('feeds.lastUsed', { when: formatDateTime(f.lastUsedAt) }) : t('feeds.neverUsed')}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Button size="compact-xs" variant="subtle" color={tone.red} onClick={() => revoke.mutate(f.id)}>
                    {t('feeds.revoke')}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}
