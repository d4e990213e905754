import { notificationLink } from '@/lib/notification-link';
import { Anchor, Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { EmptyState, QueryState } from '@/components/query-state';
import { formatDateTime } from '@/lib/format';
import { t } from '@/i18n';
import { useMarkAllRead, useMarkRead, useNotifications } from '../api/notifications';

export function NotificationsPage() {
  const list = useNotifications();
  const markRead = useMarkRead();
  const markAll = useMarkAllRead();
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const unread = list.data?.pages[0]?.unreadCount ?? 0;

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h3">
          {t('notifications.title')}
        </Title>
        <Button variant="default" onClick={() => markAll.mutate()} disabled={unread === 0} loading={markAll.isPending}>
          {t('notifications.markAll')}
        </Button>
      </Group>
      <QueryState isPending={list.isPending} error={list.error} retry={() => void list.refetch()}>
        {items.length === 0 ? (
          <EmptyState title={t('notifications.empty')} hint={t('notifications.emptyHint')} />
        ) : (
          <Stack gap="xs" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {items.map((n) => (
              <Paper key={n.id} withBorder p="sm" component="li" bg={n.readAt ? undefined : 'blue.0'}>
                <Group justify="space-between" wrap="nowrap" align="start">
                  <div>
                    <Group gap="xs">
                      {!n.readAt && (
                        <Badge size="xs" color="blue.8">
                          {t('notifications.new')}
                        </Badge>
                      )}
                      <Text fw={600} size="sm">
                        {notificationLink(n) ? (
                          <Anchor component={Link} to={notificationLink(n) ?? ''} onClick={() => !n.readAt && markRead.mutate(n.id)}>
                            {n.title}
                          </Anchor>
                        ) : (
                          n.title
                        )}
                      </Text>
                    </Group>
                    <Text size="sm">{n.body}</Text>
                    <Text size="xs" c="dimmed">
                      {formatDateTime(n.createdAt)}
                    </Text>
                  </div>
                  {!n.readAt && (
                    <Button size="xs" variant="subtle" onClick={() => markRead.mutate(n.id)}>
                      {t('notifications.markRead')}
                    </Button>
                  )}
                </Group>
              </Paper>
            ))}
          </Stack>
        )}
        {list.hasNextPage && (
          <Button variant="default" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage} mx="auto">
            {t('action.loadMore')}
          </Button>
        )}
      </QueryState>
    </Stack>
  );
}
