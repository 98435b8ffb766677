// Instruction normalization, applied to every instruction before tokenization (training and inference alike):
// Unicode NFKC, lower case, punctuation to spaces, word forms reduced by the Porter2 stemmer (npm
// `wink-porter2-stemmer`: "placed"/"placing" -> "place", "cups" -> "cup"). The words a task grounds on (colours, food
// items, objects, sides) are protected: kept whole, and their inflected forms map back to them ("oranges" ->
// "orange", "cups" -> "cup"), so "left" and "right", "orange" and "red" stay distinct words after normalization.
// Words that are not plain a-z (numbers, other scripts, emoji) are kept as they are.
import stem from 'wink-porter2-stemmer';

/** The grounding words of Karakuri's nine tasks (src/sim/tasks/*): colours, sides, objects, food items, defects. */
export const GROUNDING_WORDS: readonly string[] = [
  // colours (src/sim/tasks/randomize.ts COLOURS)
  'red', 'green', 'blue', 'yellow', 'white', 'black', 'orange', 'purple', 'pink', 'brown',
  // sides and places
  'left', 'right', 'front', 'back', 'rear', 'near', 'far', 'center', 'middle',
  // restaurant
  'cup', 'mug', 'bowl', 'plate', 'dish', 'tray', 'bin', 'tub', 'bus', 'seat', 'placemat', 'soup', 'cereal',
  // food factory
  'bento', 'box', 'compartment', 'section', 'slot', 'conveyor', 'belt', 'line', 'onigiri', 'rice', 'ball',
  'tamagoyaki', 'rolled', 'omelette', 'egg', 'roll', 'karaage', 'fried', 'chicken', 'salmon', 'sushi', 'nigiri',
  'tuna', 'cherry', 'tomato', 'maki', 'shumai', 'dumpling', 'burnt', 'charred', 'overcooked', 'defective', 'bad',
  // care
  'pill', 'bottle', 'container', 'drinking', 'medicine', 'table', 'bedside', 'nightstand', 'cabinet', 'bed', 'night',
  'button', 'nurse', 'call', 'light', 'switch', 'hand', 'palm',
];

/** Spelling variants folded into one form before anything else. */
const SPELLINGS: Readonly<Record<string, string>> = { centre: 'center', colour: 'color', grey: 'gray', omelet: 'omelette' };

export interface NormalizeOptions {
  /** Words kept whole (lower case); default GROUNDING_WORDS. */
  protect?: readonly string[];
}

/** Per protected list: the set, and stem -> protected word (a protected word equal to its stem wins a tie). */
interface Protection {
  words: ReadonlySet<string>;
  byStem: ReadonlyMap<string, string>;
}
const protections = new Map<string, Protection>();
const stems = new Map<string, string>();
const MAX_CACHE = 50_000;

/** Porter2, repeated to a fixed point so that normalizing twice changes nothing ("pleased" -> "pleas" -> "plea"). */
export function stemWord(word: string): string {
  const have = stems.get(word);
  if (have !== undefined) return have;
  let s = word;
  for (let i = 0; i < 8; i++) {
    const t = stem(s);
    if (t === s || t.length === 0) break;
    s = t;
  }
  if (stems.size >= MAX_CACHE) stems.clear();
  stems.set(word, s);
  return s;
}

function protection(list: readonly string[]): Protection {
  const key = list.join('\u0000');
  const have = protections.get(key);
  if (have) return have;
  const words = new Set<string>();
  for (const w of list) {
    const v = w.toLowerCase();
    if (!/^[a-z][a-z']*$/.test(v)) throw new Error(`normalizeInstruction: a protected word must be one lower-case a-z word, got '${w}'`);
    words.add(SPELLINGS[v] ?? v);
  }
  const byStem = new Map<string, string>();
  for (const w of [...words].sort()) {
    const s = stemWord(w);
    const prev = byStem.get(s);
    if (prev === undefined || (w === s && prev !== s)) byStem.set(s, w);
  }
  const p = { words, byStem };
  protections.set(key, p);
  return p;
}

/** One word (lower case, no punctuation but apostrophes) in its normalized form. */
function normalizeWord(raw: string, p: Protection): string {
  const w = raw.replace(/^'+|'+$/g, '');
  if (w.length === 0) return '';
  const v = SPELLINGS[w] ?? w;
  if (!/^[a-z][a-z']*$/.test(v)) return v; // numbers, other scripts, emoji: as they are
  if (p.words.has(v)) return v;
  const s = stemWord(v);
  return p.byStem.get(s) ?? s;
}

/**
 * The normalized form of an instruction: words separated by single spaces, nothing else. Deterministic and
 * idempotent (normalizing a normalized instruction returns it unchanged).
 */
export function normalizeInstruction(text: string, opts: NormalizeOptions = {}): string {
  if (typeof text !== 'string') throw new TypeError(`normalizeInstruction: expected a string, got ${typeof text}`);
  const p = protection(opts.protect ?? GROUNDING_WORDS);
  const cleaned = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc\u0060\u00b4]/g, "'") // curly and other apostrophes
    .replace(/\p{Cf}/gu, '') // zero-width and other format characters
    .replace(/[\p{P}\p{Cc}\p{Z}]/gu, (c) => (c === "'" ? c : ' ')); // punctuation, controls, separators -> space
  const out: string[] = [];
  for (const raw of cleaned.split(/\s+/)) {
    const w = raw.length ? normalizeWord(raw, p) : '';
    if (w.length) out.push(w);
  }
  return out.join(' ');
}
