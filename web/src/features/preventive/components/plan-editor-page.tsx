import {
  ActionIcon,
  Alert,
  Anchor,
  Button,
  Checkbox,
  Divider,
  Group,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { EmptyState, QueryState } from '@/components/query-state';
import { errorMessage, fieldErrors, type Schemas } from '@/lib/api/client';
import { useMe } from '@/lib/auth/use-me';
import { tone } from '@/lib/colors';
import { formatDateTime } from '@/lib/format';
import { useClasses, useSites, useUsers } from '@/lib/lookups';
import { can } from '@/lib/permissions';
import { t, type MessageKey } from '@/i18n';
import { useAssetSearch, useCreatePlan, useInstances, usePlan, usePlanAsset, useTemplates, useUpdatePlan, type Plan } from '../api/preventive';
import { InstanceStatusBadge } from './status-badge';
import { RecurrenceBuilder, toRecurrence, toStartLocal, type ScheduleValue } from './recurrence-builder';

const PRIORITIES: Schemas['PriorityDto'][] = ['critical', 'high', 'medium', 'low'];

/** Tomorrow 09:00 on this device's clock, as a datetime-local value. */
function tomorrowMorning(): string {
  const d = new Date(Date.now() + 24 * 3600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T09:00`;
}

/** `/preventive/plans/new` and `/preventive/plans/:id`: a plan's editor, and for an existing
 * plan its recent occurrences. */
export function PlanEditorPage() {
  const { id } = useParams();
  const plan = usePlan(id);
  if (!id) return <PlanForm />;
  return (
    <QueryState isPending={plan.isPending} error={plan.error} retry={() => void plan.refetch()}>
      {plan.data && <PlanForm key={plan.data.version} plan={plan.data} />}
    </QueryState>
  );
}

function PlanForm({ plan }: { plan?: Plan }) {
  const navigate = useNavigate();
  const me = useMe().data;
  const editable = can(me, 'preventive.manage');
  const sites = useSites();
  const users = useUsers();
  const classes = useClasses();
  const templates = useTemplates();
  const create = useCreatePlan();
  const update = useUpdatePlan();
  const save = plan ? update : create;
  const errors = fieldErrors(save.error);

  const [siteId, setSiteId] = useState<string | null>(plan?.siteId ?? me?.user.siteId ?? null);
  const [name, setName] = useState(plan?.name ?? '');
  const [task, setTask] = useState(plan?.task ?? '');
  const [targetKind, setTargetKind] = useState<Schemas['TargetKindDto']>(plan?.targetKind ?? 'asset');
  const [assetId, setAssetId] = useState<string | null>(plan?.assetId ?? null);
  const [assetQuery, setAssetQuery] = useState('');
  const [q] = useDebouncedValue(assetQuery, 300);
  const assets = useAssetSearch(q);
  const planAsset = usePlanAsset(plan?.assetId);
  // The chosen asset stays an option while the search text changes.
  const [chosen, setChosen] = useState<{ value: string; label: string } | null>(null);
  const [classId, setClassId] = useState<string | null>(plan?.classId ?? null);
  const [make, setMake] = useState(plan?.make ?? '');
  const [model, setModel] = useState(plan?.model ?? '');
  const [templateId, setTemplateId] = useState<string | null>(plan?.checklistTemplateId ?? null);
  const [calendar, setCalendar] = useState(plan ? !!plan.recurrence : true);
  const [schedule, setSchedule] = useState<ScheduleValue>({
    custom: !!plan?.recurrence?.rule,
    frequency: plan?.recurrence?.frequency ?? 'monthly',
    interval: plan?.recurrence?.interval ?? 1,
    rule: plan?.recurrence?.rule ?? '',
    start: plan?.startLocal?.slice(0, 16) ?? tomorrowMorning(),
  });
  const [metered, setMetered] = useState(!!plan?.meterName);
  const [meterName, setMeterName] = useState(plan?.meterName ?? 'Running hours');
  const [meterEvery, setMeterEvery] = useState<number | string>(plan?.meterEvery ?? 250);
  const [mode, setMode] = useState<Schemas['ModeDto']>(plan?.mode ?? 'fixed');
  const [lead, setLead] = useState<number | string>(plan?.leadDays ?? 14);
  const [grace, setGrace] = useState<number | string>(plan?.graceDays ?? 7);
  const [assignee, setAssignee] = useState<string | null>(plan?.assigneeId ?? null);
  const [priority, setPriority] = useState<Schemas['PriorityDto']>(plan?.priority ?? 'medium');
  const [minutes, setMinutes] = useState<number | string>(plan?.estimatedMinutes ?? '');
  const [parts, setParts] = useState<Schemas['RequiredPart'][]>(plan?.requiredParts ?? []);
  const [signature, setSignature] = useState(plan?.signatureRequired ?? false);
  const [corrective, setCorrective] = useState(plan?.correctiveOnFailure ?? true);
  const [active, setActive] = useState(plan?.active ?? true);
  const [pausedReason, setPausedReason] = useState(plan?.pausedReason ?? '');

  const technicians = (users.data?.items ?? []).filter((u) => u.role === 'technician' || u.role === 'vendor');
  const num = (v: number | string) => (typeof v === 'number' ? v : v === '' ? null : Number(v));

  const submit = () => {
    const common = {
      name: name.trim(),
      task: task.trim(),
      checklistTemplateId: templateId,
      recurrence: calendar ? toRecurrence(schedule) : null,
      startLocal: calendar ? toStartLocal(schedule) : null,
      meterName: metered ? meterName.trim() : null,
      meterEvery: metered ? num(meterEvery) : null,
      mode,
      leadDays: num(lead) ?? 0,
      graceDays: num(grace) ?? 0,
      assigneeId: assignee,
      priority,
      estimatedMinutes: num(minutes),
      requiredParts: parts.filter((p) => p.description.trim()),
      signatureRequired: signature,
      correctiveOnFailure: corrective,
    };
    if (plan) {
      update.mutate(
        {
          id: plan.id,
          body: { ...common, active, pausedReason: active ? null : pausedReason.trim() || null, version: plan.version },
        },
        { onSuccess: (p) => navigate(`/preventive/plans/${p.id}`, { replace: true }) },
      );
    } else {
      create.mutate(
        {
          ...common,
          siteId: siteId ?? '',
          targetKind,
          assetId: targetKind === 'asset' ? assetId : null,
          classId: targetKind === 'class' ? classId : null,
          make: targetKind === 'model' ? make.trim() : null,
          model: targetKind === 'model' ? model.trim() : null,
        },
        { onSuccess: (p) => navigate(`/preventive/plans/${p.id}`, { replace: true }) },
      );
    }
  };

  const found = (assets.data ?? []).map((a) => ({ value: a.id, label: `${a.tag} · ${a.name}` }));
  const current = planAsset.data ? { value: planAsset.data.id, label: `${planAsset.data.tag} · ${planAsset.data.name}` } : chosen;
  const assetOptions = current && !found.some((o) => o.value === current.value) ? [current, ...found] : found;

  return (
    <Stack maw={980}>
      <Anchor component={Link} to="/preventive" size="sm">
        ← {t('preventive.title')}
      </Anchor>
      <Group justify="space-between">
        <Title order={1} size="h2">
          {plan ? plan.name : t('plan.new')}
        </Title>
        {plan && (
          <Text size="sm" c="dimmed">
            {t('plan.covers', { n: plan.assetCount })} · {plan.nextDueAt ? t('plan.nextDue', { when: formatDateTime(plan.nextDueAt) }) : t('plan.noNext')}
          </Text>
        )}
      </Group>
      {save.error && !Object.keys(errors).length && (
        <Alert color="red" role="alert">
          {errorMessage(save.error)}
        </Alert>
      )}
      {Object.keys(errors).length > 0 && (
        <Alert color="red" role="alert" title={t('plan.fix')}>
          {Object.entries(errors)
            .map(([f, m]) => `${f}: ${m}`)
            .join('; ')}
        </Alert>
      )}
      <Paper withBorder p="md">
        <Stack>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label={t('plan.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} required error={errors.name} disabled={!editable} />
            <Select
              label={t('org.site')}
              data={(sites.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))}
              value={siteId}
              onChange={setSiteId}
              disabled={!!plan || !editable}
              allowDeselect={false}
              error={errors.siteId}
            />
          </SimpleGrid>
          <Textarea label={t('plan.task')} value={task} onChange={(e) => setTask(e.currentTarget.value)} autosize minRows={2} disabled={!editable} />
          <Divider label={t('plan.covers.title')} labelPosition="left" />
          <Group align="end" wrap="wrap">
            <Select
              label={t('plan.targetKind')}
              data={(['asset', 'class', 'model'] as const).map((k) => ({ value: k, label: t(`plan.target.${k}` as MessageKey) }))}
              value={targetKind}
              onChange={(v) => v && setTargetKind(v as Schemas['TargetKindDto'])}
              disabled={!!plan || !editable}
              allowDeselect={false}
              w={220}
            />
            {targetKind === 'asset' && (
              <Select
                label={t('plan.asset')}
                searchable
                data={assetOptions}
                value={assetId}
                onChange={(v, option) => {
                  setAssetId(v);
                  setChosen(v && option ? { value: v, label: option.label } : null);
                }}
                searchValue={assetQuery}
                onSearchChange={setAssetQuery}
                nothingFoundMessage={t('plan.noAsset')}
                disabled={!!plan || !editable}
                error={errors.assetId}
                w={360}
              />
            )}
            {targetKind === 'class' && (
              <Select
                label={t('plan.class')}
                searchable
                data={(classes.data ?? []).map((c) => ({ value: c.id, label: `${c.name} (${c.code})` }))}
                value={classId}
                onChange={setClassId}
                disabled={!!plan || !editable}
                error={errors.classId}
                w={320}
              />
            )}
            {targetKind === 'model' && (
              <>
                <TextInput label={t('plan.make')} value={make} onChange={(e) => setMake(e.currentTarget.value)} disabled={!!plan || !editable} />
                <TextInput
                  label={t('plan.model')}
                  value={model}
                  onChange={(e) => setModel(e.currentTarget.value)}
                  disabled={!!plan || !editable}
                  error={errors.model}
                />
              </>
            )}
          </Group>
          {targetKind !== 'asset' && (
            <Text size="xs" c="dimmed">
              {t('plan.growingHint')}
            </Text>
          )}
          <Divider label={t('plan.when')} labelPosition="left" />
          <Switch label={t('plan.calendar')} checked={calendar} onChange={(e) => setCalendar(e.currentTarget.checked)} disabled={!editable} />
          {calendar && <RecurrenceBuilder value={schedule} onChange={setSchedule} siteId={siteId} />}
          <Switch label={t('plan.metered')} checked={metered} onChange={(e) => setMetered(e.currentTarget.checked)} disabled={!editable} />
          {metered && (
            <Group align="end">
              <NumberInput label={t('plan.meterEvery')} value={meterEvery} onChange={setMeterEvery} min={1} w={140} error={errors.meterEvery} />
              <TextInput
                label={t('plan.meterName')}
                description={t('plan.meterNameHint')}
                value={meterName}
                onChange={(e) => setMeterName(e.currentTarget.value)}
                error={errors.meterName}
                w={260}
              />
            </Group>
          )}
          {calendar && metered && (
            <Text size="xs" c="dimmed">
              {t('plan.whicheverFirst')}
            </Text>
          )}
          <Group align="end" wrap="wrap">
            <Select
              label={t('plan.mode')}
              data={[
                { value: 'fixed', label: t('plan.mode.fixed') },
                { value: 'floating', label: t('plan.mode.floating') },
              ]}
              value={mode}
              onChange={(v) => v && setMode(v as Schemas['ModeDto'])}
              allowDeselect={false}
              disabled={!editable}
              w={300}
            />
            <NumberInput
              label={t('plan.lead')}
              description={t('plan.leadHint')}
              value={lead}
              onChange={setLead}
              min={0}
              max={365}
              w={170}
              error={errors.leadDays}
            />
            <NumberInput
              label={t('plan.grace')}
              description={t('plan.graceHint')}
              value={grace}
              onChange={setGrace}
              min={0}
              max={365}
              w={190}
              error={errors.graceDays}
            />
          </Group>
          <Divider label={t('plan.work')} labelPosition="left" />
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <Select
              label={t('plan.checklist')}
              data={(templates.data ?? []).filter((x) => x.active || x.id === templateId).map((x) => ({ value: x.id, label: x.name }))}
              value={templateId}
              onChange={setTemplateId}
              clearable
              disabled={!editable}
            />
            <Select
              label={t('plan.assignee')}
              data={technicians.map((u) => ({ value: u.id, label: `${u.name} (${u.roleName})` }))}
              value={assignee}
              onChange={setAssignee}
              searchable
              clearable
              disabled={!editable}
              error={errors.assigneeId}
            />
            <Select
              label={t('filter.priority')}
              data={PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}` as MessageKey) }))}
              value={priority}
              onChange={(v) => v && setPriority(v as Schemas['PriorityDto'])}
              allowDeselect={false}
              disabled={!editable}
            />
          </SimpleGrid>
          <NumberInput label={t('plan.minutes')} value={minutes} onChange={setMinutes} min={1} w={200} disabled={!editable} />
          <div>
            <Text size="sm" fw={500}>
              {t('plan.parts')}
            </Text>
            <Stack gap={4}>
              {parts.map((p, i) => (
                <Group key={i} gap="xs">
                  <TextInput
                    aria-label={t('plan.partDescription')}
                    placeholder={t('plan.partDescription')}
                    value={p.description}
                    onChange={(e) => {
                      const description = e.currentTarget.value;
                      setParts((ps) => ps.map((x, j) => (j === i ? { ...x, description } : x)));
                    }}
                    w={320}
                  />
                  <NumberInput
                    aria-label={t('plan.partQuantity')}
                    value={p.quantity}
                    min={1}
                    onChange={(v) => setParts((ps) => ps.map((x, j) => (j === i ? { ...x, quantity: Number(v) || 1 } : x)))}
                    w={90}
                  />
                  <ActionIcon variant="subtle" color={tone.red} aria-label={t('action.remove')} onClick={() => setParts((ps) => ps.filter((_, j) => j !== i))}>
                    ✕
                  </ActionIcon>
                </Group>
              ))}
              {editable && (
                <Button variant="subtle" size="xs" w="fit-content" onClick={() => setParts((ps) => [...ps, { description: '', quantity: 1 }])}>
                  {t('plan.addPart')}
                </Button>
              )}
            </Stack>
          </div>
          <Checkbox label={t('create.signatureRequired')} checked={signature} onChange={(e) => setSignature(e.currentTarget.checked)} disabled={!editable} />
          <Checkbox label={t('plan.corrective')} checked={corrective} onChange={(e) => setCorrective(e.currentTarget.checked)} disabled={!editable} />
          {plan && (
            <>
              <Divider />
              <Switch label={t('plan.active')} checked={active} onChange={(e) => setActive(e.currentTarget.checked)} disabled={!editable} />
              {!active && (
                <TextInput
                  label={t('plan.pausedReason')}
                  value={pausedReason}
                  onChange={(e) => setPausedReason(e.currentTarget.value)}
                  required
                  error={errors.pausedReason}
                />
              )}
            </>
          )}
          {editable && (
            <Button onClick={submit} loading={save.isPending} disabled={!name.trim() || !siteId} w="fit-content" size="md">
              {plan ? t('action.save') : t('plan.create')}
            </Button>
          )}
        </Stack>
      </Paper>
      {plan && <Occurrences planId={plan.id} />}
    </Stack>
  );
}

function Occurrences({ planId }: { planId: string }) {
  const list = useInstances({ planId, limit: 30 });
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h4" mb="xs">
        {t('plan.occurrences')}
      </Title>
      <QueryState isPending={list.isPending} error={list.error}>
        {(list.data?.items.length ?? 0) === 0 ? (
          <EmptyState title={t('plan.noOccurrences')} />
        ) : (
          <Table.ScrollContainer minWidth={640}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('plan.due')}</Table.Th>
                  <Table.Th>{t('workOrder.asset')}</Table.Th>
                  <Table.Th>{t('filter.status')}</Table.Th>
                  <Table.Th>{t('workOrder.code')}</Table.Th>
                  <Table.Th>{t('plan.reason')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data!.items.map((i) => (
                  <Table.Tr key={i.id}>
                    <Table.Td>{formatDateTime(i.dueAt)}</Table.Td>
                    <Table.Td>
                      {i.assetName}{' '}
                      <Text span size="xs" c="dimmed">
                        {i.assetTag}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <InstanceStatusBadge status={i.status} />
                    </Table.Td>
                    <Table.Td>{i.workOrderId ? <Link to={`/work-orders/${i.workOrderId}`}>{i.workOrderCode}</Link> : '—'}</Table.Td>
                    <Table.Td>{i.missReason ?? ''}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
    </Paper>
  );
}
