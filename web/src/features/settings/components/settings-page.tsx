import { Tabs, Title, Stack } from '@mantine/core';
import { useNavigate, useParams } from 'react-router';
import { useMe } from '@/lib/auth/use-me';
import { can } from '@/lib/permissions';
import { t } from '@/i18n';
import { HoldReasonsSettings } from './hold-reasons-settings';
import { OrganizationSettings } from './organization-settings';
import { RolesMatrix } from './roles-matrix';
import { SlaSettings } from './sla-settings';
import { UsersSettings } from './users-settings';

export function SettingsPage() {
  const me = useMe().data;
  const navigate = useNavigate();
  const tab = useParams()['*'] || undefined;
  const tabs = [
    { value: 'users', label: t('settings.users'), show: can(me, 'user.manage') },
    { value: 'roles', label: t('settings.roles'), show: can(me, 'role.manage') || can(me, 'role.read') },
    { value: 'organization', label: t('settings.organization'), show: can(me, 'org.read') },
    { value: 'sla', label: t('settings.sla'), show: can(me, 'sla.manage') },
    { value: 'work-orders', label: t('settings.workOrders'), show: can(me, 'organization.manage') },
  ].filter((x) => x.show);
  const current = tabs.find((x) => x.value === tab)?.value ?? tabs[0]?.value;

  return (
    <Stack>
      <Title order={1} size="h2">
        {t('settings.title')}
      </Title>
      <Tabs value={current} onChange={(v) => navigate(`/settings/${v}`)} keepMounted={false}>
        <Tabs.List>
          {tabs.map((x) => (
            <Tabs.Tab key={x.value} value={x.value}>
              {x.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="users" pt="md">
          <UsersSettings />
        </Tabs.Panel>
        <Tabs.Panel value="roles" pt="md">
          <RolesMatrix editable={can(me, 'role.manage')} />
        </Tabs.Panel>
        <Tabs.Panel value="organization" pt="md">
          <OrganizationSettings />
        </Tabs.Panel>
        <Tabs.Panel value="sla" pt="md">
          <SlaSettings />
        </Tabs.Panel>
        <Tabs.Panel value="work-orders" pt="md">
          <HoldReasonsSettings />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
