import { Button, Center, Code, Group, Stack, Text, Title } from '@mantine/core';
import { isRouteErrorResponse, Link, useRouteError } from 'react-router';
import { t } from '@/i18n';
import { NotFoundPage } from './guards';

/**
 * What a screen shows when it fails to draw: our own page with a way back and a way to try
 * again, never the router's developer message. What went wrong stays readable for a report.
 */
export function RouteErrorPage() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) return <NotFoundPage />;
  const detail = error instanceof Error ? error.message : isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : String(error);
  return (
    <Center py="xl" px="md">
      <Stack align="center" gap="sm" maw={560} data-testid="route-error">
        <Title order={1} size="h2">
          {t('routeError.title')}
        </Title>
        <Text ta="center">{t('routeError.body')}</Text>
        <Group>
          <Button onClick={() => window.location.reload()}>{t('routeError.retry')}</Button>
          <Button variant="default" component={Link} to="/" reloadDocument>
            {t('notAllowed.home')}
          </Button>
        </Group>
        <Text size="xs" c="dimmed">
          {t('routeError.detail')} <Code>{detail}</Code>
        </Text>
      </Stack>
    </Center>
  );
}
