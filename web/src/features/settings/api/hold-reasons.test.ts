import { describe, expect, it } from 'vitest';
import { codeOf } from './hold-reasons';

describe('codeOf', () => {
  it('makes the stored key of a new hold reason from its name', () => {
    expect(codeOf('Awaiting biomedical engineer')).toBe('awaiting_biomedical_engineer');
    expect(codeOf('  Attente — pièce détachée! ')).toBe('attente_piece_detachee');
    expect(codeOf('3rd-party quote')).toBe('reason_3rd_party_quote');
    expect(codeOf('x'.repeat(60))).toHaveLength(40);
  });
});
