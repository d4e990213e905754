import { t, type MessageKey } from '@/i18n';
import type { Schemas } from '@/lib/api/client';

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

/** "Every 2 weeks on Monday", "Every month on day 31 (or the month's last day)": how a plan
 * recurs, in words, from its recurrence and local start (`YYYY-MM-DDTHH:MM:SS`). */
export function describeSchedule(
  recurrence: Schemas['RecurrenceDto'] | null | undefined,
  startLocal: string | null | undefined,
  meter?: { name?: string | null; every?: number | null },
): string {
  const parts: string[] = [];
  if (recurrence?.rule) parts.push(t('schedule.rule', { rule: recurrence.rule }));
  else if (recurrence?.frequency && startLocal) {
    const n = recurrence.interval ?? 1;
    const start = new Date(`${startLocal}Z`);
    const unit = t(`schedule.unit.${recurrence.frequency}${n === 1 ? '' : 's'}` as MessageKey);
    const every = n === 1 ? t('schedule.everyOne', { unit }) : t('schedule.every', { n, unit });
    const day = start.getUTCDate();
    const on =
      recurrence.frequency === 'weekly'
        ? t('schedule.onWeekday', { day: t(`weekday.${WEEKDAYS[start.getUTCDay()]!}` as MessageKey) })
        : recurrence.frequency === 'monthly'
          ? day > 28
            ? t('schedule.onDayOrLast', { day })
            : t('schedule.onDay', { day })
          : recurrence.frequency === 'yearly'
            ? t('schedule.onDate', { date: start.toLocaleDateString(undefined, { day: 'numeric', month: 'long', timeZone: 'UTC' }) })
            : '';
    const time = startLocal.slice(11, 16);
    parts.push([every, on, t('schedule.at', { time })].filter(Boolean).join(' '));
  }
  if (meter?.name && meter.every) parts.push(t('schedule.meter', { every: meter.every, name: meter.name }));
  if (!parts.length) return t('schedule.none');
  const text = parts.join(t('schedule.or'));
  return text.charAt(0).toUpperCase() + text.slice(1);
}
