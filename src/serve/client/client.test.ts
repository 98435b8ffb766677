// The robot client SDK against the real policy server (in this process, real ws sockets, real msgpack bytes, a real
// libtorch model): metadata, lock-step infer, the API key, a server error (text frame + 1011) followed by an automatic
// reconnect; the executor's two chunk modes; the observation message the server's key map reads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPolicyServer, type PolicyServer } from '../server/server.ts';
import { karakuriMessage, writeTestModel } from '../server/test-model.ts';
import type { ModelConfig } from '../../model/config.ts';
import { Env } from '../../sim/env.ts';
import { mapObservation } from '../observation/map.ts';
import { DEFAULT_KEY_MAP } from '../observation/keys.ts';
import { packMessage, unpackMessage } from '../protocol/ndarray.ts';
import { ActionExecutor } from './executor.ts';
import { observationMessage } from './observation.ts';
import { ClientError, PolicyClient, type ClientEvent } from './policy-client.ts';

let server: PolicyServer, cfg: ModelConfig;
const KEY = 'robot-key-0001';
beforeAll(async () => {
  const m = writeTestModel();
  cfg = m.cfg;
  server = await startPolicyServer({ model: m.dir, port: 0, host: '127.0.0.1', apiKeys: [KEY] });
});
afterAll(async () => { await server?.close(); });

describe('PolicyClient', () => {
  it('reads the metadata frame, infers in lock-step, and reconnects by itself after a server error', async () => {
    const events: ClientEvent[] = [];
    const c = new PolicyClient({ url: `ws://127.0.0.1:${server.port}`, apiKey: KEY, backoff: { initialMs: 20, maxMs: 200, factor: 2, jitter: 0 } });
    c.on((e) => events.push(e));
    try {
      await c.ready(5000);
      expect(c.metadata).toMatchObject({ server: 'karakuri', horizon: cfg.horizon, action_dim: 7 });
      const p = c.infer(karakuriMessage(cfg));
      await expect(c.infer(karakuriMessage(cfg))).rejects.toThrow(/lock-step/);
      const r = await p;
      expect(r.actions.length).toBe(cfg.horizon);
      expect(r.actions.every((a) => a.length === 7 && a.every(Number.isFinite))).toBe(true);
      expect(r.serverTiming).toHaveProperty('infer_ms');
      // an observation the server cannot use: its error text arrives as the rejection, then the server closes 1011
      const bad = karakuriMessage(cfg);
      delete bad.task;
      await expect(c.infer(bad)).rejects.toThrow(/server error: .*no prompt/);
      await new Promise<void>((resolve) => { const off = c.on((e) => { if (e.type === 'connected') { off(); resolve(); } }); });
      expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['error', 'disconnected', 'reconnecting', 'connected']));
      expect(events.find((e) => e.type === 'disconnected')).toMatchObject({ code: 1011 });
      expect((await c.infer(karakuriMessage(cfg))).actions.length).toBe(cfg.horizon);
    } finally { await c.close(); }
    await expect(c.infer(karakuriMessage(cfg))).rejects.toThrow(ClientError);
  });

  it('a wrong API key is refused for good (no retry loop), and bad options are named', async () => {
    await expect(PolicyClient.connect({ url: `ws://127.0.0.1:${server.port}`, apiKey: 'wrong-key-0000' }, 3000)).rejects.toThrow(/HTTP 401.*invalid API key/);
    expect(() => new PolicyClient({ url: 'http://x' })).toThrow(/url: must be a ws:\/\/ or wss:\/\/ URL/);
    expect(() => new PolicyClient({ url: 'ws://x', backoff: { factor: 0.5 } })).toThrow(/backoff\.factor/);
  });

  it('sends what the server reads: an env observation in Karakuri\'s key map maps back to the same state', async () => {
    const env = await Env.create({ embodiment: 'kara6', width: 16, height: 16, history: 2, instruction: 'press the red button' });
    try {
      const { observation } = env.reset(3);
      const msg = unpackMessage(packMessage(observationMessage(observation, { reset: true }))); // through real msgpack bytes
      const { observation: back, reset } = mapObservation(msg, { cfg, embodiments: ['kara6', 'kara7'], keyMap: DEFAULT_KEY_MAP });
      expect(reset).toBe(true);
      expect(back.instruction).toBe('press the red button');
      expect(back.embodiment).toBe('kara6');
      expect(Array.from(back.proprio.jointPos)).toEqual(Array.from(observation.proprio.jointPos, Math.fround));
      expect(back.proprio.eePos).toEqual(observation.proprio.eePos.map(Math.fround));
      expect(back.wrench.force).toEqual(observation.wrench.force.map(Math.fround));
      expect(back.images.scene![0]!.rgb).toEqual(observation.images.scene!.at(-1)!.rgb);
    } finally { env.dispose(); }
  });
});

describe('ActionExecutor', () => {
  const chunk = (t: number, H = 4) => Array.from({ length: H }, (_, i) => Float64Array.of(t * 10 + i, 0, 0, 0, 0, 0, 1));
  it('execute k of H: asks every k steps and plays the first k actions', () => {
    const x = new ActionExecutor({ execute: 3 });
    const played: number[] = [];
    for (let t = 0; t < 7; t++) {
      if (x.wants(t)) x.add(t, chunk(t));
      played.push(x.action(t)![0]!);
    }
    expect(played).toEqual([0, 1, 2, 30, 31, 32, 60]);
    expect(x.action(9)).toBeNull(); // past the plan: nothing to play (the watchdog decides)
  });
  it("'whole': plays every action of a chunk before asking again, whatever its length", () => {
    const x = new ActionExecutor('whole');
    const played: number[] = [], asked: number[] = [];
    for (let t = 0; t < 10; t++) {
      if (x.wants(t)) { asked.push(t); x.add(t, chunk(t, t === 0 ? 4 : 3)); }
      played.push(x.action(t)![0]!);
    }
    expect(asked).toEqual([0, 4, 7]);
    expect(played).toEqual([0, 1, 2, 3, 40, 41, 42, 70, 71, 72]);
  });
  it('temporal ensembling: the weighted mean exp(-m i) over every chunk covering the step, oldest first', () => {
    const x = new ActionExecutor({ ensemble: { m: 0.5 } });
    x.add(0, chunk(0)); x.add(1, chunk(1)); x.add(2, chunk(2));
    const w = [1, Math.exp(-0.5), Math.exp(-1)];
    expect(x.action(2)![0]).toBeCloseTo((w[0]! * 2 + w[1]! * 11 + w[2]! * 20) / (w[0]! + w[1]! + w[2]!), 12);
    expect(x.action(5)![0]).toBeCloseTo(23, 12); // only the chunk of step 2 reaches step 5
    expect(x.action(6)).toBeNull();
    expect(() => new ActionExecutor({ execute: 0 })).toThrow(/positive integer/);
    expect(() => new ActionExecutor({ ensemble: { m: -1 } })).toThrow(/m must be >= 0, got -1/);
  });
});
