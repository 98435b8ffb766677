// Karakuri's instruction tokenizer: byte-level BPE trained in the project on the instruction corpus (corpus.ts).
// Text is normalized first (normalize.ts), split into words at spaces, and each word (with its leading space, as in
// GPT-2) starts as UTF-8 bytes: 256 byte tokens make every string encodable, so unknown words, emoji or other
// scripts never fail and never collapse to one token; learned merges join frequent byte pairs into sub-words and
// words. Ids: 0 = pad, 1 = bos, 2 = eos, 3..258 = bytes 0..255, then merges in the order learned. Training is
// deterministic (ties between equally frequent pairs go to the lowest ids), independent of the corpus order.
// Saved as versioned JSON (format 'karakuri-bpe', version 1), validated with zod and checked for consistency on load.
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { GROUNDING_WORDS, normalizeInstruction } from './normalize.ts';

export const PAD = 0;
export const BOS = 1;
export const EOS = 2;
const BYTE0 = 3; // id of byte 0
const BASE = BYTE0 + 256; // id of the first merge
export const TOKENIZER_FORMAT = 'karakuri-bpe';
export const TOKENIZER_VERSION = 1;

export const TrainOptions = z.strictObject({
  /** Vocabulary size to reach (specials + 256 bytes + merges); training stops earlier when pairs get rare. */
  vocabSize: z.number().int().min(BASE).max(65_536).default(1024),
  /** A pair is merged only if it occurs at least this often (counting word frequencies). */
  minFrequency: z.number().int().min(1).default(2),
  /** Words the normalizer keeps whole (default GROUNDING_WORDS); saved with the vocabulary. */
  protect: z.array(z.string()).optional(),
});
export type TrainOptions = z.input<typeof TrainOptions>;

const Id = z.number().int().nonnegative();
export const TokenizerFile = z.strictObject({
  format: z.literal(TOKENIZER_FORMAT),
  version: z.literal(TOKENIZER_VERSION),
  normalizer: z.strictObject({ kind: z.literal('karakuri-instruction'), stemmer: z.literal('porter2'), protect: z.array(z.string()) }),
  specials: z.strictObject({ pad: z.literal(PAD), bos: z.literal(BOS), eos: z.literal(EOS) }),
  byteOffset: z.literal(BYTE0),
  vocabSize: z.number().int().min(BASE),
  /** merges[i] = [left, right]: token BASE + i is their concatenation. */
  merges: z.array(z.tuple([Id, Id])),
  /** Each merged token's text (UTF-8, invalid bytes as \xNN): for people reading the file; checked on load. */
  pieces: z.array(z.string()),
  training: z.strictObject({ instructions: z.number().int().nonnegative(), words: z.number().int().nonnegative(), corpusSha256: z.string().regex(/^[0-9a-f]{64}$/), minFrequency: z.number().int().min(1) }),
});
export type TokenizerFile = z.infer<typeof TokenizerFile>;

export interface EncodedBatch {
  /** [B * maxTokens] row-major int64 ids, PAD after each sequence. */
  ids: BigInt64Array;
  /** [B * maxTokens] 1 = real token (bos, text, eos), 0 = padding. */
  mask: Uint8Array;
  /** Real tokens per row (<= maxTokens). */
  lengths: number[];
  /** Rows that were cut to fit maxTokens. */
  truncated: number;
}

const pairKey = (a: number, b: number) => a * 65_536 + b;
const MAX_CACHE = 50_000;

export class Tokenizer {
  private readonly bytesOf: Uint8Array[] = []; // token id -> its bytes (empty for specials)
  private readonly rank = new Map<number, number>(); // pairKey -> merge index
  private readonly cache = new Map<string, number[]>();
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  private constructor(private readonly file: TokenizerFile) {
    for (let i = 0; i < BYTE0; i++) this.bytesOf.push(new Uint8Array(0));
    for (let b = 0; b < 256; b++) this.bytesOf.push(Uint8Array.of(b));
    file.merges.forEach(([a, b], i) => {
      const id = BASE + i;
      if (a < BYTE0 || b < BYTE0 || a >= id || b >= id) throw new Error(`tokenizer: merge ${i} ([${a}, ${b}]) must join two earlier non-special tokens (ids ${BYTE0}..${id - 1})`);
      const key = pairKey(a, b);
      if (this.rank.has(key)) throw new Error(`tokenizer: merge ${i} ([${a}, ${b}]) repeats merge ${this.rank.get(key)}`);
      this.rank.set(key, i);
      this.bytesOf.push(concat(this.bytesOf[a]!, this.bytesOf[b]!));
    });
    if (file.vocabSize !== BASE + file.merges.length) throw new Error(`tokenizer: vocabSize ${file.vocabSize} does not match ${file.merges.length} merges (expected ${BASE + file.merges.length})`);
    if (file.pieces.length !== file.merges.length) throw new Error(`tokenizer: ${file.pieces.length} pieces for ${file.merges.length} merges`);
    file.pieces.forEach((p, i) => {
      const want = this.piece(BASE + i);
      if (p !== want) throw new Error(`tokenizer: piece ${i} is ${JSON.stringify(p)} but its merge makes ${JSON.stringify(want)} (the file was edited or corrupted)`);
    });
  }

  /** Learns merges from a corpus of raw instructions (normalized here). Deterministic: same corpus (any order), same vocabulary. */
  static train(corpus: readonly string[], opts: TrainOptions = {}): Tokenizer {
    const parsed = TrainOptions.safeParse(opts);
    if (!parsed.success) throw new Error(`Tokenizer.train: bad options: ${z.prettifyError(parsed.error)}`);
    const o = parsed.data;
    const protect = o.protect ?? [...GROUNDING_WORDS];
    if (corpus.length === 0) throw new Error('Tokenizer.train: the corpus is empty');
    const normalized = corpus.map((t) => normalizeInstruction(t, { protect }));
    const freq = new Map<string, number>();
    for (const t of normalized) for (const w of t.split(' ')) if (w) freq.set(w, (freq.get(w) ?? 0) + 1);
    const enc = new TextEncoder();
    const words = [...freq.keys()].sort().map((w) => ({ ids: [...enc.encode(' ' + w)].map((b) => b + BYTE0), n: freq.get(w)! }));
    const merges: [number, number][] = [];
    while (BASE + merges.length < o.vocabSize) {
      const counts = new Map<number, number>();
      for (const { ids, n } of words) for (let i = 0; i + 1 < ids.length; i++) { const k = pairKey(ids[i]!, ids[i + 1]!); counts.set(k, (counts.get(k) ?? 0) + n); }
      let best = -1, bestN = 0;
      for (const [k, n] of counts) if (n > bestN || (n === bestN && k < best)) { best = k; bestN = n; }
      if (best < 0 || bestN < o.minFrequency) break;
      const a = Math.floor(best / 65_536), b = best % 65_536, id = BASE + merges.length;
      merges.push([a, b]);
      for (const w of words) w.ids = mergePair(w.ids, a, b, id);
    }
    const sha = createHash('sha256').update([...normalized].sort().join('\n')).digest('hex');
    return new Tokenizer(withPieces(protect, merges, corpus.length, freq.size, sha, o.minFrequency));
  }

  /** A tokenizer from its JSON form (validated: a foreign or corrupted object throws, naming the problem). */
  static fromJSON(json: unknown, where = 'tokenizer'): Tokenizer {
    if (typeof json === 'object' && json !== null && 'format' in json && (json as { format: unknown }).format === TOKENIZER_FORMAT && 'version' in json && (json as { version: unknown }).version !== TOKENIZER_VERSION) {
      throw new Error(`${where}: tokenizer format version ${String((json as { version: unknown }).version)} is not supported (this build reads version ${TOKENIZER_VERSION})`);
    }
    const r = TokenizerFile.safeParse(json);
    if (!r.success) throw new Error(`${where} is not a Karakuri tokenizer file (format '${TOKENIZER_FORMAT}' v${TOKENIZER_VERSION}):\n${z.prettifyError(r.error)}`);
    try {
      return new Tokenizer(r.data);
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}`);
    }
  }
  toJSON(): TokenizerFile {
    return structuredClone(this.file);
  }
  static load(path: string): Tokenizer {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`Tokenizer.load: cannot read ${path}: ${(e as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new Error(`Tokenizer.load: ${path} is not valid JSON (${(e as Error).message})`);
    }
    return Tokenizer.fromJSON(json, `Tokenizer.load: ${path}`);
  }
  save(path: string): void {
    const f = this.file;
    // one merge per line keeps the file readable and diffable
    const body = JSON.stringify({ ...f, merges: '@M', pieces: '@P' }, null, 2)
      .replace('"@M"', `[\n${f.merges.map((m) => `    [${m[0]}, ${m[1]}]`).join(',\n')}\n  ]`)
      .replace('"@P"', `[\n${f.pieces.map((p) => `    ${JSON.stringify(p)}`).join(',\n')}\n  ]`);
    writeFileSync(path, body + '\n');
  }

  get vocabSize(): number {
    return this.file.vocabSize;
  }
  /** The words the normalizer keeps whole. */
  get protectedWords(): readonly string[] {
    return this.file.normalizer.protect;
  }
  /** The text the tokenizer sees for an instruction (what decode(encode(text)) gives back). */
  normalize(text: string): string {
    return normalizeInstruction(text, { protect: this.file.normalizer.protect });
  }

  /** Token ids of one instruction: [bos, ...text, eos] (specials: false leaves them out). Never throws on text. */
  encode(text: string, opts: { specials?: boolean } = {}): number[] {
    const out: number[] = opts.specials === false ? [] : [BOS];
    const norm = this.normalize(text);
    if (norm.length) for (const w of norm.split(' ')) out.push(...this.encodeWord(w));
    if (opts.specials !== false) out.push(EOS);
    return out;
  }

  /**
   * A padded batch, row-major [B, maxTokens]: each row [bos, ...text, eos, pad...]; a row too long keeps bos, the
   * first maxTokens - 2 text tokens and eos. mask is 1 on real tokens.
   */
  encodeBatch(texts: readonly string[], maxTokens: number): EncodedBatch {
    if (!Number.isInteger(maxTokens) || maxTokens < 2) throw new RangeError(`encodeBatch: maxTokens must be an integer >= 2 (room for bos and eos), got ${maxTokens}`);
    const B = texts.length;
    const ids = new BigInt64Array(B * maxTokens); // PAD = 0
    const mask = new Uint8Array(B * maxTokens);
    const lengths: number[] = [];
    let truncated = 0;
    texts.forEach((t, r) => {
      let seq = this.encode(t);
      if (seq.length > maxTokens) {
        seq = [...seq.slice(0, maxTokens - 1), EOS];
        truncated++;
      }
      for (let i = 0; i < seq.length; i++) {
        ids[r * maxTokens + i] = BigInt(seq[i]!);
        mask[r * maxTokens + i] = 1;
      }
      lengths.push(seq.length);
    });
    return { ids, mask, lengths, truncated };
  }

  /** The text of token ids (specials skipped; bigint ids welcome). Ids outside the vocabulary throw. */
  decode(ids: ArrayLike<number | bigint>): string {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = Number(ids[i]);
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) throw new RangeError(`decode: token id ${String(ids[i])} is outside the vocabulary (0..${this.vocabSize - 1})`);
      parts.push(this.bytesOf[id]!);
    }
    const s = this.decoder.decode(concat(...parts));
    return s.startsWith(' ') ? s.slice(1) : s;
  }

  /** A token's text (UTF-8 of its bytes, invalid bytes as \xNN; specials as <pad> <bos> <eos>). */
  piece(id: number): string {
    if (id === PAD) return '<pad>';
    if (id === BOS) return '<bos>';
    if (id === EOS) return '<eos>';
    return bytesToText(this.bytesOf[id]!);
  }

  private encodeWord(w: string): number[] {
    const have = this.cache.get(w);
    if (have) return have;
    let ids = [...new TextEncoder().encode(' ' + w)].map((b) => b + BYTE0);
    for (;;) {
      let bestRank = Infinity, at = -1;
      for (let i = 0; i + 1 < ids.length; i++) {
        const r = this.rank.get(pairKey(ids[i]!, ids[i + 1]!));
        if (r !== undefined && r < bestRank) { bestRank = r; at = i; }
      }
      if (at < 0) break;
      const [a, b] = this.file.merges[bestRank]!;
      ids = mergePair(ids, a, b, BASE + bestRank);
    }
    if (this.cache.size >= MAX_CACHE) this.cache.clear();
    this.cache.set(w, ids);
    return ids;
  }
}

function mergePair(ids: number[], a: number, b: number, id: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) { out.push(id); i++; } else out.push(ids[i]!);
  }
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** UTF-8 text of bytes, each byte of an invalid sequence written as \xNN (so a piece names its bytes exactly). */
function bytesToText(bytes: Uint8Array): string {
  const strict = new TextDecoder('utf-8', { fatal: true });
  try {
    return strict.decode(bytes);
  } catch {
    return [...bytes].map((b) => (b < 0x80 ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
  }
}

function withPieces(protect: string[], merges: [number, number][], instructions: number, words: number, sha: string, minFrequency: number): TokenizerFile {
  const bytes: Uint8Array[] = [];
  for (let i = 0; i < BYTE0; i++) bytes.push(new Uint8Array(0));
  for (let b = 0; b < 256; b++) bytes.push(Uint8Array.of(b));
  for (const [a, b] of merges) bytes.push(concat(bytes[a]!, bytes[b]!));
  return {
    format: TOKENIZER_FORMAT, version: TOKENIZER_VERSION,
    normalizer: { kind: 'karakuri-instruction', stemmer: 'porter2', protect },
    specials: { pad: PAD, bos: BOS, eos: EOS }, byteOffset: BYTE0, vocabSize: BASE + merges.length, merges,
    pieces: merges.map((_, i) => bytesToText(bytes[BASE + i]!)),
    training: { instructions, words, corpusSha256: sha, minFrequency },
  };
}
