import { Card, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { t } from '@/i18n';
import { useMe } from '@/lib/auth/use-me';
import { can, canOpenSettings } from '@/lib/permissions';

/** The home of a role that follows no work orders: what it may open, each with what it is for. */
export function StartPage() {
  const me = useMe().data;
  const areas = [
    { to: '/parts', title: t('nav.parts'), body: t('start.parts'), show: can(me, 'inventory.read') },
    { to: '/reports', title: t('nav.reports'), body: t('start.reports'), show: can(me, 'report.read') },
    { to: '/assets', title: t('nav.assets'), body: t('start.assets'), show: can(me, 'asset.read') },
    { to: '/notifications', title: t('nav.notifications'), body: t('start.notifications'), show: true },
    { to: '/settings', title: t('nav.settings'), body: t('start.settings'), show: canOpenSettings(me) },
    { to: '/audit', title: t('nav.audit'), body: t('start.audit'), show: can(me, 'audit.read') },
    { to: '/profile', title: t('nav.profile'), body: t('start.profile'), show: true },
  ].filter((a) => a.show);
  return (
    <Stack gap="md">
      <Title order={1}>{t('start.title', { name: me?.user.name ?? '' })}</Title>
      <Text c="dimmed">{t('start.body')}</Text>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        {areas.map((a) => (
          <Card key={a.to} component={Link} to={a.to} withBorder padding="lg">
            <Text fw={600}>{a.title}</Text>
            <Text size="sm" c="dimmed">
              {a.body}
            </Text>
          </Card>
        ))}
      </SimpleGrid>
    </Stack>
  );
}
