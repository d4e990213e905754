import { notificationLink } from '@/lib/notification-link';
import { Anchor, Card, Group, Paper, Progress, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { EmptyState, QueryState } from '@/components/query-state';
import { useMe } from '@/lib/auth/use-me';
import { formatRelative } from '@/lib/format';
import { nameMap, useDepartments } from '@/lib/lookups';
import { t } from '@/i18n';
import { useAlerts, useAtRisk, useMyWork, useReorderCount, useSummary } from '../api/summary';
import { can } from '@/lib/permissions';
import { tone } from '@/lib/colors';

function Figure({ label, value, color, to }: { label: string; value: string | number; color?: string; to?: string }) {
  const body = (
    <Card withBorder padding="md">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fz={28} fw={700} c={color}>
        {value}
      </Text>
    </Card>
  );
  return to ? (
    <Anchor component={Link} to={to} underline="never" c="inherit">
      {body}
    </Anchor>
  ) : (
    body
  );
}

/** Open work past its deadline now (as the breached figures count it), soonest deadline first. */
function breachedLink(departmentId?: string): string {
  const q = new URLSearchParams({ open: 'true', dueTo: new Date().toISOString(), sort: 'dueAt' });
  if (departmentId) q.set('departmentId', departmentId);
  return `/work-orders?${q.toString()}`;
}

export function DashboardPage() {
  const me = useMe().data;
  const summary = useSummary();
  const mine = useMyWork(me);
  const due = useAtRisk();
  const alerts = useAlerts();
  const reorder = useReorderCount(can(me, 'inventory.read'));
  const departments = nameMap(useDepartments().data?.items);
  const s = summary.data;
  const maxBacklog = Math.max(1, ...(s?.backlogByDepartment.map((d) => d.open) ?? [1]));

  return (
    <Stack>
      <Title order={1} size="h2">
        {t('dashboard.title')}
      </Title>
      <QueryState isPending={summary.isPending} error={summary.error} retry={() => void summary.refetch()}>
        {s && (
          <>
            <SimpleGrid cols={{ base: 2, sm: 4 }}>
              <Figure label={t('priority.critical')} value={s.openByPriority.critical} color={tone.red} to="/work-orders?open=true&priority=critical" />
              <Figure label={t('priority.high')} value={s.openByPriority.high} color={tone.orange} to="/work-orders?open=true&priority=high" />
              <Figure label={t('priority.medium')} value={s.openByPriority.medium} to="/work-orders?open=true&priority=medium" />
              <Figure label={t('priority.low')} value={s.openByPriority.low} to="/work-orders?open=true&priority=low" />
            </SimpleGrid>
            <SimpleGrid cols={{ base: 2, sm: 3, lg: reorder.data === undefined ? 6 : 7 }}>
              <Figure
                label={t('dashboard.atRisk')}
                value={s.atRisk}
                color={s.atRisk ? tone.orange : undefined}
                to="/work-orders?open=true&slaStatus=at_risk&sort=dueAt"
              />
              <Figure label={t('dashboard.breached')} value={s.breached} color={s.breached ? tone.red : undefined} to={breachedLink()} />
              <Figure label={t('dashboard.pendingRequests')} value={s.pendingRequests} to="/work-orders?status=pending" />
              <Figure label={t('dashboard.awaitingApproval')} value={s.awaitingApproval} to="/work-orders?status=completed" />
              <Figure label={t('dashboard.mine')} value={s.assignedToMe} to="/work-orders?assignedTo=me&open=true" />
              <Figure label={t('dashboard.mttr')} value={s.mttrHoursThisMonth == null ? '—' : t('dashboard.hours', { n: s.mttrHoursThisMonth.toFixed(1) })} />
              {reorder.data !== undefined && (
                <Figure label={t('dashboard.partsToReorder')} value={reorder.data} color={reorder.data ? tone.orange : undefined} to="/parts/view/reorder" />
              )}
            </SimpleGrid>
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              <Paper withBorder p="md">
                <Title order={2} size="h4" mb="sm">
                  {t('dashboard.backlog')}
                </Title>
                {s.backlogByDepartment.length === 0 ? (
                  <EmptyState title={t('dashboard.noBacklog')} />
                ) : (
                  <Stack gap="xs" role="list" aria-label={t('dashboard.backlog')}>
                    {s.backlogByDepartment.slice(0, 10).map((d) => (
                      <div key={d.departmentId ?? 'none'} role="listitem">
                        <Group justify="space-between">
                          {d.departmentId ? (
                            <Anchor component={Link} to={`/work-orders?open=true&departmentId=${d.departmentId}`} size="sm">
                              {departments.get(d.departmentId) ?? t('dashboard.noDepartment')}
                            </Anchor>
                          ) : (
                            <Text size="sm">{t('dashboard.noDepartment')}</Text>
                          )}
                          <Text size="sm">
                            {d.open}
                            {d.breached > 0 && d.departmentId && (
                              <Anchor component={Link} to={breachedLink(d.departmentId)} size="sm" c={tone.red}>
                                {' '}
                                · {t('dashboard.breachedCount', { n: d.breached })}
                              </Anchor>
                            )}
                          </Text>
                        </Group>
                        <Progress.Root size="lg" aria-hidden>
                          <Progress.Section value={((d.open - d.breached) / maxBacklog) * 100} color="blue.8" />
                          <Progress.Section value={(d.breached / maxBacklog) * 100} color={tone.red} />
                        </Progress.Root>
                      </div>
                    ))}
                  </Stack>
                )}
              </Paper>
              <Paper withBorder p="md">
                <Title order={2} size="h4" mb="sm">
                  {t('dashboard.dueSoon')}
                </Title>
                <QueryState isPending={due.isPending} error={due.error}>
                  {(due.data?.items.length ?? 0) === 0 ? (
                    <EmptyState title={t('dashboard.nothingDueAhead')} />
                  ) : (
                    <Table>
                      <Table.Tbody>
                        {due.data!.items.map((wo) => (
                          <Table.Tr key={wo.id} data-testid="due-soon">
                            <Table.Td style={{ whiteSpace: 'nowrap' }}>
                              <Anchor component={Link} to={`/work-orders/${wo.id}`} size="sm">
                                {wo.code}
                              </Anchor>
                            </Table.Td>
                            <Table.Td>
                              <Text size="sm">{wo.title}</Text>
                            </Table.Td>
                            <Table.Td>
                              <Text
                                size="sm"
                                fw={600}
                                c={wo.slaStatus === 'breached' ? tone.red : wo.slaStatus === 'at_risk' ? tone.orange : undefined}
                                style={{ whiteSpace: 'nowrap' }}
                              >
                                {formatRelative(wo.slaResolutionDueAt)}
                              </Text>
                            </Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  )}
                </QueryState>
              </Paper>
            </SimpleGrid>
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              <Paper withBorder p="md">
                <Title order={2} size="h4" mb="sm">
                  {t('dashboard.alerts')}
                </Title>
                <QueryState isPending={alerts.isPending} error={alerts.error}>
                  {(alerts.data?.items.length ?? 0) === 0 ? (
                    <EmptyState title={t('dashboard.noAlerts')} />
                  ) : (
                    <Stack gap="xs">
                      {alerts.data!.items.map((n) => (
                        <div key={n.id}>
                          <Anchor component={Link} to={notificationLink(n) ?? '/notifications'} size="sm" fw={600}>
                            {n.title}
                          </Anchor>
                          <Text size="xs" c="dimmed">
                            {formatRelative(n.createdAt)} · {n.body}
                          </Text>
                        </div>
                      ))}
                      {(alerts.data?.unreadCount ?? 0) > alerts.data!.items.length && (
                        <Anchor component={Link} to="/notifications" size="sm">
                          {t('dashboard.allAlerts', { n: alerts.data!.unreadCount })}
                        </Anchor>
                      )}
                    </Stack>
                  )}
                </QueryState>
              </Paper>
              <Paper withBorder p="md">
                <Title order={2} size="h4" mb="sm">
                  {t('dashboard.myAssignments')}
                </Title>
                <QueryState isPending={mine.isPending} error={mine.error}>
                  {(mine.data?.items.length ?? 0) === 0 ? (
                    <EmptyState title={t('dashboard.noAssignments')} />
                  ) : (
                    <Stack gap={4}>
                      {mine.data!.items.map((wo) => (
                        <Anchor key={wo.id} component={Link} to={`/work-orders/${wo.id}`}>
                          {wo.code} — {wo.title}
                        </Anchor>
                      ))}
                    </Stack>
                  )}
                </QueryState>
              </Paper>
            </SimpleGrid>
          </>
        )}
      </QueryState>
    </Stack>
  );
}
