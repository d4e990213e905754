import { Badge, Button, Group, Paper, SegmentedControl, Select, SimpleGrid, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { QueryState } from '@/components/query-state';
import { useSites } from '@/lib/lookups';
import { t } from '@/i18n';
import { useCalendar, type CalendarEntry } from '../api/preventive';
import { FeedsPanel } from './feeds-panel';
import { STATUS_COLOR } from './status-badge';

const DAY = 24 * 3600_000;

function startOfWeek(d: Date): Date {
  const x = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  const back = (x.getDay() + 6) % 7; // weeks start on Monday
  return new Date(x.getTime() - back * DAY);
}

function sameDay(a: Date, b: Date) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** The month or week of preventive work: generated occurrences and projected ones (dashed). */
export function CalendarView() {
  const navigate = useNavigate();
  const sites = useSites();
  const [siteId, setSiteId] = useState<string | null>(null);
  const [view, setView] = useState<'month' | 'week'>('month');
  const [anchor, setAnchor] = useState(() => new Date());
  const first = view === 'month' ? startOfWeek(new Date(anchor.getFullYear(), anchor.getMonth(), 1)) : startOfWeek(anchor);
  const days = view === 'month' ? 42 : 7;
  const from = first.toISOString();
  const to = new Date(first.getTime() + days * DAY).toISOString();
  const cal = useCalendar(from, to, siteId);
  const byDay = new Map<string, CalendarEntry[]>();
  for (const e of cal.data?.entries ?? []) {
    const d = new Date(e.dueAt);
    const k = `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
    byDay.set(k, [...(byDay.get(k) ?? []), e]);
  }
  const step = (n: number) => setAnchor((a) => (view === 'month' ? new Date(a.getFullYear(), a.getMonth() + n, 1) : new Date(a.getTime() + n * 7 * DAY)));
  const title =
    view === 'month'
      ? anchor.toLocaleDateString(undefined, { month: 'long', year: 'numeric' })
      : `${first.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })} – ${new Date(first.getTime() + 6 * DAY).toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' })}`;
  const open = (e: CalendarEntry) => navigate(e.workOrderId ? `/work-orders/${e.workOrderId}` : `/preventive/plans/${e.planId}`);

  return (
    <Stack>
      <Group justify="space-between" wrap="wrap">
        <Group>
          <Button variant="default" onClick={() => step(-1)} aria-label={t('calendar.previous')}>
            ‹
          </Button>
          <Title order={2} size="h3" miw={220} ta="center">
            {title}
          </Title>
          <Button variant="default" onClick={() => step(1)} aria-label={t('calendar.next')}>
            ›
          </Button>
          <Button variant="subtle" onClick={() => setAnchor(new Date())}>
            {t('calendar.today')}
          </Button>
        </Group>
        <Group>
          <Select
            aria-label={t('org.site')}
            placeholder={t('calendar.allSites')}
            data={(sites.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))}
            value={siteId}
            onChange={setSiteId}
            clearable
            w={240}
          />
          <SegmentedControl
            value={view}
            onChange={(v) => setView(v as 'month' | 'week')}
            data={[
              { value: 'month', label: t('calendar.month') },
              { value: 'week', label: t('calendar.week') },
            ]}
          />
        </Group>
      </Group>
      <Group gap="xs">
        {(['scheduled', 'generated', 'completed_on_time', 'completed_late', 'missed'] as const).map((s) => (
          <Badge key={s} color={STATUS_COLOR[s]} variant={s === 'scheduled' ? 'outline' : 'filled'} size="sm">
            {t(`pmStatus.${s}`)}
          </Badge>
        ))}
      </Group>
      <QueryState isPending={cal.isPending} error={cal.error} retry={() => void cal.refetch()}>
        <SimpleGrid cols={7} spacing={4}>
          {Array.from({ length: 7 }, (_, i) => (
            <Text key={i} size="xs" fw={700} ta="center">
              {new Date(first.getTime() + i * DAY).toLocaleDateString(undefined, { weekday: 'short' })}
            </Text>
          ))}
          {Array.from({ length: days }, (_, i) => {
            const d = new Date(first.getTime() + i * DAY);
            const list = byDay.get(`${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`) ?? [];
            const muted = view === 'month' && d.getMonth() !== anchor.getMonth();
            return (
              <Paper
                key={i}
                withBorder
                p={4}
                mih={view === 'month' ? 96 : 240}
                // Days of the next or previous month are shaded, not faded: their work stays readable.
                style={{
                  background: sameDay(d, new Date()) ? 'var(--mantine-color-blue-0)' : muted ? 'var(--mantine-color-gray-1)' : undefined,
                }}
              >
                <Text size="xs" fw={600} c={muted ? 'dimmed' : undefined} title={d.toLocaleDateString(undefined, { dateStyle: 'full' })}>
                  {d.getDate()}
                </Text>
                <Stack gap={2}>
                  {list.slice(0, view === 'month' ? 3 : 20).map((e) => (
                    <UnstyledButton
                      key={`${e.planId}-${e.assetId}-${e.dueAt}`}
                      onClick={() => open(e)}
                      title={`${e.planName} — ${e.assetName} ${e.assetTag}`}
                      style={{
                        fontSize: 11,
                        lineHeight: 1.3,
                        padding: '1px 4px',
                        borderRadius: 4,
                        color: e.projected ? STATUS_COLOR.scheduled : 'white',
                        background: e.projected ? 'transparent' : STATUS_COLOR[e.status],
                        border: e.projected ? `1px dashed ${STATUS_COLOR.scheduled}` : 'none',
                        overflow: 'hidden',
                        textOverflow: 'ellipsis',
                        whiteSpace: 'nowrap',
                      }}
                    >
                      {e.assetTag}
                    </UnstyledButton>
                  ))}
                  {view === 'month' && list.length > 3 && (
                    <UnstyledButton
                      onClick={() => {
                        setAnchor(d);
                        setView('week');
                      }}
                      style={{ fontSize: 11 }}
                    >
                      {t('calendar.more', { n: list.length - 3 })}
                    </UnstyledButton>
                  )}
                </Stack>
              </Paper>
            );
          })}
        </SimpleGrid>
        {cal.data?.truncated && (
          <Text size="sm" c="dimmed">
            {t('calendar.truncated')}
          </Text>
        )}
      </QueryState>
      <FeedsPanel />
    </Stack>
  );
}
