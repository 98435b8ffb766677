// Tests of the instruction corpus: collected from the tasks' own episodes, train and held-out kept apart.
import { describe, expect, it } from 'vitest';
import { TASKS } from '../../sim/tasks/registry.ts';
import { augmentCorpus, buildTokenizer, heldoutInstructions, taskInstructions } from './corpus.ts';
import { GROUNDING_WORDS } from './normalize.ts';

const COLOURS = ['red', 'green', 'blue', 'yellow', 'white', 'black', 'orange', 'purple', 'pink', 'brown'];

describe('instruction corpus', () => {
  it('collects train phrasings of every task, builds a tokenizer from them, and keeps held-out phrasings out', async () => {
    const train = await taskInstructions({ phrasing: 'train', seeds: 3, embodiments: ['kara6'] });
    expect(train.length).toBeGreaterThanOrEqual(TASKS.size * 2);
    expect(new Set(train).size).toBe(train.length);
    expect(train.filter((t) => COLOURS.some((c) => t.toLowerCase().includes(c))).length).toBeGreaterThan(train.length / 2);
    const held = await heldoutInstructions({ seeds: 3, embodiments: ['kara6'] });
    expect(held.length).toBeGreaterThanOrEqual(TASKS.size * 2);

    const { tokenizer, corpus } = await buildTokenizer({ seeds: 3, embodiments: ['kara6'], variants: 2 }, { vocabSize: 1024 });
    expect(corpus.instructions).toEqual(train);
    expect(corpus.augmented.length).toBeGreaterThan(0);
    expect(corpus.lexicon.length).toBeGreaterThan(5000);
    for (const h of held) expect(corpus.all).not.toContain(h);
    // held-out words need no vocabulary: byte fallback, exact round trip
    for (const h of held) expect(tokenizer.decode(tokenizer.encode(h))).toBe(tokenizer.normalize(h));
    const perWord = (set: string[]) => set.reduce((s, t) => s + tokenizer.encode(t).length - 2, 0) / set.reduce((s, t) => s + tokenizer.normalize(t).split(' ').length, 0);
    // (with only 3 seeds the word list outweighs the instructions; on the full corpus train words are ~1.00 token each)
    expect(perWord(train)).toBeLessThan(perWord(held));
    expect(perWord(held)).toBeLessThan(2.5);
  });

  it('augments with protected words intact, seeded', () => {
    const base = ['Put the red cup onto the tray.', 'Throw the charred onigiri into the reject bin.', 'Place the plate at the left seat.'];
    const a = augmentCorpus(base, { variants: 4, seed: 3, p: 1 });
    expect(a).toEqual(augmentCorpus(base, { variants: 4, seed: 3, p: 1 }));
    expect(a.length).toBeGreaterThan(0);
    const words = (t: string) => t.toLowerCase().split(/[^a-z]+/).filter((w) => GROUNDING_WORDS.includes(w)).sort();
    const bases = base.map(words).map((w) => w.join(' '));
    for (const v of a) expect(bases).toContain(words(v).join(' '));
  });

  it('rejects unknown tasks and bad seed ranges', async () => {
    await expect(taskInstructions({ phrasing: 'train', tasks: ['nope'] })).rejects.toThrow(/unknown task 'nope'/);
    await expect(taskInstructions({ phrasing: 'train', seeds: 0 })).rejects.toThrow(/seeds must be a positive integer/);
  });
});
