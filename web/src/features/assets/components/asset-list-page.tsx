import { Anchor, Badge, Button, Checkbox, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { Link } from 'react-router';
import { EmptyState, QueryState } from '@/components/query-state';
import { errorMessage } from '@/lib/api/client';
import { useMe } from '@/lib/auth/use-me';
import { nameMap, useDepartments } from '@/lib/lookups';
import { can } from '@/lib/permissions';
import { t, type MessageKey } from '@/i18n';
import { useAssets, useLabels, type AssetFilters } from '../api/assets';
import { ImportDialog, type SheetImport } from '@/components/import-dialog';
import { tone } from '@/lib/colors';

const STATUSES = ['pending_acceptance', 'in_service', 'under_maintenance', 'out_of_service', 'retired', 'disposed'] as const;

/** The registry's sheet (messages read at render, in the user's language). */
const assetSheet = (): SheetImport => ({
  title: t('import.title'),
  hint: t('import.hint'),
  importPath: '/assets/import',
  templatePath: '/assets/import-template.csv',
  templateName: 'assets-template.csv',
  invalidates: ['assets'],
});

export function AssetListPage() {
  const me = useMe().data;
  const [text, setText] = useState('');
  const [q] = useDebouncedValue(text.trim(), 300);
  const [status, setStatus] = useState<string | null>(null);
  const [risk, setRisk] = useState<string | null>(null);
  const [departmentId, setDepartmentId] = useState<string | null>(null);
  const [lifeSupport, setLifeSupport] = useState(false);
  const [selected, setSelected] = useState<string[]>([]);
  const [importing, setImporting] = useState(false);
  const filters: AssetFilters = {
    q: q || undefined,
    status: (status ?? undefined) as AssetFilters['status'],
    riskClass: (risk ?? undefined) as AssetFilters['riskClass'],
    departmentId: departmentId ?? undefined,
    lifeSupport: lifeSupport || undefined,
  };
  const list = useAssets(filters);
  const departments = useDepartments();
  const depNames = nameMap(departments.data?.items);
  const labels = useLabels();
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];

  const print = () =>
    labels.mutate(
      { assetIds: selected, layout: 'a4_24' },
      {
        onSuccess: (pdf) => {
          const url = URL.createObjectURL(pdf);
          const a = document.createElement('a');
          a.href = url;
          a.download = 'asset-labels.pdf';
          a.click();
          URL.revokeObjectURL(url);
        },
      },
    );

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('assets.title')}
        </Title>
        <Group>
          <Button variant="default" disabled={selected.length === 0} loading={labels.isPending} onClick={print}>
            {t('assets.printLabels', { count: selected.length })}
          </Button>
          {can(me, 'asset.manage') && <Button onClick={() => setImporting(true)}>{t('assets.import')}</Button>}
        </Group>
      </Group>
      {labels.error && (
        <Text c={tone.red} role="alert">
          {errorMessage(labels.error)}
        </Text>
      )}
      <Group align="end" gap="sm" role="search">
        <TextInput label={t('filter.search')} placeholder={t('assets.searchHint')} value={text} onChange={(e) => setText(e.currentTarget.value)} w={240} />
        <Select
          label={t('filter.status')}
          data={STATUSES.map((s) => ({ value: s, label: t(`assetStatus.${s}` as MessageKey) }))}
          value={status}
          onChange={setStatus}
          clearable
          w={180}
        />
        <Select
          label={t('assets.risk')}
          data={['high', 'medium', 'low'].map((r) => ({ value: r, label: t(`risk.${r}` as MessageKey) }))}
          value={risk}
          onChange={setRisk}
          clearable
          w={130}
        />
        <Select
          label={t('filter.department')}
          data={(departments.data?.items ?? []).map((d) => ({ value: d.id, label: d.name }))}
          value={departmentId}
          onChange={setDepartmentId}
          clearable
          searchable
          w={180}
        />
        <Checkbox label={t('assets.lifeSupport')} checked={lifeSupport} onChange={(e) => setLifeSupport(e.currentTarget.checked)} />
      </Group>
      <QueryState isPending={list.isPending} error={list.error} retry={() => void list.refetch()}>
        {items.length === 0 ? (
          <EmptyState title={t('assets.empty')} hint={t('assets.emptyHint')} />
        ) : (
          <Table.ScrollContainer minWidth={800}>
            <Table striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>
                    <Checkbox
                      aria-label={t('assets.selectAll')}
                      checked={selected.length === items.length}
                      indeterminate={selected.length > 0 && selected.length < items.length}
                      onChange={(e) => setSelected(e.currentTarget.checked ? items.map((a) => a.id) : [])}
                    />
                  </Table.Th>
                  <Table.Th>{t('assets.tag')}</Table.Th>
                  <Table.Th>{t('assets.name')}</Table.Th>
                  <Table.Th>{t('assets.makeModel')}</Table.Th>
                  <Table.Th>{t('filter.department')}</Table.Th>
                  <Table.Th>{t('filter.status')}</Table.Th>
                  <Table.Th>{t('assets.risk')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((a) => (
                  <Table.Tr key={a.id}>
                    <Table.Td>
                      <Checkbox
                        aria-label={t('assets.select', { tag: a.tag })}
                        checked={selected.includes(a.id)}
                        onChange={(e) => {
                          // Read now: React clears currentTarget before the updater runs.
                          const on = e.currentTarget.checked;
                          setSelected((s) => (on ? [...s, a.id] : s.filter((x) => x !== a.id)));
                        }}
                      />
                    </Table.Td>
                    <Table.Td>
                      <Anchor component={Link} to={`/assets/${a.id}`}>
                        {a.tag}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      {a.name}{' '}
                      {a.lifeSupport && (
                        <Badge size="xs" color={tone.red}>
                          {t('assets.lifeSupportShort')}
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>{[a.make, a.model].filter(Boolean).join(' ')}</Table.Td>
                    <Table.Td>{(a.departmentId && depNames.get(a.departmentId)) || '—'}</Table.Td>
                    <Table.Td>{t(`assetStatus.${a.status}` as MessageKey)}</Table.Td>
                    <Table.Td>{t(`risk.${a.riskClass}` as MessageKey)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {list.hasNextPage && (
          <Button variant="default" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage} mx="auto">
            {t('action.loadMore')}
          </Button>
        )}
      </QueryState>
      <ImportDialog opened={importing} onClose={() => setImporting(false)} sheet={assetSheet()} />
    </Stack>
  );
}
