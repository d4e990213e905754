import { Alert, Badge, Button, Group, NumberInput, Paper, SegmentedControl, Select, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { EmptyState, QueryState } from '@/components/query-state';
import type { Schemas } from '@/lib/api/client';
import { tone } from '@/lib/colors';
import { t } from '@/i18n';
import { useAttachments, useChecklist } from '../api/work-orders';
import { judge, missingItems } from './checklist-rules';

type Answer = Schemas['AnswerDto'];

/** The work order's checklist, one large control per item for a gloved thumb; answers are
 * kept on the phone and sent through the offline queue. */
export function ChecklistPanel({ workOrderId, canWrite, onSave }: { workOrderId: string; canWrite: boolean; onSave: (answers: Answer[]) => Promise<void> }) {
  const checklist = useChecklist(workOrderId, true);
  return (
    <QueryState isPending={checklist.isPending} error={checklist.error}>
      {checklist.data && <Items key={checklist.data.version} checklist={checklist.data} workOrderId={workOrderId} canWrite={canWrite} onSave={onSave} />}
    </QueryState>
  );
}

function Items({
  checklist,
  workOrderId,
  canWrite,
  onSave,
}: {
  checklist: Schemas['ChecklistDto'];
  workOrderId: string;
  canWrite: boolean;
  onSave: (answers: Answer[]) => Promise<void>;
}) {
  const files = useAttachments(workOrderId);
  const [answers, setAnswers] = useState<Answer[]>(checklist.answers);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const of = (key: string) => answers.find((a) => a.key === key);
  const set = (key: string, patch: Partial<Answer>) => {
    setDirty(true);
    setAnswers((xs) => {
      const rest = xs.filter((a) => a.key !== key);
      const merged = { key, ...(xs.find((a) => a.key === key) ?? {}), ...patch };
      const empty = merged.result == null && merged.value == null && !merged.text && !merged.attachmentId;
      return empty ? rest : [...rest, merged];
    });
  };
  const missing = missingItems(checklist.items, answers);
  const failed = checklist.items.filter((i) => judge(i, of(i.key)) === 'fail');
  if (checklist.items.length === 0) return <EmptyState title={t('checklist.empty')} />;

  return (
    <Stack>
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {t('checklist.of', { name: checklist.templateName, n: checklist.versionNumber })}
        </Text>
        <Badge color={missing.length ? tone.gray : failed.length ? tone.red : tone.green}>
          {missing.length
            ? t('checklist.toDo', { n: missing.length })
            : failed.length
              ? t('checklist.failedN', { n: failed.length })
              : t('checklist.allPassed')}
        </Badge>
      </Group>
      {checklist.items.map((item) => {
        const a = of(item.key);
        const outcome = judge(item, a);
        return (
          <Paper
            key={item.key}
            withBorder
            p="sm"
            style={{ borderLeft: `4px solid ${outcome === 'fail' ? tone.red : outcome === 'pass' ? tone.green : 'transparent'}` }}
          >
            <Stack gap={6}>
              <Text fw={600}>
                {item.label}
                {!item.required && (
                  <Text span size="xs" c="dimmed">
                    {' '}
                    ({t('checklist.optional')})
                  </Text>
                )}
              </Text>
              {item.guidance && (
                <Text size="sm" c="dimmed">
                  {item.guidance}
                </Text>
              )}
              {item.kind === 'pass_fail' && (
                <SegmentedControl
                  size="lg"
                  fullWidth
                  disabled={!canWrite}
                  value={a?.result ?? ''}
                  onChange={(v) => set(item.key, { result: v })}
                  aria-label={item.label}
                  data={[
                    { value: 'pass', label: t('checklist.pass') },
                    { value: 'fail', label: t('checklist.fail') },
                    ...(item.allowNa ? [{ value: 'na', label: t('checklist.na') }] : []),
                  ]}
                />
              )}
              {item.kind === 'number' && (
                <Group align="end">
                  <NumberInput
                    size="lg"
                    label={t('checklist.measured')}
                    value={a?.value ?? ''}
                    onChange={(v) => set(item.key, { value: v === '' ? null : Number(v) })}
                    decimalScale={4}
                    rightSection={<Text size="sm">{item.unit}</Text>}
                    rightSectionWidth={56}
                    disabled={!canWrite}
                    w={220}
                  />
                  <Text size="sm" c="dimmed">
                    {item.min != null && item.max != null
                      ? t('checklist.range', { min: item.min, max: item.max, unit: item.unit ?? '' })
                      : item.max != null
                        ? t('checklist.atMost', { max: item.max, unit: item.unit ?? '' })
                        : item.min != null
                          ? t('checklist.atLeast', { min: item.min, unit: item.unit ?? '' })
                          : ''}
                  </Text>
                  {outcome && (
                    <Badge size="lg" color={outcome === 'fail' ? tone.red : tone.green}>
                      {outcome === 'fail' ? t('checklist.fail') : t('checklist.pass')}
                    </Badge>
                  )}
                </Group>
              )}
              {item.kind === 'text' && (
                <Textarea
                  value={a?.text ?? ''}
                  onChange={(e) => set(item.key, { text: e.currentTarget.value })}
                  autosize
                  minRows={2}
                  disabled={!canWrite}
                  aria-label={item.label}
                />
              )}
              {(item.kind === 'photo' || item.kind === 'signature') && (
                <Select
                  aria-label={item.label}
                  placeholder={item.kind === 'photo' ? t('checklist.pickPhoto') : t('checklist.pickSignature')}
                  data={(files.data ?? [])
                    .filter((f) => (item.kind === 'signature' ? f.kind === 'signature' : f.kind !== 'signature'))
                    .map((f) => ({ value: f.id, label: f.fileName }))}
                  value={a?.attachmentId ?? null}
                  onChange={(v) => set(item.key, { attachmentId: v })}
                  disabled={!canWrite}
                  nothingFoundMessage={t('checklist.noFiles')}
                />
              )}
            </Stack>
          </Paper>
        );
      })}
      {failed.length > 0 && (
        <Alert color="red" title={t('checklist.failedTitle')}>
          {t('checklist.failedHint')}
        </Alert>
      )}
      {canWrite && (
        <Button
          size="lg"
          disabled={!dirty}
          loading={busy}
          onClick={() => {
            setBusy(true);
            void onSave(answers)
              .then(() => setDirty(false))
              .finally(() => setBusy(false));
          }}
        >
          {t('checklist.save')}
        </Button>
      )}
    </Stack>
  );
}
