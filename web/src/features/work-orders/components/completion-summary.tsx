import { Badge, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMe } from '@/lib/auth/use-me';
import { tone } from '@/lib/colors';
import { formatDateTime, formatMinutes, formatMoney } from '@/lib/format';
import { t, type MessageKey } from '@/i18n';
import { useAttachments, useChecklist, type WorkOrder } from '../api/work-orders';

function Line({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
        {children}
      </Text>
    </div>
  );
}

/**
 * What the person doing the work reported, read before the work is approved: the outcome, what
 * was found and done, downtime, labour and cost, the checklist's result, photos and signature.
 */
export function CompletionSummary({ wo, preventive }: { wo: WorkOrder; preventive: boolean }) {
  const me = useMe().data;
  const files = useAttachments(wo.id);
  const checklist = useChecklist(wo.id, preventive);
  const photos = (files.data ?? []).filter((f) => f.kind === 'photo').length;
  const signed = (files.data ?? []).some((f) => f.kind === 'signature');
  const c = checklist.data;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="completion-summary">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2} size="h4" id="completion-summary">
            {t('summary.title')}
          </Title>
          {wo.resolutionCategory && <Badge color={tone.teal}>{t(`resolution.${wo.resolutionCategory}` as MessageKey)}</Badge>}
        </Group>
        <Text size="xs" c="dimmed">
          {t('summary.by', { name: wo.names?.assignee ?? wo.names?.vendorCompany ?? t('common.someone'), when: formatDateTime(wo.completedAt) })}
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <Line label={t('complete.problem')}>{wo.failureProblem || '—'}</Line>
          <Line label={t('complete.cause')}>{wo.failureCause || '—'}</Line>
          <Line label={t('complete.remedy')}>{wo.failureRemedy || '—'}</Line>
        </SimpleGrid>
        <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
          <Line label={t('summary.downtime')}>{wo.downtimeMinutes != null ? formatMinutes(wo.downtimeMinutes) : '—'}</Line>
          <Line label={t('workOrder.labour')}>{formatMinutes(wo.labourMinutes)}</Line>
          <Line label={t('summary.partsCost')}>{formatMoney(wo.partsCostMinor, me?.currency)}</Line>
          <Line label={t('workOrder.totalCost')}>{formatMoney(wo.totalCostMinor, me?.currency)}</Line>
        </SimpleGrid>
        <Group gap="lg">
          {preventive && c && (
            <Text size="sm" c={c.failed.length ? tone.red : undefined}>
              {c.failed.length
                ? t('summary.checklistFailed', { failed: c.failed.length, total: c.items.length })
                : c.missing.length
                  ? t('summary.checklistMissing', { missing: c.missing.length, total: c.items.length })
                  : t('summary.checklistPassed', { total: c.items.length })}
            </Text>
          )}
          <Text size="sm">{t('summary.photos', { n: photos })}</Text>
          <Text size="sm" c={wo.signatureRequired && !signed ? tone.red : undefined}>
            {signed ? t('summary.signed') : wo.signatureRequired ? t('summary.signatureMissing') : t('summary.noSignature')}
          </Text>
        </Group>
      </Stack>
    </Paper>
  );
}
