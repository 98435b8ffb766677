// Fuzzing the running server: a few thousand malformed messages (random bytes, byte-mutated and truncated valid
// messages, valid messages with a key deleted or replaced by a random value) from concurrent clients, each answered
// with either a well-formed result or a text frame + close 1011, while a good client gets the correct answer every
// time; afterwards the server still serves a new client and /healthz.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as torch from '../../torch/index.ts';
import { ndarray, packMessage, unpackMessage, type NdArray } from '../protocol/ndarray.ts';
import { startPolicyServer, type PolicyServer } from './server.ts';
import { connect, type TestConn } from './test-ws.ts';
import { karakuriMessage, writeTestModel } from './test-model.ts';

const { dir, cfg } = writeTestModel();
let server: PolicyServer;
let tensorsAtStart = 0;
beforeAll(async () => {
  server = await startPolicyServer({ model: dir, port: 0, host: '127.0.0.1', maxWaitMs: 1 });
  // warm up (the model builds some tensors lazily on its first forward), then count what is alive with no connection
  const c = await connect(server.port);
  await c.next();
  c.send(packMessage(karakuriMessage(cfg)));
  await c.next();
  c.close();
  await c.closed;
  for (let i = 0; i < 50 && server.stats().connections > 0; i++) await new Promise((r) => setTimeout(r, 10));
  tensorsAtStart = torch.liveTensors().tensors;
});
afterAll(async () => { await server.close(); });

const TOTAL = 2000, WORKERS = 4;
const valid = packMessage(karakuriMessage(cfg));
const keys = Object.keys(karakuriMessage(cfg));
const randomValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.float32Array({ maxLength: 40 }).map((a) => ndarray(a)),
  fc.tuple(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 4 }), fc.constantFrom('|u1', '<f4', '<f8', '<i8')).map(([shape, dtype]) => {
    const n = shape.reduce((p, d) => p * d, 1);
    const data = dtype === '|u1' ? new Uint8Array(n) : dtype === '<f4' ? new Float32Array(n).fill(0.5) : dtype === '<f8' ? new Float64Array(n).fill(NaN) : new BigInt64Array(n);
    return ndarray(data, shape);
  }),
);
const malformed: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.tuple(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.nat(valid.length)).map(([edits, cut]) => {
    const b = valid.slice(0, Math.max(1, cut));
    for (const [i, v] of edits) if (i < b.length) b[i] = v;
    return b;
  }),
  fc.tuple(fc.constantFrom(...keys), fc.boolean(), randomValue).map(([k, del, v]) => {
    const m = karakuriMessage(cfg);
    if (del) delete m[k]; else m[k] = v;
    return packMessage(m);
  }),
);

const steadyOf = (r: unknown) => Array.from(((r as { actions: NdArray }).actions.data as Float32Array));

describe('fuzz', () => {
  it(`${TOTAL} malformed messages from ${WORKERS} clients: each gets a result or a text frame + 1011; a good client is answered correctly throughout`, async () => {
    const good = await connect(server.port);
    await good.next();
    const ask = async () => { good.send(valid); const f = await good.next(); expect(f.binary).toBe(true); return steadyOf(unpackMessage(f.data)); };
    await ask();
    const steady = await ask();
    let goodAnswers = 0, stop = false;
    const goodLoop = (async () => {
      while (!stop) {
        const a = await ask();
        expect(Math.max(...a.map((v, i) => Math.abs(v - steady[i]!)))).toBeLessThan(1e-5);
        goodAnswers++;
        await new Promise((r) => setTimeout(r, 10));
      }
    })();

    const messages = fc.sample(malformed, { numRuns: TOTAL, seed: 7 });
    let results = 0, errors = 0;
    const worker = async (mine: Uint8Array[]) => {
      let c: TestConn | null = null;
      for (const m of mine) {
        if (!c) { c = await connect(server.port); await c.next(); }
        c.send(m);
        const f = await c.next();
        if (f.binary) {
          const r = unpackMessage(f.data) as { actions: NdArray };
          expect(r.actions.shape).toEqual([10, 7]);
          results++;
        } else {
          expect(f.data.toString()).toMatch(/^Error in the policy server: /);
          expect((await c.closed).code).toBe(1011);
          errors++;
          c = null;
        }
      }
      c?.close();
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(messages.filter((_, i) => i % WORKERS === w))));
    stop = true;
    await goodLoop;
    console.log(`fuzz: ${TOTAL} messages -> ${results} results, ${errors} errors; good client answered ${goodAnswers} times`);
    expect(results + errors).toBe(TOTAL);
    expect(errors).toBeGreaterThan(TOTAL / 3);
    expect(goodAnswers).toBeGreaterThan(20);
    expect(server.stats().errors).toBe(errors);

    const fresh = await connect(server.port);
    await fresh.next();
    fresh.send(valid);
    expect((await fresh.next()).binary).toBe(true);
    fresh.close(); good.close();
    await Promise.all([fresh.closed, good.closed]);
    expect(await (await fetch(`http://127.0.0.1:${server.port}/healthz`)).text()).toBe('OK\n');
    for (let i = 0; i < 50 && server.stats().connections > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(server.stats().connections).toBe(0);
    expect(torch.liveTensors().tensors).toBe(tensorsAtStart);   // every connection's cached encodings were freed
  });
});
