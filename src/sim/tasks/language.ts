// Instructions in natural language: each task phrases its episode from templates whose slots ({verb}, {target},
// {goal}, ...) are filled with seeded choices among synonyms, so verbs, nouns and word order vary while the thing to
// ground (a colour, an item, a side, an object) is always named. Templates come in two sets: 'train' and 'heldout'
// (phrasings kept out of training to test generalisation).

/** Which set of templates an episode's instruction is drawn from. */
export type Phrasing = 'train' | 'heldout';

export interface Templates {
  train: readonly string[];
  heldout: readonly string[];
}

/** A slot's value: one word or phrase, or synonyms to choose among. */
export type Slot = string | readonly string[];

/** Shared synonyms (verbs, prepositions, polite openings) that task templates may use by name. */
export const LEXICON = {
  put: ['put', 'place', 'set', 'move', 'bring'],
  pick: ['pick up', 'grab', 'take', 'lift'],
  onto: ['on', 'onto', 'on top of'],
  into: ['in', 'into', 'inside'],
  please: ['', '', 'please ', 'kindly '],
} as const satisfies Record<string, readonly string[]>;

const pick = (rng: () => number, v: Slot): string => (typeof v === 'string' ? v : v[Math.floor(rng() * v.length)] ?? '');

/**
 * Fills one template chosen by `rng` from `templates`: every `{slot}` gets a value from `slots`, then LEXICON. Unknown
 * slots throw (a template typo must not reach a dataset). Whitespace is tidied and the first letter capitalised.
 */
export function phrase(rng: () => number, templates: readonly string[], slots: Record<string, Slot>): string {
  if (templates.length === 0) throw new Error('phrase: no templates to choose from');
  const t = templates[Math.floor(rng() * templates.length)]!;
  const out = t.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = slots[name] ?? (LEXICON as Record<string, Slot>)[name];
    if (v === undefined) throw new Error(`phrase: template "${t}" has slot {${name}} with no value`);
    return pick(rng, v);
  }).replace(/\s+/g, ' ').replace(/\s+([.,?!])/g, '$1').trim();
  return out.charAt(0).toUpperCase() + out.slice(1);
}

/** Every distinct template string of both sets, with its set (for listing and for held-out checks). */
export function allTemplates(t: Templates): { phrasing: Phrasing; template: string }[] {
  return [...t.train.map((template) => ({ phrasing: 'train' as const, template })), ...t.heldout.map((template) => ({ phrasing: 'heldout' as const, template }))];
}
