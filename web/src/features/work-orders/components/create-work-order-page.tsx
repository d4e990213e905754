import { Alert, Button, Checkbox, Group, Paper, Select, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiError, errorMessage } from '@/lib/api/client';
import { useMe } from '@/lib/auth/use-me';
import { useDepartments } from '@/lib/lookups';
import { can } from '@/lib/permissions';
import { t, type MessageKey } from '@/i18n';
import { PRIORITIES, TYPES, useCreateWorkOrder, type Priority, type WorkType } from '../api/work-orders';

/** Report a fault (staff: a request a manager accepts) or create work directly (managers). */
export function CreateWorkOrderPage() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const me = useMe().data;
  const direct = can(me, 'work_order.create');
  const create = useCreateWorkOrder();
  const departments = useDepartments();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [priority, setPriority] = useState<Priority>('medium');
  const [type, setType] = useState<WorkType>('corrective');
  const [departmentId, setDepartmentId] = useState<string | null>(me?.user.departmentId ?? null);
  const [signatureRequired, setSignatureRequired] = useState(false);
  const assetId = params.get('asset');
  const fieldError = (name: string) => (create.error instanceof ApiError ? create.error.problem?.errors?.find((e) => e.field === name)?.message : undefined);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const wo = await create.mutateAsync({
      title: title.trim(),
      description: description.trim() || null,
      priority,
      type: direct ? type : null,
      departmentId,
      assetId,
      signatureRequired: direct ? signatureRequired : null,
    });
    navigate(`/work-orders/${wo.id}`);
  };

  return (
    <Paper withBorder p="lg" maw={640}>
      <form onSubmit={(e) => void submit(e).catch(() => undefined)}>
        <Stack>
          <Title order={1} size="h2">
            {direct ? t('create.titleDirect') : t('create.titleRequest')}
          </Title>
          <Text size="sm" c="dimmed">
            {direct ? t('create.hintDirect') : t('create.hintRequest')}
          </Text>
          {create.error && (
            <Alert color="red" role="alert">
              {errorMessage(create.error)}
            </Alert>
          )}
          <TextInput
            label={t('create.what')}
            placeholder={t('create.whatExample')}
            value={title}
            onChange={(e) => setTitle(e.currentTarget.value)}
            maxLength={200}
            required
            error={fieldError('title')}
          />
          <Textarea
            label={t('create.details')}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            autosize
            minRows={3}
            maxLength={10000}
          />
          <Group grow>
            <Select
              label={t('filter.priority')}
              data={PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}` as MessageKey) }))}
              value={priority}
              onChange={(v) => v && setPriority(v as Priority)}
              allowDeselect={false}
            />
            {direct && (
              <Select
                label={t('filter.type')}
                data={TYPES.map((p) => ({ value: p, label: t(`type.${p}` as MessageKey) }))}
                value={type}
                onChange={(v) => v && setType(v as WorkType)}
                allowDeselect={false}
              />
            )}
          </Group>
          <Select
            label={t('filter.department')}
            data={(departments.data?.items ?? []).map((d) => ({ value: d.id, label: d.name }))}
            value={departmentId}
            onChange={setDepartmentId}
            searchable
            clearable
          />
          {assetId && <Text size="sm">{t('create.forAsset')}</Text>}
          {direct && (
            <Checkbox label={t('create.signatureRequired')} checked={signatureRequired} onChange={(e) => setSignatureRequired(e.currentTarget.checked)} />
          )}
          <Button type="submit" size="md" loading={create.isPending} disabled={!title.trim()}>
            {direct ? t('create.submitDirect') : t('create.submitRequest')}
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
