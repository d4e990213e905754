import { describe, expect, it } from 'vitest';
import { judge, missingItems } from './checklist-rules';

const earth = { key: 'earth', label: 'Earth', kind: 'number' as const, required: true, allowNa: false, unit: 'Ω', max: 0.3 };
const visual = { key: 'visual', label: 'Visual', kind: 'pass_fail' as const, required: true, allowNa: false };
const notes = { key: 'notes', label: 'Notes', kind: 'text' as const, required: false, allowNa: false };

describe('checklist rules (as the server judges them)', () => {
  it('fails a number outside its range and passes one on the bound', () => {
    expect(judge(earth, { key: 'earth', value: 0.3 })).toBe('pass');
    expect(judge(earth, { key: 'earth', value: 0.31 })).toBe('fail');
    expect(judge(earth, { key: 'earth', value: null })).toBeNull();
  });

  it('lists required items still to answer, in order', () => {
    const items = [visual, earth, notes];
    expect(missingItems(items, [])).toEqual(['visual', 'earth']);
    expect(missingItems(items, [{ key: 'earth', value: 0.1 }])).toEqual(['visual']);
    expect(
      missingItems(items, [
        { key: 'earth', value: 0.1 },
        { key: 'visual', result: 'fail' },
      ]),
    ).toEqual([]);
  });
});
