// The policy server over real sockets, real msgpack bytes and a real (tiny, random-init) model: healthz, the metadata
// frame, lock-step answers equal to Policy.infer on the same observation, history reset (prompt change, reset: true),
// resizing, API keys (401), the connection limit (503), the size limit (1009), bad messages (text frame + 1011) while
// another client keeps getting correct answers, micro-batching across connections (forwards counted), and stalled
// clients that do not stall the others.
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Observation } from '../../sim/observation.ts';
import { Policy } from '../../model/policy.ts';
import { ndarray, packMessage, unpackMessage, type NdArray } from '../protocol/ndarray.ts';
import { startPolicyServer, type ChunkShield, type PolicyServer } from './server.ts';
import { createShieldHook } from './shield-hook.ts';
import { connect, UpgradeRefused, type TestConn } from './test-ws.ts';
import { karakuriMessage, kara6State, PROMPTS, testImage, writeTestModel } from './test-model.ts';

const { dir, cfg } = writeTestModel();
const [H, W] = cfg.vision.imageSize;
let server: PolicyServer;
let reference: Policy;

beforeAll(async () => {
  server = await startPolicyServer({ model: dir, port: 0, host: '127.0.0.1', embodiment: 'kara6' });
  reference = await Policy.load(dir);
});
afterAll(async () => { await server.close(); reference.dispose(); });

/** The observation of karakuriMessage(cfg, {seed, prompt}) built directly in the simulator's shape. */
function simObservation(seed: number, prompt = PROMPTS[0]!): Observation {
  const s = Array.from(kara6State(seed));
  return {
    embodiment: 'kara6', instruction: prompt, time: 0,
    images: { scene: [{ rgb: testImage(H, W, seed), depth: new Float32Array(0) }], wrist: [{ rgb: testImage(H, W, seed + 1), depth: new Float32Array(0) }] },
    proprio: { jointPos: Float64Array.from(s.slice(0, 6)), jointVel: new Float64Array(6), eePos: [s[6]!, s[7]!, s[8]!], eeQuat: [s[9]!, s[10]!, s[11]!, s[12]!], gripper: s[13]! },
    wrench: { force: [Math.fround(0.1), 0, Math.fround(-0.2)], torque: [0, Math.fround(0.01), 0] }, touch: [0, 0.5],
  };
}

interface Result { actions: NdArray; policy_timing: { infer_ms: number }; server_timing: Record<string, number> }
async function ask(c: TestConn, msg: unknown): Promise<Result> {
  c.send(packMessage(msg));
  const f = await c.next();
  if (!f.binary) throw new Error(`text frame: ${f.data.toString()}`);
  return unpackMessage(f.data) as Result;
}
async function open(port = server.port, headers: Record<string, string> = {}): Promise<TestConn> {
  const c = await connect(port, headers);
  const meta = await c.next();
  expect(meta.binary).toBe(true);
  return c;
}
const chunk = (r: Result) => Array.from(r.actions.data as Float32Array);
const maxDiff = (a: number[], b: Float32Array[]) => Math.max(...b.flatMap((x, k) => Array.from(x, (v, j) => Math.abs(v - a[k * 7 + j]!))));

describe('HTTP and connection', () => {
  it('GET /healthz answers 200 "OK\\n"; other plain requests are told to upgrade', async () => {
    const r = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('OK\n');
    expect((await fetch(`http://127.0.0.1:${server.port}/anything`)).status).toBe(426);
  });
  it('sends one binary metadata frame on connect, on any path', async () => {
    const c = await connect(server.port, {}, '/some/path?x=1');
    const f = await c.next();
    expect(f.binary).toBe(true);
    const meta = unpackMessage(f.data) as Record<string, unknown>;
    expect(meta).toMatchObject({ server: 'karakuri', horizon: 10, action_dim: 7, embodiments: ['kara6', 'kara7'], default_embodiment: 'kara6', cameras: ['scene', 'wrist'], state_width: { kara6: 14, kara7: 15 } });
    c.close();
  });
});

describe('lock-step inference', () => {
  it('answers float32 [H, 7] equal to Policy.infer on the same observation, with openpi timings', async () => {
    const c = await open();
    reference.reset();
    for (let k = 0; k < 4; k++) {
      const r = await ask(c, karakuriMessage(cfg, { seed: k }));
      expect(r.actions.dtype).toBe('<f4');
      expect(r.actions.shape).toEqual([10, 7]);
      expect(maxDiff(chunk(r), reference.infer(simObservation(k)))).toBeLessThan(1e-5);
      expect(r.policy_timing.infer_ms).toBeGreaterThan(0);
      expect(r.server_timing.infer_ms).toBeGreaterThanOrEqual(r.policy_timing.infer_ms);
      if (k === 0) expect(r.server_timing.prev_total_ms).toBeUndefined();
      else expect(r.server_timing.prev_total_ms).toBeGreaterThan(0);
    }
    c.close();
  });
  it('history: the second answer differs from the first (padding gone); a new prompt or reset: true starts over', async () => {
    const c = await open();
    const first = chunk(await ask(c, karakuriMessage(cfg)));
    const second = chunk(await ask(c, karakuriMessage(cfg)));
    expect(Math.max(...first.map((v, i) => Math.abs(v - second[i]!)))).toBeGreaterThan(1e-6);
    expect(chunk(await ask(c, karakuriMessage(cfg, { extra: { reset: true } })))).toEqual(first);
    expect(chunk(await ask(c, karakuriMessage(cfg)))).toEqual(second);
    await ask(c, karakuriMessage(cfg, { prompt: PROMPTS[1] }));
    expect(chunk(await ask(c, karakuriMessage(cfg)))).toEqual(first);   // back to prompt 0: history was cleared
    c.close();
  });
  it('resizes other image sizes (aspect kept, padded) and accepts float CHW images and JS arrays for state', async () => {
    const c = await open();
    const r = await ask(c, { ...karakuriMessage(cfg, { h: 48, w: 64 }), 'observation.state': Array.from(kara6State()) });
    expect(r.actions.shape).toEqual([10, 7]);
    const chw = new Float32Array(3 * 20 * 30).map((_, i) => (i % 17) / 16);
    const r2 = await ask(c, { ...karakuriMessage(cfg), 'observation.images.wrist': ndarray(chw, [3, 20, 30]) });
    expect(chunk(r2).every(Number.isFinite)).toBe(true);
    c.close();
  });
});

describe('security', () => {
  it('API keys: missing or wrong -> HTTP 401 at the upgrade; a configured key connects', async () => {
    const s = await startPolicyServer({ model: dir, port: 0, host: '127.0.0.1', apiKeys: ['first-key-123', 'second-key-456'] });
    try {
      await expect(connect(s.port)).rejects.toMatchObject({ status: 401, body: expect.stringMatching(/missing API key/) });
      await expect(connect(s.port, { Authorization: 'Api-Key wrong-key-000' })).rejects.toMatchObject({ status: 401, body: 'invalid API key' });
      await expect(connect(s.port, { Authorization: 'Bearer second-key-456' })).rejects.toBeInstanceOf(UpgradeRefused);
      const c = await open(s.port, { Authorization: 'Api-Key second-key-456' });
      expect((await ask(c, karakuriMessage(cfg))).actions.shape).toEqual([10, 7]);
      c.close();
      expect(s.stats().rejectedAuth).toBe(3);
    } finally { await s.close(); }
  });
  it('more connections than allowed are refused with 503; a freed slot can be used again', async () => {
    const s = await startPolicyServer({ model: dir, port: 0, host: '127.0.0.1', maxConnections: 2 });
    try {
      const a = await open(s.port), b = await open(s.port);
      await expect(connect(s.port)).rejects.toMatchObject({ status: 503 });
      a.close(); await a.closed;
      await new Promise((r) => setTimeout(r, 20));
      const c = await open(s.port);
      expect((await ask(c, karakuriMessage(cfg))).actions.shape).toEqual([10, 7]);
      b.close(); c.close();
    } finally { await s.close(); }
  });
  it('a message above the size limit closes that connection with 1009; another keeps working', async () => {
    const s = await startPolicyServer({ model: dir, port: 0, host: '127.0.0.1', maxMessageBytes: 8192 });
    try {
      const good = await open(s.port), big = await open(s.port);
      big.send(packMessage({ ...karakuriMessage(cfg), huge: ndarray(new Uint8Array(20_000)) }));
      expect((await big.closed).code).toBe(1009);
      expect((await ask(good, karakuriMessage(cfg))).actions.shape).toEqual([10, 7]);
      good.close();
    } finally { await s.close(); }
  });
});

describe('bad messages: a text frame and close 1011 for that client only', () => {
  const base = () => karakuriMessage(cfg);
  const strKeyed = new Map<string, unknown>([['__ndarray__', true], ['data', Buffer.from(testImage(H, W, 0))], ['dtype', '|u1'], ['shape', [H, W, 3]]]);
  const cases: [string, () => Uint8Array | string, RegExp][] = [
    ['invalid msgpack byte', () => Uint8Array.of(0xc1), /malformed msgpack/],
    ['truncated message', () => packMessage(base()).subarray(0, 100), /malformed msgpack/],
    ['not a map', () => packMessage([1, 2, 3]), /an observation must be a msgpack map/],
    ['missing prompt', () => { const m = base(); delete m.task; return packMessage(m); }, /no prompt \(keys tried: prompt, task/],
    ['missing wrist image', () => { const m = base(); delete m['observation.images.wrist']; return packMessage(m); }, /no 'wrist' image \(keys tried: observation.images.wrist, observation\/wrist_image/],
    ['4-channel image', () => packMessage({ ...base(), 'observation.images.scene': ndarray(new Uint8Array(H * W * 4), [H, W, 4]) }), /"?observation.images.scene"?: an image needs 3 colour channels/],
    ['int32 image', () => packMessage({ ...base(), 'observation.images.scene': ndarray(new Int32Array(H * W * 3), [H, W, 3]) }), /must be uint8 \('\|u1'\) or float/],
    ['float image in 0..255', () => packMessage({ ...base(), 'observation.images.scene': ndarray(new Float32Array(H * W * 3).fill(200), [H, W, 3]) }), /values in \[0, 1\]/],
    ['NaN in state', () => packMessage({ ...base(), 'observation.state': ndarray(Float32Array.of(0, 0, NaN, ...new Array(11).fill(0))) }), /observation.state\[2\]: .* must be finite, got NaN/],
    ['LIBERO 8-D state', () => packMessage({ ...base(), 'observation.state': ndarray(new Float64Array(8)) }), /state has 8 components, embodiment 'kara6' expects 14 \(6 joint positions/],
    ['embodiment without statistics', () => packMessage({ ...base(), embodiment: 'widowx250' }), /'widowx250' is not an embodiment this model drives \(kara6, kara7\)/],
    ['kara7 with a kara6 state', () => packMessage({ ...base(), embodiment: 'kara7' }), /expects 15/],
    ['ndarray with str keys', () => packMessage({ ...base(), 'observation.images.scene': strKeyed }), /str key "__ndarray__": numpy arrays must use msgpack bin keys/],
    ['object dtype', () => { const m = new Map<string | Uint8Array, unknown>([[Buffer.from('__ndarray__'), true], [Buffer.from('data'), Buffer.alloc(8)], [Buffer.from('dtype'), '|O'], [Buffer.from('shape'), [1]]]); return packMessage({ ...base(), 'observation.state': m }); }, /object arrays/],
    ['shape larger than the data', () => { const m = new Map<string | Uint8Array, unknown>([[Buffer.from('__ndarray__'), true], [Buffer.from('data'), Buffer.alloc(8)], [Buffer.from('dtype'), '|u1'], [Buffer.from('shape'), [5000, 5000, 3]]]); return packMessage({ ...base(), 'observation.images.scene': m }); }, /8 bytes, but shape \[5000, 5000, 3\] of '\|u1' needs 75000000/],
    ['prompt of 5000 characters', () => packMessage({ ...base(), task: 'x'.repeat(5000) }), /5000 characters exceed the 2000 allowed/],
    ['text frame', () => 'hello', /observations must be binary msgpack frames/],
  ];
  it.each(cases)('%s', async (_name, make, re) => {
    const good = await open();
    const bad = await open();
    const steady = chunk(await ask(good, base()));
    bad.send(make());
    const f = await bad.next();
    expect(f.binary).toBe(false);
    expect(f.data.toString()).toMatch(re);
    expect((await bad.closed).code).toBe(1011);
    expect(chunk(await ask(good, base()))).not.toEqual([]);
    const again = chunk(await ask(good, base()));
    expect(again).toEqual(chunk(await ask(good, base())));   // steady state, unaffected
    expect(steady.length).toBe(70);
    good.close();
  });
  it('a client that pipelines beyond the backlog is dropped; lock-step clients are not', async () => {
    const c = await open();
    for (let i = 0; i < 6; i++) c.send(packMessage(karakuriMessage(cfg)));
    const frames = [];
    for (;;) { try { frames.push(await c.next(2000)); } catch { break; } }
    expect(frames.some((f) => !f.binary && /lock-step protocol/.test(f.data.toString()))).toBe(true);
    expect((await c.closed).code).toBe(1011);
  });
});

describe('the shield seam', () => {
  it('every chunk passes the hook, with per-connection memory, and its report travels under "shield"', async () => {
    const seen: number[] = [];
    const hook: ChunkShield = (chunk, obs, conn) => {
      const n = ((conn.state.get('n') as number | undefined) ?? 0) + 1;
      conn.state.set('n', n);
      seen.push(conn.id);
      expect(obs.embodiment).toBe('kara6');
      return { chunk: chunk.map((a) => a.map(() => 0)), report: { calls: n } };
    };
    const s = await startPolicyServer({ model: dir, port: 0, host: '127.0.0.1', shield: hook });
    try {
      const a = await open(s.port), b = await open(s.port);
      for (let k = 1; k <= 2; k++) {
        const r = await ask(a, karakuriMessage(cfg)) as Result & { shield: { calls: number } };
        expect(chunk(r).every((v) => v === 0)).toBe(true);
        expect(r.shield.calls).toBe(k);
      }
      expect(((await ask(b, karakuriMessage(cfg))) as Result & { shield: { calls: number } }).shield.calls).toBe(1);
      expect(new Set(seen).size).toBe(2);
      a.close(); b.close();
    } finally { await s.close(); }
  });
  it("the real shield: a wrist force of 1000 N holds the whole chunk and latches for that connection only", async () => {
    const s = await startPolicyServer({ model: dir, port: 0, host: '127.0.0.1', shield: await createShieldHook(['kara6', 'kara7']) });
    type Shielded = Result & { shield: { kinds: Record<string, number>; stopped: string | null } };
    try {
      const a = await open(s.port);
      const hit = await ask(a, { ...karakuriMessage(cfg), 'observation.wrench': ndarray(Float32Array.of(0, 0, 1000, 0, 0, 0)) }) as Shielded;
      const acts = chunk(hit);
      for (let k = 0; k < 10; k++) expect(acts.slice(k * 7, k * 7 + 6).every((v) => v === 0)).toBe(true);
      expect(hit.shield.kinds['wrench-stop']).toBe(1);
      expect(hit.shield.stopped).toMatch(/wrist force 1000 N over/);
      const after = await ask(a, karakuriMessage(cfg)) as Shielded;
      expect(after.shield.stopped).toMatch(/wrist force/);
      expect(chunk(after).filter((_, i) => i % 7 < 6).every((v) => v === 0)).toBe(true);
      const b = await open(s.port);
      expect(((await ask(b, karakuriMessage(cfg))) as Shielded).shield.stopped).toBeNull();
      a.close(); b.close();
    } finally { await s.close(); }
  });
});

describe('batching and fairness', () => {
  it('observations from several connections run in one forward pass, each answer its own', async () => {
    const sizes: number[] = [];
    const s = await startPolicyServer({ model: dir, port: 0, host: '127.0.0.1', maxBatch: 8, maxWaitMs: 500, onForward: (n) => sizes.push(n) });
    try {
      const conns = await Promise.all(Array.from({ length: 6 }, () => open(s.port)));
      const t0 = performance.now();
      const answers = await Promise.all(conns.map((c, i) => ask(c, karakuriMessage(cfg, { seed: i, embodiment: 'kara6' }))));
      expect(performance.now() - t0).toBeLessThan(450);   // a full house runs at once, not after max-wait
      expect(sizes).toEqual([6]);
      answers.forEach((r, i) => { reference.reset(); expect(maxDiff(chunk(r), reference.infer(simObservation(i)))).toBeLessThan(1e-5); });
      for (const c of conns) c.close();
    } finally { await s.close(); }
  });
  it('max-batch caps a batch: 6 waiting with max-batch 4 run as 4 then 2', async () => {
    const sizes: number[] = [];
    const s = await startPolicyServer({ model: dir, port: 0, host: '127.0.0.1', maxBatch: 4, maxWaitMs: 50, onForward: (n) => sizes.push(n) });
    try {
      const conns = await Promise.all(Array.from({ length: 6 }, () => open(s.port)));
      await Promise.all(conns.map((c, i) => ask(c, karakuriMessage(cfg, { seed: i }))));
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(6);
      expect(Math.max(...sizes)).toBe(4);
      expect(s.stats().forwards).toBe(sizes.length);
      for (const c of conns) c.close();
    } finally { await s.close(); }
  });
  it('a client stuck mid-frame and one that never reads its answers do not stall a good client', async () => {
    const s = await startPolicyServer({ model: dir, port: 0, host: '127.0.0.1', maxWaitMs: 2 });
    try {
      // raw TCP: a valid upgrade, then half of a binary frame header and nothing more
      const raw = createConnection(s.port, '127.0.0.1');
      await new Promise<void>((r) => raw.once('connect', () => r()));
      raw.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
      await new Promise<void>((r) => raw.once('data', () => r()));
      raw.write(Buffer.from([0x82, 0xfe, 0x10]));   // binary, masked, 16-bit length... then silence
      const deaf = await open(s.port);
      (deaf.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      for (let i = 0; i < 3; i++) deaf.send(packMessage(karakuriMessage(cfg)));
      const good = await open(s.port);
      const lat: number[] = [];
      for (let i = 0; i < 30; i++) { const t = performance.now(); await ask(good, karakuriMessage(cfg, { seed: i })); lat.push(performance.now() - t); }
      expect(Math.max(...lat)).toBeLessThan(250);
      expect(s.stats().connections).toBe(3);
      raw.destroy(); good.close(); deaf.ws.terminate();
    } finally { await s.close(); }
  });
});
