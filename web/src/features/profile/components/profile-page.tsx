import { Alert, Anchor, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { SyncConflicts } from '@/components/sync-status';
import { signOut } from '@/lib/auth/sign-out';
import { errorMessage } from '@/lib/api/client';
import { useMe } from '@/lib/auth/use-me';
import { useSync } from '@/lib/offline/sync';
import { t } from '@/i18n';
import { enablePush, pushSupported } from '../api/push';
import { tone } from '@/lib/colors';

export function ProfilePage() {
  const me = useMe().data;
  const qc = useQueryClient();
  const navigate = useNavigate();
  const sync = useSync();
  const [push, setPush] = useState<'idle' | 'on' | string>(typeof Notification !== 'undefined' && Notification.permission === 'granted' ? 'on' : 'idle');

  return (
    <Stack>
      <Title order={1} size="h3">
        {t('profile.title')}
      </Title>
      <Paper withBorder p="md">
        <Text fw={600}>{me?.user.name}</Text>
        <Text size="sm">{me?.user.email}</Text>
        <Text size="sm" c="dimmed">
          {me?.user.roleName} · {me?.organizationName}
        </Text>
        <Text size="sm" mt="xs">
          {me?.twoFactorEnabled ? t('profile.twoFactorOn') : t('profile.twoFactorOff')}{' '}
          {!me?.twoFactorEnabled && (
            <Anchor component={Link} to="/account/two-factor">
              {t('profile.setUpTwoFactor')}
            </Anchor>
          )}
        </Text>
        <Anchor component={Link} to="/account/password" size="sm">
          {t('password.title')}
        </Anchor>
      </Paper>

      <Paper withBorder p="md" id="sync">
        <Title order={2} size="h4" mb="xs">
          {t('sync.title')}
        </Title>
        <Text size="sm" mb="xs">
          {sync.online ? t('sync.onlineWaiting', { count: sync.pending.length }) : t('sync.offlineWaiting', { count: sync.pending.length })}
        </Text>
        <SyncConflicts />
      </Paper>

      <Paper withBorder p="md">
        <Title order={2} size="h4" mb="xs">
          {t('profile.push')}
        </Title>
        {!pushSupported() ? (
          <Text size="sm" c="dimmed">
            {t('profile.pushUnsupported')}
          </Text>
        ) : push === 'on' ? (
          <Text size="sm">{t('profile.pushOn')}</Text>
        ) : (
          <Stack gap="xs">
            <Text size="sm">{t('profile.pushHint')}</Text>
            <Button
              w="fit-content"
              variant="light"
              onClick={() =>
                enablePush().then(
                  () => setPush('on'),
                  (e: unknown) => setPush(errorMessage(e)),
                )
              }
            >
              {t('profile.pushEnable')}
            </Button>
            {push !== 'idle' && (
              <Alert color="red" role="alert">
                {push}
              </Alert>
            )}
          </Stack>
        )}
      </Paper>

      <Group>
        <Button color={tone.red} variant="outline" onClick={() => void signOut(() => qc.clear()).then(() => navigate('/sign-in', { replace: true }))}>
          {t('profile.signOut')}
        </Button>
      </Group>
    </Stack>
  );
}
