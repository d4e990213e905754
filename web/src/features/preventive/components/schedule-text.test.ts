import { describe, expect, it } from 'vitest';
import { describeSchedule } from './schedule-text';

describe('describeSchedule', () => {
  it('says simple frequencies in words, with the day they fall on', () => {
    expect(describeSchedule({ frequency: 'weekly', interval: 1 }, '2027-01-04T09:00:00')).toBe('Every week on Monday at 09:00');
    expect(describeSchedule({ frequency: 'monthly', interval: 6 }, '2027-01-04T09:00:00')).toBe('Every 6 months on day 4 at 09:00');
    expect(describeSchedule({ frequency: 'monthly', interval: 1 }, '2027-01-31T08:30:00')).toBe("Every month on day 31 (or the month's last day) at 08:30");
    expect(describeSchedule({ frequency: 'daily', interval: 2 }, '2027-01-31T07:00:00')).toBe('Every 2 days at 07:00');
  });

  it('shows a custom rule as written, and a meter interval, and says when there is none', () => {
    expect(describeSchedule({ rule: 'FREQ=MONTHLY;BYDAY=1MO' }, '2027-01-04T09:00:00')).toBe('Rule FREQ=MONTHLY;BYDAY=1MO');
    expect(describeSchedule({ frequency: 'yearly', interval: 1 }, '2027-03-01T09:00:00', { name: 'Running hours', every: 250 })).toMatch(
      /^Every year on .* at 09:00, or every 250 Running hours$/,
    );
    expect(describeSchedule(null, null, { name: 'Running hours', every: 250 })).toBe('Every 250 Running hours');
    expect(describeSchedule(null, null)).toBe('No schedule');
  });
});
