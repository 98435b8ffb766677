// Tests of instruction normalization: forms folded, grounding words kept distinct, odd input handled.
import { describe, expect, it } from 'vitest';
import { COLOURS } from '../../sim/tasks/randomize.ts';
import { GROUNDING_WORDS, normalizeInstruction as n } from './normalize.ts';

describe('normalizeInstruction', () => {
  it('lower-cases, applies NFKC, turns punctuation into spaces and folds word forms', () => {
    expect(n('Put the RED cup onto the tray.')).toBe('put the red cup onto the tray');
    expect(n('Ｐｕｔ　the ｒｅｄ cup…')).toBe('put the red cup');
    expect(n('Could the green cup be placed on the nightstand?')).toBe('could the green cup be place on the nightstand');
    expect(n('placing')).toBe(n('placed'));
    expect(n('moving the cups')).toBe(n('move the cup'));
    expect(n('Call the nurse with the nurse-call button')).toBe('call the nurse with the nurse call button');
    expect(n("the patient's hand")).toBe('the patient hand');
    expect(n('  \t\n ')).toBe('');
  });

  it('keeps grounding words whole and distinct; their inflections map back to them', () => {
    const forms = GROUNDING_WORDS.map((w) => n(w));
    expect(new Set(forms).size).toBe(GROUNDING_WORDS.length);
    expect(forms).toEqual(GROUNDING_WORDS);
    for (const c of Object.keys(COLOURS)) expect(GROUNDING_WORDS).toContain(c);
    expect(n('left')).not.toBe(n('right'));
    expect(n('left')).not.toBe(n('leave'));
    expect(n('front')).not.toBe(n('back'));
    expect(n('reds')).toBe('red');
    expect(n('Oranges')).toBe('orange');
    expect(n('cups and mugs')).toBe('cup and mug');
    expect(n('the centre')).toBe('the center');
    expect(n('the rolled omelette roll')).toBe('the rolled omelette roll');
  });

  it('keeps words of other scripts, numbers and emoji as they are', () => {
    expect(n('the 🍵 and 東京 2 cups')).toBe('the 🍵 and 東京 2 cup');
  });

  it('is idempotent', () => {
    for (const t of ['Kindly place the blue mug on top of the night table.', 'The resident asked for the purple mug: hold it out over their hand.', 'pleased goes']) {
      expect(n(n(t))).toBe(n(t));
    }
  });

  it('takes a protected list and checks it', () => {
    expect(n('the lefts', { protect: [] })).toBe('the left');
    expect(n('the leaving', { protect: ['leaving'] })).toBe('the leaving');
    expect(() => n('x', { protect: ['two words'] })).toThrow(/protected word must be one lower-case a-z word/);
    expect(() => n(42 as unknown as string)).toThrow(/expected a string/);
  });
});
