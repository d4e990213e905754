import { Alert, Button, Center, Loader, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { errorMessage } from '@/lib/api/client';
import { t } from '@/i18n';

/** Loading spinner, error with retry, or the content: the three states of every screen. */
export function QueryState({ isPending, error, retry, children }: { isPending: boolean; error: unknown; retry?: () => void; children: ReactNode }) {
  if (error) {
    return (
      <Alert color="red" title={t('error.loadFailed')} role="alert">
        <Stack gap="xs">
          <Text size="sm">{errorMessage(error)}</Text>
          {retry && (
            <Button size="xs" variant="light" onClick={retry} w="fit-content">
              {t('action.retry')}
            </Button>
          )}
        </Stack>
      </Alert>
    );
  }
  if (isPending) {
    return (
      <Center py="xl" aria-busy="true">
        <Loader aria-label={t('state.loading')} />
      </Center>
    );
  }
  return <>{children}</>;
}

/** What an empty list says, and what to do next. */
export function EmptyState({ title, hint, action }: { title: string; hint?: string; action?: ReactNode }) {
  return (
    <Stack align="center" py="xl" gap="xs">
      <Text fw={600}>{title}</Text>
      {hint && (
        <Text c="dimmed" size="sm" ta="center" maw={420}>
          {hint}
        </Text>
      )}
      {action}
    </Stack>
  );
}
