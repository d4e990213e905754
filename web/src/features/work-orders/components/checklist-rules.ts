import type { Schemas } from '@/lib/api/client';

type Item = Schemas['ItemDto'];
type Answer = Schemas['AnswerDto'];

/** How an answer comes out, as the server judges it (shown while offline too). */
export function judge(item: Item, a: Answer | undefined): 'pass' | 'fail' | 'na' | 'recorded' | null {
  if (!a) return null;
  switch (item.kind) {
    case 'pass_fail':
      return a.result === 'pass' ? 'pass' : a.result === 'fail' ? 'fail' : a.result === 'na' ? 'na' : null;
    case 'number': {
      if (a.value == null || !Number.isFinite(a.value)) return null;
      const low = item.min != null && a.value < item.min;
      const high = item.max != null && a.value > item.max;
      return low || high ? 'fail' : 'pass';
    }
    case 'text':
      return a.text?.trim() ? 'recorded' : null;
    default:
      return a.attachmentId ? 'recorded' : null;
  }
}

/** Required items without a valid answer, in order. */
export function missingItems(items: Item[], answers: Answer[]): string[] {
  return items
    .filter(
      (i) =>
        i.required &&
        judge(
          i,
          answers.find((a) => a.key === i.key),
        ) === null,
    )
    .map((i) => i.key);
}
