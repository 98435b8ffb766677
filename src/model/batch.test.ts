// forwardBatch: observations prepared by different Policy instances over one model run in one forward pass and each
// gets the chunk its own Policy.infer gives; inputs of the wrong shape are refused before libtorch sees them.
import { describe, expect, it } from 'vitest';
import { Policy } from './policy.ts';
import { EncodingCache, forwardBatch } from './batch.ts';
import { KarakuriVLA } from './vla.ts';
import { STATE_KEYS } from './config.ts';
import { Tokenizer } from './language/tokenizer.ts';
import { tinyConfig } from './test-helpers.ts';
import * as torch from '../torch/index.ts';
import type { Observation } from '../sim/observation.ts';

torch.manualSeed(3);
const tokenizer = Tokenizer.train(['pick up the sponge', 'open the drawer', 'wipe the table'], { vocabSize: 300, minFrequency: 1 });
const cfg = tinyConfig({ text: { vocab: tokenizer.vocabSize, maxTokens: 12, layers: 1 } });
const stat = (n: number) => ({ mean: Array.from({ length: n }, (_, i) => i / 20), std: Array(n).fill(0.5) });
const normalization = { stateKeys: [...STATE_KEYS], embodiments: { kara6: { state: stat(22), action: stat(7) }, kara7: { state: stat(23), action: stat(7) } } };
const [h, w] = cfg.vision.imageSize;
const obs = (k: number, instruction: string): Observation => ({
  embodiment: k % 2 ? 'kara7' : 'kara6', instruction, time: 0,
  images: Object.fromEntries(cfg.cameras.map((c, i) => [c, [{ rgb: Uint8Array.from({ length: h * w * 3 }, (_, j) => (j * (k + 3) + i * 50) & 255), depth: new Float32Array(0) }]])),
  proprio: { jointPos: new Float64Array(k % 2 ? 7 : 6).fill(0.1 * k), jointVel: new Float64Array(0), eePos: [0.4, 0, 0.3], eeQuat: [1, 0, 0, 0], gripper: 0.5 },
  wrench: { force: [0, 0, k], torque: [0, 0, 0] }, touch: [0, 0],
});

describe('forwardBatch', () => {
  it('several Policy instances, mixed arms and prompts, one forward: each chunk equals its Policy.infer', () => {
    const f = { model: new KarakuriVLA(cfg), normalization, tokenizer };
    const prompts = ['pick up the sponge', 'open the drawer', 'wipe the table'];
    const batched = prompts.map(() => new Policy(f.model, f.normalization, f.tokenizer));
    const single = prompts.map(() => new Policy(f.model, f.normalization, f.tokenizer));
    for (let step = 0; step < 2; step++) {
      const os = prompts.map((p, k) => obs(k + step, p));
      const r = forwardBatch(f.model, batched.map((p, k) => p.prepare(os[k]!)));
      os.forEach((o, k) => {
        const want = single[k]!.infer(o);
        const diff = Math.max(...want.flatMap((a, t) => Array.from(a, (v, j) => Math.abs(v - r.actions[k]![t]![j]!))));
        expect(diff).toBeLessThan(1e-5);
      });
      expect(r.room).toHaveLength(3);
    }
    expect(() => forwardBatch(f.model, [{ ...batched[0]!.prepare(obs(0, 'x')), state: new Float32Array(3) }])).toThrow(/input 0 does not have the model's shapes/);
    f.model.dispose();
  });
  it('with an EncodingCache per stream: the same chunks, and only the newest frame per camera is encoded', () => {
    const f = { model: new KarakuriVLA(cfg), normalization, tokenizer };
    const prompts = ['pick up the sponge', 'open the drawer', 'wipe the table'];
    const batched = prompts.map(() => new Policy(f.model, f.normalization, f.tokenizer));
    const single = prompts.map(() => new Policy(f.model, f.normalization, f.tokenizer));
    const caches = prompts.map(() => new EncodingCache());
    const C = cfg.cameras.length;
    const run = (step: number, ps: string[]) => {
      const os = ps.map((p, k) => obs(k + step, p));
      const r = forwardBatch(f.model, batched.map((p, k) => p.prepare(os[k]!)), caches);
      os.forEach((o, k) => {
        const want = single[k]!.infer(o);
        expect(Math.max(...want.flatMap((a, t) => Array.from(a, (v, j) => Math.abs(v - r.actions[k]![t]![j]!))))).toBeLessThan(1e-5);
      });
    };
    run(0, prompts);
    expect(caches.map((c) => c.framesEncoded)).toEqual([C, C, C]);   // the reset-padded slots share their frame
    for (let step = 1; step < 4; step++) run(step, prompts);
    expect(caches.map((c) => c.framesEncoded)).toEqual([4 * C, 4 * C, 4 * C]);
    expect(caches.every((c) => c.frames.length === C * cfg.history)).toBe(true);
    const changed = [...prompts]; changed[1] = 'pick up the sponge';
    run(4, changed);   // a new instruction drops that stream's frame tokens (FiLM depends on the text): past frames again
    expect(caches.map((c) => c.framesEncoded)).toEqual([5 * C, 6 * C, 5 * C]);
    for (const c of caches) c.dispose();
    expect(caches[0]!.frames).toEqual([]);
    f.model.dispose();
  });
});
