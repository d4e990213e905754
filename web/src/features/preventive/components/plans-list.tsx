import { Badge, Group, SegmentedControl, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { Link } from 'react-router';
import { EmptyState, QueryState } from '@/components/query-state';
import { tone } from '@/lib/colors';
import { formatDateTime, formatRelative } from '@/lib/format';
import { t, type MessageKey } from '@/i18n';
import { usePlans } from '../api/preventive';
import { describeSchedule } from './schedule-text';

export function PlansList() {
  const [text, setText] = useState('');
  const [q] = useDebouncedValue(text.trim(), 300);
  const [show, setShow] = useState<'active' | 'paused' | 'all'>('active');
  const plans = usePlans({ q: q || undefined, active: show === 'all' ? undefined : show === 'active' });
  const items = plans.data?.items ?? [];

  return (
    <>
      <Group mb="sm" align="end">
        <TextInput label={t('filter.search')} placeholder={t('preventive.searchHint')} value={text} onChange={(e) => setText(e.currentTarget.value)} w={260} />
        <SegmentedControl
          value={show}
          onChange={(v) => setShow(v as typeof show)}
          data={[
            { value: 'active', label: t('preventive.active') },
            { value: 'paused', label: t('preventive.paused') },
            { value: 'all', label: t('preventive.all') },
          ]}
        />
      </Group>
      <QueryState isPending={plans.isPending} error={plans.error} retry={() => void plans.refetch()}>
        {items.length === 0 ? (
          <EmptyState title={t('preventive.noPlans')} hint={t('preventive.noPlansHint')} />
        ) : (
          <Table.ScrollContainer minWidth={860}>
            <Table striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('plan.name')}</Table.Th>
                  <Table.Th>{t('plan.covers.title')}</Table.Th>
                  <Table.Th>{t('plan.schedule')}</Table.Th>
                  <Table.Th>{t('plan.nextDueShort')}</Table.Th>
                  <Table.Th>{t('filter.status')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((p) => (
                  <Table.Tr key={p.id}>
                    <Table.Td>
                      <Link to={`/preventive/plans/${p.id}`}>{p.name}</Link>
                    </Table.Td>
                    <Table.Td>
                      {t(`plan.target.${p.targetKind}` as MessageKey)} · {t('plan.covers', { n: p.assetCount })}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{describeSchedule(p.recurrence, p.startLocal, { name: p.meterName, every: p.meterEvery })}</Text>
                      <Text size="xs" c="dimmed">
                        {t('plan.leadGrace', { lead: p.leadDays, grace: p.graceDays })}
                      </Text>
                    </Table.Td>
                    <Table.Td title={p.nextDueAt ? formatDateTime(p.nextDueAt) : undefined}>{p.nextDueAt ? formatRelative(p.nextDueAt) : '—'}</Table.Td>
                    <Table.Td>
                      {p.active ? (
                        <Badge color={tone.green}>{t('preventive.activeOne')}</Badge>
                      ) : (
                        <Badge color={tone.gray} title={p.pausedReason ?? ''}>
                          {t('preventive.pausedOne')}
                        </Badge>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
    </>
  );
}
