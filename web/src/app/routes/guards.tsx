import { Button, Center, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link, Navigate, useLocation } from 'react-router';
import { QueryState } from '@/components/query-state';
import { useMe, useSignedIn } from '@/lib/auth/use-me';
import { t } from '@/i18n';

/** Signed-in pages: send others to sign in, and come back afterwards. */
export function RequireSignIn({ children }: { children: ReactNode }) {
  const signedIn = useSignedIn();
  const location = useLocation();
  const me = useMe();
  if (!signedIn) return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  return (
    <QueryState isPending={me.isPending && !me.data} error={me.data ? null : me.error} retry={() => void me.refetch()}>
      {children}
    </QueryState>
  );
}

/** A page some roles may not open: a clear explanation instead of an empty screen. */
export function RequireAccess({ allowed, children }: { allowed: (me: ReturnType<typeof useMe>['data']) => boolean; children: ReactNode }) {
  const me = useMe().data;
  return allowed(me) ? <>{children}</> : <NotAllowedPage />;
}

export function NotAllowedPage() {
  return (
    <Center py="xl">
      <Stack align="center" maw={460} gap="sm" data-testid="not-allowed">
        <Title order={1} size="h2">
          {t('notAllowed.title')}
        </Title>
        <Text ta="center">{t('notAllowed.body')}</Text>
        <Button component={Link} to="/">
          {t('notAllowed.home')}
        </Button>
      </Stack>
    </Center>
  );
}

export function NotFoundPage() {
  return (
    <Center py="xl">
      <Stack align="center" gap="sm">
        <Title order={1} size="h2">
          {t('notFound.title')}
        </Title>
        <Text>{t('notFound.body')}</Text>
        <Button component={Link} to="/">
          {t('notAllowed.home')}
        </Button>
      </Stack>
    </Center>
  );
}
