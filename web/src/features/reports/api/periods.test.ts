import { describe, expect, it } from 'vitest';
import { comparedWith, rangeOf } from './periods';

const d = (y: number, m: number, day = 1) => new Date(y, m - 1, day);

describe('report periods', () => {
  const now = d(2027, 3, 15);

  it('are calendar months and years in local time', () => {
    expect(rangeOf('this_month', now)).toEqual({ from: d(2027, 3), to: d(2027, 4) });
    expect(rangeOf('last_month', now)).toEqual({ from: d(2027, 2), to: d(2027, 3) });
    expect(rangeOf('this_year', now)).toEqual({ from: d(2027, 1), to: d(2028, 1) });
    expect(rangeOf('last_12_months', now)).toEqual({ from: d(2026, 4), to: d(2027, 4) });
    expect(rangeOf('last_90_days', now)).toEqual({ from: d(2026, 12, 16), to: d(2027, 3, 16) });
  });

  it('compare a month with the month before (whatever its length) or the same month last year', () => {
    expect(comparedWith(rangeOf('this_month', now), 'previous')).toEqual({ from: d(2027, 2), to: d(2027, 3) });
    expect(comparedWith(rangeOf('last_month', now), 'last_year')).toEqual({ from: d(2026, 2), to: d(2026, 3) });
    expect(comparedWith(rangeOf('this_month', now), 'none')).toBeUndefined();
  });

  it('compare days with as many days before', () => {
    const r = rangeOf('last_90_days', now);
    const before = comparedWith(r, 'previous')!;
    expect(before.to).toEqual(r.from);
    expect(before.to.getTime() - before.from.getTime()).toBe(r.to.getTime() - r.from.getTime());
  });
});
