/** Report periods in the reader's local time (the hospital's), as [from, to) instants. */

export const PERIODS = ['this_month', 'last_month', 'last_90_days', 'this_year', 'last_12_months'] as const;
export type Period = (typeof PERIODS)[number];

export const COMPARISONS = ['previous', 'last_year', 'none'] as const;
export type Comparison = (typeof COMPARISONS)[number];

export interface Range {
  from: Date;
  to: Date;
}

/** The period `p` as it stands at `now`. */
export function rangeOf(p: Period, now: Date = new Date()): Range {
  const y = now.getFullYear();
  const m = now.getMonth();
  const day = (yy: number, mm: number, dd = 1) => new Date(yy, mm, dd);
  switch (p) {
    case 'this_month':
      return { from: day(y, m), to: day(y, m + 1) };
    case 'last_month':
      return { from: day(y, m - 1), to: day(y, m) };
    case 'last_90_days': {
      const tomorrow = day(y, m, now.getDate() + 1);
      return { from: day(y, m, now.getDate() - 89), to: tomorrow };
    }
    case 'this_year':
      return { from: day(y, 0), to: day(y + 1, 0) };
    case 'last_12_months':
      return { from: day(y, m - 11), to: day(y, m + 1) };
  }
}

/** The period to compare `r` with: the one just before it, of the same calendar length, or the
 * same dates a year earlier. */
export function comparedWith(r: Range, c: Comparison): Range | undefined {
  const shift = (d: Date, months: number) => new Date(d.getFullYear(), d.getMonth() + months, d.getDate());
  const months = monthsBetween(r);
  switch (c) {
    case 'none':
      return undefined;
    case 'last_year':
      return { from: shift(r.from, -12), to: shift(r.to, -12) };
    case 'previous':
      if (months !== undefined) return { from: shift(r.from, -months), to: r.from };
      return { from: new Date(r.from.getTime() - (r.to.getTime() - r.from.getTime())), to: r.from };
  }
}

/** Whole calendar months between the ends, when both fall on the first of a month. */
function monthsBetween(r: Range): number | undefined {
  if (r.from.getDate() !== 1 || r.to.getDate() !== 1) return undefined;
  return (r.to.getFullYear() - r.from.getFullYear()) * 12 + r.to.getMonth() - r.from.getMonth();
}
