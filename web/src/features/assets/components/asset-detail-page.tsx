import { Alert, Anchor, Badge, Button, Grid, Group, Image, Paper, SimpleGrid, Stack, Text, Timeline, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { QueryState } from '@/components/query-state';
import { useMe } from '@/lib/auth/use-me';
import { formatDate, formatDateTime, formatMinutes, formatMoney } from '@/lib/format';
import { can } from '@/lib/permissions';
import { t, type MessageKey } from '@/i18n';
import { useAsset, useAssetHistory, useQrCode, useReliability, type Asset } from '../api/assets';
import { tone } from '@/lib/colors';

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm">{children}</Text>
    </div>
  );
}

export function AssetDetailPage() {
  const { id = '' } = useParams();
  const asset = useAsset(id);
  return (
    <QueryState isPending={asset.isPending} error={asset.error} retry={() => void asset.refetch()}>
      {asset.data && <Detail asset={asset.data} />}
    </QueryState>
  );
}

function Detail({ asset }: { asset: Asset }) {
  const me = useMe().data;
  const history = useAssetHistory(asset.id);
  const reliability = useReliability(asset.id);
  const qr = useQrCode(asset.id);
  const r = reliability.data;

  return (
    <Stack>
      <Anchor component={Link} to="/assets" size="sm">
        ← {t('assets.title')}
      </Anchor>
      <Group justify="space-between" align="start">
        <div>
          <Text c="dimmed" size="sm">
            {asset.tag}
          </Text>
          <Title order={1} size="h2">
            {asset.name}
          </Title>
          <Text size="sm">{[asset.make, asset.model, asset.serialNumber && `SN ${asset.serialNumber}`].filter(Boolean).join(' · ')}</Text>
        </div>
        <Group gap="xs">
          <Badge color="blue.8">{t(`assetStatus.${asset.status}` as MessageKey)}</Badge>
          <Badge color={asset.riskClass === 'high' ? tone.red : asset.riskClass === 'medium' ? tone.orange : 'gray.7'}>
            {t('assets.riskLabel', { risk: t(`risk.${asset.riskClass}` as MessageKey) })}
          </Badge>
          {asset.lifeSupport && <Badge color={tone.red}>{t('assets.lifeSupport')}</Badge>}
        </Group>
      </Group>
      <Group>
        {(can(me, 'work_order.request') || can(me, 'work_order.create')) && (
          <Button component={Link} to={`/work-orders/new?asset=${asset.id}`}>
            {t('assets.reportFault')}
          </Button>
        )}
        <Button variant="default" component={Link} to={`/work-orders?assetId=${asset.id}`}>
          {t('assets.workOrders')}
        </Button>
        <Button variant="default" onClick={() => qr.mutate()} loading={qr.isPending}>
          {t('assets.showQr')}
        </Button>
      </Group>
      {qr.data && (
        <Paper withBorder p="md" w="fit-content">
          <Image src={`data:image/png;base64,${qr.data.pngBase64}`} alt={t('assets.qrAlt', { tag: asset.tag })} w={180} />
          <Text size="xs" ta="center">
            {qr.data.label}
          </Text>
          <Button size="xs" mt="xs" variant="light" onClick={() => window.print()}>
            {t('assets.print')}
          </Button>
        </Paper>
      )}
      {r?.replacementAdvised && (
        <Alert color="orange" title={t('assets.replaceTitle')}>
          {t('assets.replaceHint', { percent: r.repairReplacePercent })}
        </Alert>
      )}
      <Grid>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Paper withBorder p="md">
            <SimpleGrid cols={2} spacing="sm">
              <Field label={t('assets.strategy')}>{asset.maintenanceStrategy}</Field>
              <Field label={t('assets.emNumber')}>{asset.emNumber ?? '—'}</Field>
              <Field label={t('assets.installed')}>{formatDate(asset.installedOn)}</Field>
              <Field label={t('assets.warranty')}>
                {asset.underWarranty ? t('assets.warrantyUntil', { date: formatDate(asset.warrantyEnd) }) : t('common.no')}
              </Field>
              <Field label={t('assets.purchaseCost')}>{asset.purchaseCostMinor != null ? formatMoney(asset.purchaseCostMinor, me?.currency) : '—'}</Field>
              <Field label={t('assets.bookValue')}>{asset.bookValueMinor != null ? formatMoney(asset.bookValueMinor, me?.currency) : '—'}</Field>
            </SimpleGrid>
          </Paper>
          <Paper withBorder p="md" mt="md">
            <Title order={2} size="h4" mb="xs">
              {t('assets.reliability')}
            </Title>
            <QueryState isPending={reliability.isPending} error={reliability.error}>
              {r && (
                <SimpleGrid cols={2} spacing="sm">
                  <Field label={t('assets.downtime')}>{formatMinutes(r.downtimeMinutes)}</Field>
                  <Field label={t('assets.availability')}>{r.availabilityPercent}%</Field>
                  <Field label={t('assets.failures')}>{r.failures}</Field>
                  <Field label={t('assets.mttr')}>{r.mttrMinutes != null ? formatMinutes(r.mttrMinutes) : '—'}</Field>
                  <Field label={t('assets.mtbf')}>{r.mtbfHours != null ? t('dashboard.hours', { n: r.mtbfHours.toFixed(0) }) : '—'}</Field>
                  <Field label={t('assets.maintenanceCost')}>{formatMoney(r.maintenanceCostMinor, me?.currency)}</Field>
                  <Field label={t('assets.tco')}>{formatMoney(r.totalCostOfOwnershipMinor, me?.currency)}</Field>
                  <Field label={t('assets.since')}>{formatDate(r.since)}</Field>
                </SimpleGrid>
              )}
            </QueryState>
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Paper withBorder p="md">
            <Title order={2} size="h4" mb="xs">
              {t('history.title')}
            </Title>
            <QueryState isPending={history.isPending} error={history.error}>
              <Timeline bulletSize={12} lineWidth={2} active={history.data?.length ?? 0}>
                {(history.data ?? []).map((h, i) => (
                  <Timeline.Item key={i} title={t(`assetHistory.${h.kind}` as MessageKey)}>
                    <Text size="xs" c="dimmed">
                      {formatDateTime(h.at)}
                      {h.toStatus && ` · ${t(`assetStatus.${h.toStatus}` as MessageKey)}`}
                    </Text>
                    {h.workOrderId && (
                      <Anchor component={Link} to={`/work-orders/${h.workOrderId}`} size="xs">
                        {t('assets.openWorkOrder')}
                      </Anchor>
                    )}
                  </Timeline.Item>
                ))}
              </Timeline>
            </QueryState>
          </Paper>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
