import { Button, Group, Stack, Tabs, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Link, useNavigate, useParams } from 'react-router';
import { errorMessage } from '@/lib/api/client';
import { useMe } from '@/lib/auth/use-me';
import { can } from '@/lib/permissions';
import { t } from '@/i18n';
import { useRunGenerator } from '../api/preventive';
import { CalendarView } from './calendar-view';
import { ChecklistsList } from './checklists-list';
import { ComplianceView } from './compliance-view';
import { PlansList } from './plans-list';

const TABS = ['plans', 'calendar', 'compliance', 'checklists'] as const;

/** Preventive maintenance: plans, the calendar, compliance, and checklist templates. */
export function PreventivePage() {
  const me = useMe().data;
  const navigate = useNavigate();
  const tab = (useParams()['*'] || 'plans') as (typeof TABS)[number];
  const manage = can(me, 'preventive.manage');
  const run = useRunGenerator();

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('preventive.title')}
        </Title>
        {manage && (
          <Group>
            <Button
              variant="default"
              loading={run.isPending}
              onClick={() =>
                run.mutate(undefined, {
                  onSuccess: (r) => notifications.show({ message: t('preventive.generated', { n: r.generated, missed: r.missed }) }),
                  onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
                })
              }
            >
              {t('preventive.runGenerator')}
            </Button>
            <Button component={Link} to="/preventive/plans/new">
              {t('plan.new')}
            </Button>
          </Group>
        )}
      </Group>
      <Tabs value={TABS.includes(tab) ? tab : 'plans'} onChange={(v) => navigate(v === 'plans' ? '/preventive' : `/preventive/${v}`)} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="plans">{t('preventive.plans')}</Tabs.Tab>
          <Tabs.Tab value="calendar">{t('preventive.calendar')}</Tabs.Tab>
          <Tabs.Tab value="compliance">{t('preventive.compliance')}</Tabs.Tab>
          <Tabs.Tab value="checklists">{t('preventive.checklists')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="plans" pt="md">
          <PlansList />
        </Tabs.Panel>
        <Tabs.Panel value="calendar" pt="md">
          <CalendarView />
        </Tabs.Panel>
        <Tabs.Panel value="compliance" pt="md">
          <ComplianceView />
        </Tabs.Panel>
        <Tabs.Panel value="checklists" pt="md">
          <ChecklistsList />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
