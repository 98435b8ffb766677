// The instruction corpus: what the tasks actually say. Each task's env (cameras off) is reset over many seeds on
// every embodiment it is offered on and `observation.instruction` collected, so the templates come expanded with
// the very slot values their episode hooks draw (colours, items, compartments, synonyms). 'train' phrasings (plus
// WordNet synonym variants from augment.ts) make the tokenizer's training corpus; 'heldout' phrasings are for
// evaluation only and are kept out of tokenizer training (byte fallback covers their new words). A general word list
// (WordNet's verb lemmas) gives the tokenizer sub-words for words no task uses.
import { createTaskEnv, TASKS } from '../../sim/tasks/registry.ts';
import type { Phrasing } from '../../sim/tasks/language.ts';
import { seededRandom } from '../../sim/random.ts';
import { augmentInstruction } from './augment.ts';
import { lemmas } from './wordnet.ts';
import { Tokenizer, type TrainOptions } from './tokenizer.ts';

export interface CollectOptions {
  phrasing: Phrasing;
  /** Seeds 0..seeds-1 per task and embodiment (default 100). */
  seeds?: number;
  /** First seed (default 0). */
  seedStart?: number;
  /** Task ids (default all nine). */
  tasks?: readonly string[];
  /** Embodiments (default each task's own list). */
  embodiments?: readonly string[];
}

/** Distinct instructions of the tasks' episodes, in order of first appearance (task, embodiment, seed). */
export async function taskInstructions(o: CollectOptions): Promise<string[]> {
  const seeds = o.seeds ?? 100, start = o.seedStart ?? 0;
  if (!(Number.isInteger(seeds) && seeds > 0 && Number.isInteger(start) && start >= 0)) throw new RangeError(`taskInstructions: seeds must be a positive integer and seedStart >= 0, got ${seeds} and ${start}`);
  const out = new Set<string>();
  for (const id of o.tasks ?? [...TASKS.keys()]) {
    const def = TASKS.get(id);
    if (!def) throw new Error(`taskInstructions: unknown task '${id}' (known: ${[...TASKS.keys()].join(', ')})`);
    for (const e of o.embodiments ? def.embodiments.filter((x) => o.embodiments!.includes(x)) : def.embodiments) {
      const { env } = await createTaskEnv(id, { embodiment: e, width: 0, height: 0, phrasing: o.phrasing });
      try {
        for (let s = start; s < start + seeds; s++) out.add(env.reset(s).observation.instruction);
      } finally {
        env.dispose();
      }
    }
  }
  return [...out];
}

export interface CorpusOptions extends Omit<CollectOptions, 'phrasing'> {
  /** Synonym variants per instruction (default 2); 0: none. */
  variants?: number;
  /** Replacement probability of augmentInstruction (default 0.5). */
  p?: number;
  /** Seed of the augmentation (default 0). */
  seed?: number;
  /** Add WordNet's one-word verb lemmas (~8.4k) as a general English word list (default true): the tokenizer then
   *  learns sub-words that unseen words split into, instead of single bytes (held-out phrasings: ~1.3 -> ~1.2 tokens a word). */
  lexicon?: boolean;
}

export interface Corpus {
  /** Train-phrasing instructions as the tasks say them. */
  instructions: string[];
  /** Distinct synonym variants that differ from every instruction. */
  augmented: string[];
  /** General English words (WordNet verb lemmas) or []. */
  lexicon: string[];
  /** instructions + augmented + lexicon: the tokenizer's training corpus. */
  all: string[];
}

/** Synonym variants of instructions, seeded per instruction index (so adding instructions leaves earlier ones' variants alone). */
export function augmentCorpus(instructions: readonly string[], o: { variants?: number; p?: number; seed?: number; protect?: readonly string[] } = {}): string[] {
  const have = new Set(instructions);
  const out = new Set<string>();
  instructions.forEach((t, i) => {
    const rng = seededRandom(((o.seed ?? 0) * 1_000_003 + i) >>> 0);
    for (let v = 0; v < (o.variants ?? 2); v++) {
      const a = augmentInstruction(t, rng, { p: o.p, protect: o.protect });
      if (!have.has(a)) out.add(a);
    }
  });
  return [...out];
}

/** The training corpus: every task's train phrasings, plus synonym variants. */
export async function instructionCorpus(o: CorpusOptions = {}): Promise<Corpus> {
  const instructions = await taskInstructions({ ...o, phrasing: 'train' });
  const augmented = augmentCorpus(instructions, o);
  const lexicon = o.lexicon === false ? [] : lemmas('v');
  return { instructions, augmented, lexicon, all: [...instructions, ...augmented, ...lexicon] };
}

/** Held-out phrasings, for evaluation only (never train a tokenizer on these). Seeds from 1000 by default. */
export function heldoutInstructions(o: Omit<CollectOptions, 'phrasing'> = {}): Promise<string[]> {
  return taskInstructions({ seedStart: 1000, ...o, phrasing: 'heldout' });
}

/** The project's tokenizer: trained on instructionCorpus(corpus) with `train` options. */
export async function buildTokenizer(corpus: CorpusOptions = {}, train: TrainOptions = {}): Promise<{ tokenizer: Tokenizer; corpus: Corpus }> {
  const c = await instructionCorpus(corpus);
  return { tokenizer: Tokenizer.train(c.all, train), corpus: c };
}
