import { Alert, Group, List, NumberInput, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { errorMessage, type Schemas } from '@/lib/api/client';
import { t, type MessageKey } from '@/i18n';
import { useSchedulePreview } from '../api/preventive';

export interface ScheduleValue {
  custom: boolean;
  frequency: Schemas['FrequencyDto'];
  interval: number;
  rule: string;
  /** `YYYY-MM-DDTHH:MM` as a datetime-local input gives it. */
  start: string;
}

export function toRecurrence(v: ScheduleValue): Schemas['RecurrenceDto'] {
  return v.custom ? { rule: v.rule.trim() } : { frequency: v.frequency, interval: v.interval };
}

export function toStartLocal(v: ScheduleValue): string {
  return v.start.length === 16 ? `${v.start}:00` : v.start;
}

const FREQUENCIES: Schemas['FrequencyDto'][] = ['daily', 'weekly', 'monthly', 'yearly'];

/** The calendar part of a plan: a simple frequency or an RFC 5545 rule, from a local start,
 * with the next ten dates the server computes for the site's time zone. */
export function RecurrenceBuilder({ value, onChange, siteId }: { value: ScheduleValue; onChange: (v: ScheduleValue) => void; siteId: string | null }) {
  const set = (patch: Partial<ScheduleValue>) => onChange({ ...value, ...patch });
  const ready = !!siteId && value.start.length >= 16 && (value.custom ? value.rule.trim().length > 0 : value.interval >= 1);
  const [request] = useDebouncedValue(ready ? { recurrence: toRecurrence(value), startLocal: toStartLocal(value), siteId: siteId!, count: 10 } : null, 400);
  const preview = useSchedulePreview(request);

  return (
    <Stack gap="sm">
      <SegmentedControl
        value={value.custom ? 'custom' : 'simple'}
        onChange={(v) => set({ custom: v === 'custom' })}
        data={[
          { value: 'simple', label: t('plan.simple') },
          { value: 'custom', label: t('plan.custom') },
        ]}
        w="fit-content"
      />
      <Group align="end" wrap="wrap">
        {value.custom ? (
          <TextInput
            label={t('plan.rule')}
            description={t('plan.ruleHint')}
            value={value.rule}
            onChange={(e) => set({ rule: e.currentTarget.value })}
            w={360}
            placeholder="FREQ=MONTHLY;INTERVAL=6;BYDAY=1MO"
          />
        ) : (
          <>
            <NumberInput label={t('plan.every')} value={value.interval} onChange={(v) => set({ interval: Number(v) || 1 })} min={1} max={1000} w={110} />
            <Select
              label={t('plan.frequency')}
              data={FREQUENCIES.map((f) => ({ value: f, label: t(`plan.freq.${f}` as MessageKey) }))}
              value={value.frequency}
              onChange={(v) => v && set({ frequency: v as Schemas['FrequencyDto'] })}
              allowDeselect={false}
              w={160}
            />
          </>
        )}
        <TextInput
          type="datetime-local"
          label={t('plan.start')}
          description={t('plan.startHint')}
          value={value.start}
          onChange={(e) => set({ start: e.currentTarget.value })}
          w={240}
        />
      </Group>
      {preview.error ? (
        <Alert color="red" role="alert">
          {errorMessage(preview.error)}
        </Alert>
      ) : (
        preview.data && (
          <div>
            <Text size="sm" fw={600}>
              {t('plan.nextDates', { zone: preview.data.timeZone })}
            </Text>
            <List size="sm" spacing={2} aria-label={t('plan.preview')} data-testid="schedule-preview">
              {preview.data.occurrences.map((o) => (
                <List.Item key={o.at}>
                  {new Date(`${o.local}Z`).toLocaleString(undefined, {
                    weekday: 'short',
                    day: 'numeric',
                    month: 'short',
                    year: 'numeric',
                    hour: '2-digit',
                    minute: '2-digit',
                    timeZone: 'UTC',
                  })}
                </List.Item>
              ))}
            </List>
            <Text size="xs" c="dimmed">
              {t('plan.ruleUsed', { rule: preview.data.rule })}
            </Text>
          </div>
        )
      )}
    </Stack>
  );
}
