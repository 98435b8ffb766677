// Tests of the byte-level BPE tokenizer: round trips, unknown words, batches, save/load, bad files, determinism.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOS, EOS, PAD, Tokenizer } from './tokenizer.ts';

const COLOURS = ['red', 'green', 'blue', 'yellow', 'white', 'black'];
const CORPUS = COLOURS.flatMap((c, i) => [
  `Put the ${c} cup onto the tray.`, `Please place the ${c} mug on the tray.`, `Drop the ${c} bowl into the bus bin.`,
  `Set a plate at the ${i % 2 ? 'left' : 'right'} seat.`, `Pick up the ${c} pill bottle and hold it over the patient's hand.`,
]);
const tok = Tokenizer.train(CORPUS, { vocabSize: 400 });
const dir = mkdtempSync(join(tmpdir(), 'karakuri-tok-'));

describe('Tokenizer', () => {
  it('round-trips: decode(encode(x)) is the normalized x, with bos/eos around it', () => {
    for (const t of [...CORPUS, 'Could the purple cup be moved over to the tray?', '', '   ', 'Ｐｕｔ the RED cup… now!']) {
      const ids = tok.encode(t);
      expect(ids[0]).toBe(BOS);
      expect(ids.at(-1)).toBe(EOS);
      expect(tok.decode(ids)).toBe(tok.normalize(t));
    }
    expect(tok.decode(tok.encode('Put the red cup onto the tray.'))).toBe('put the red cup onto the tray');
    expect(tok.encode('', { specials: false })).toEqual([]);
  });

  it('learns whole words from the corpus: a known instruction is one token a word', () => {
    const ids = tok.encode('Put the red cup onto the tray.', { specials: false });
    expect(ids).toHaveLength(7);
    expect(ids.every((i) => i >= 3 + 256)).toBe(true);
  });

  it('splits unknown words (emoji, Japanese, made-up words) into several tokens and never throws', () => {
    for (const w of ['🍵', '🤖👍🏽', '東京タワー', 'zorblaxification', 'qwxvzt', 'Ω≈ç√∫']) {
      const ids = tok.encode(w, { specials: false });
      expect(ids.length, w).toBeGreaterThanOrEqual(2);
      expect(tok.decode(ids), w).toBe(tok.normalize(w));
    }
    const long = 'x'.repeat(5000) + ' ' + '\u0000\u0007\uffff\ud800';
    expect(() => tok.encode(long)).not.toThrow();
    expect(tok.encode(long).length).toBeGreaterThan(10);
  });

  it('encodeBatch pads, masks and truncates (keeping bos and eos)', () => {
    const texts = ['Put the red cup onto the tray.', 'blue', 'Pick up the green pill bottle and hold it over the patient hand please now'];
    const L = 9;
    const b = tok.encodeBatch(texts, L);
    expect(b.ids).toBeInstanceOf(BigInt64Array);
    expect(b.ids.length).toBe(3 * L);
    expect(b.mask.length).toBe(3 * L);
    const row = (r: number) => [...b.ids.slice(r * L, (r + 1) * L)].map(Number);
    const maskRow = (r: number) => [...b.mask.slice(r * L, (r + 1) * L)];
    expect(row(0)).toEqual(tok.encode(texts[0]!)); // 9 tokens exactly: bos + 7 words + eos
    expect(maskRow(0)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(row(1).slice(0, 3)).toEqual(tok.encode('blue'));
    expect(row(1).slice(3)).toEqual([PAD, PAD, PAD, PAD, PAD, PAD]);
    expect(maskRow(1)).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(row(2)[0]).toBe(BOS);
    expect(row(2)[L - 1]).toBe(EOS);
    expect(row(2).slice(1, L - 1)).toEqual(tok.encode(texts[2]!, { specials: false }).slice(0, L - 2));
    expect(b.lengths).toEqual([9, 3, 9]);
    expect(b.truncated).toBe(1);
    expect(tok.encodeBatch([], 4).ids.length).toBe(0);
    expect(() => tok.encodeBatch(['a'], 1)).toThrow(/maxTokens must be an integer >= 2/);
    expect(() => tok.encodeBatch(['a'], 2.5)).toThrow(/maxTokens/);
  });

  it('decode skips specials and rejects ids outside the vocabulary', () => {
    expect(tok.decode([BOS, ...tok.encode('red cup', { specials: false }), EOS, PAD, PAD])).toBe('red cup');
    expect(tok.decode(new BigInt64Array([BigInt(BOS), BigInt(EOS)]))).toBe('');
    expect(() => tok.decode([tok.vocabSize])).toThrow(/token id \d+ is outside the vocabulary/);
    expect(() => tok.decode([-1])).toThrow(/outside the vocabulary/);
  });

  it('saves and loads to identical encodings', () => {
    const path = join(dir, 'tokenizer.json');
    tok.save(path);
    const back = Tokenizer.load(path);
    expect(back.vocabSize).toBe(tok.vocabSize);
    expect(back.toJSON()).toEqual(tok.toJSON());
    const texts = [...CORPUS, 'Could the 🍵 be moved to 東京?', 'zorblax the mug'];
    expect(back.encodeBatch(texts, 16)).toEqual(tok.encodeBatch(texts, 16));
    expect(JSON.parse(readFileSync(path, 'utf8')).format).toBe('karakuri-bpe');
  });

  it('refuses corrupted or foreign files with a clear error', () => {
    const write = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
    const good = tok.toJSON();
    expect(() => Tokenizer.load(join(dir, 'missing.json'))).toThrow(/cannot read .*missing\.json/);
    expect(() => Tokenizer.load(write('trunc.json', JSON.stringify(good).slice(0, 200)))).toThrow(/trunc\.json is not valid JSON/);
    // a Hugging Face tokenizer.json
    expect(() => Tokenizer.load(write('hf.json', JSON.stringify({ version: '1.0', model: { type: 'BPE', vocab: {}, merges: [] } })))).toThrow(/hf\.json is not a Karakuri tokenizer file/);
    expect(() => Tokenizer.load(write('v2.json', JSON.stringify({ ...good, version: 2 })))).toThrow(/version 2 is not supported/);
    expect(() => Tokenizer.load(write('size.json', JSON.stringify({ ...good, vocabSize: good.vocabSize + 1 })))).toThrow(/vocabSize \d+ does not match/);
    const forward = structuredClone(good);
    forward.merges[0] = [good.vocabSize + 5, 3];
    expect(() => Tokenizer.fromJSON(forward)).toThrow(/merge 0 .* must join two earlier/);
    const edited = structuredClone(good);
    edited.pieces[3] = 'xx';
    expect(() => Tokenizer.fromJSON(edited)).toThrow(/piece 3 is "xx" but its merge makes/);
    expect(() => Tokenizer.fromJSON(null)).toThrow(/not a Karakuri tokenizer file/);
  });

  it('trains deterministically, whatever the corpus order', () => {
    const again = Tokenizer.train(CORPUS, { vocabSize: 400 });
    const shuffled = Tokenizer.train([...CORPUS].reverse().sort((a, b) => a.length - b.length), { vocabSize: 400 });
    expect(again.toJSON()).toEqual(tok.toJSON());
    expect(shuffled.toJSON().merges).toEqual(tok.toJSON().merges);
    const other = Tokenizer.train([...CORPUS, 'Throw the charred onigiri away.', 'Throw the charred onigiri away.'], { vocabSize: 400 });
    expect(other.toJSON().merges).not.toEqual(tok.toJSON().merges);
  });

  it('stops at vocabSize or when pairs get rare, and checks its options', () => {
    const small = Tokenizer.train(CORPUS, { vocabSize: 270 });
    expect(small.vocabSize).toBe(270);
    expect(tok.vocabSize).toBeLessThan(400); // ran out of pairs seen twice
    expect(small.decode(small.encode('the patient'))).toBe('the patient');
    expect(() => Tokenizer.train([], {})).toThrow(/corpus is empty/);
    expect(() => Tokenizer.train(CORPUS, { vocabSize: 10 })).toThrow(/bad options/);
  });
});
