import { AppShell, Badge, Burger, Group, NavLink, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { Link, NavLink as RouterNavLink, Outlet, useLocation } from 'react-router';
import { BellIcon } from '@/components/icons';
import { SyncBadge } from '@/components/sync-status';
import { useUnreadCount } from '@/features/notifications/api/notifications';
import { useMe } from '@/lib/auth/use-me';
import { can, canOpenSettings, homeOf, isFieldWorker } from '@/lib/permissions';
import { t } from '@/i18n';
import { useLiveUpdates } from '../live';
import { tone } from '@/lib/colors';

interface Item {
  to: string;
  label: string;
  show: boolean;
}

/** The signed-in frame: a side navigation at the desk, bottom tabs for field work on a phone. */
export function AppLayout() {
  const me = useMe().data;
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  const [opened, { toggle, close }] = useDisclosure();
  const unread = useUnreadCount().data ?? 0;
  const { pathname } = useLocation();
  useLiveUpdates();

  const desk: Item[] = [
    {
      to: homeOf(me) === 'assigned' ? '/assigned' : '/',
      label: { dashboard: t('nav.dashboard'), assigned: t('nav.myWork'), start: t('nav.start') }[homeOf(me)],
      show: true,
    },
    { to: '/work-orders', label: t('nav.workOrders'), show: can(me, 'work_order.read') },
    { to: '/assets', label: t('nav.assets'), show: can(me, 'asset.read') },
    { to: '/preventive', label: t('nav.preventive'), show: can(me, 'preventive.read') },
    { to: '/parts', label: t('nav.parts'), show: can(me, 'inventory.read') },
    { to: '/reports', label: t('nav.reports'), show: can(me, 'report.read') },
    { to: '/notifications', label: t('nav.notifications'), show: true },
    { to: '/audit', label: t('nav.audit'), show: can(me, 'audit.read') },
    { to: '/settings', label: t('nav.settings'), show: canOpenSettings(me) },
    { to: '/profile', label: t('nav.profile'), show: true },
  ];

  if (phone && isFieldWorker(me)) {
    const tabs = [
      { to: '/assigned', label: t('tabs.assigned') },
      { to: '/scan', label: t('tabs.scan') },
      { to: '/work-orders/new', label: t('tabs.report') },
      { to: '/notifications', label: unread ? `${t('tabs.notifications')} (${unread})` : t('tabs.notifications') },
      { to: '/profile', label: t('tabs.profile') },
    ];
    return (
      <AppShell header={{ height: 52 }} footer={{ height: 64 }} padding="sm">
        <AppShell.Header px="sm">
          <Group h="100%" justify="space-between">
            <Text fw={700}>{t('app.name')}</Text>
            <SyncBadge />
          </Group>
        </AppShell.Header>
        <AppShell.Main>
          <Outlet />
        </AppShell.Main>
        <AppShell.Footer component="nav" aria-label={t('nav.label')}>
          <Group grow h="100%" gap={0}>
            {tabs.map((tab) => {
              const active = tab.to === pathname || (tab.to === '/assigned' && pathname.startsWith('/work-orders/') && pathname !== '/work-orders/new');
              return (
                <UnstyledButton
                  key={tab.to}
                  component={Link}
                  to={tab.to}
                  aria-current={active ? 'page' : undefined}
                  h="100%"
                  style={{
                    display: 'flex',
                    alignItems: 'center',
                    justifyContent: 'center',
                    fontSize: 13,
                    fontWeight: active ? 700 : 500,
                    color: active ? 'var(--mantine-color-blue-9)' : 'var(--mantine-color-gray-8)',
                    borderTop: active ? '3px solid var(--mantine-color-blue-8)' : '3px solid transparent',
                    textAlign: 'center',
                  }}
                >
                  {tab.label}
                </UnstyledButton>
              );
            })}
          </Group>
        </AppShell.Footer>
      </AppShell>
    );
  }

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header px="md">
        <Group h="100%" justify="space-between">
          <Group>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('nav.toggle')} />
            <Text fw={700} component={Link} to="/" c="inherit" style={{ textDecoration: 'none' }}>
              {t('app.name')}
            </Text>
            <Text size="sm" c="dimmed" visibleFrom="sm">
              {me?.organizationName}
            </Text>
          </Group>
          <Group gap="sm">
            <SyncBadge />
            <Badge
              component={Link}
              to="/notifications"
              size="lg"
              variant={unread ? 'filled' : 'light'}
              color={unread ? tone.red : 'gray.7'}
              leftSection={<BellIcon size={14} />}
              style={{ cursor: 'pointer' }}
              aria-label={t('notifications.unread', { count: unread })}
            >
              {unread}
            </Badge>
            <Text size="sm" visibleFrom="sm">
              {me?.user.name}
            </Text>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label={t('nav.label')}>
        {desk
          .filter((i) => i.show)
          .map((i) => (
            <NavLink key={i.to} component={RouterNavLink} to={i.to} end={i.to === '/'} label={i.label} onClick={close} />
          ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
