// Expert takeovers: a scripted "policy" that drives the arm down beside the cup hands over to the real task expert
// in the real simulator, which rises clear, re-approaches and succeeds; the recording starts exactly where the policy
// left the arm and holds only the expert's part. Episodes the policy ends first are not taken over. Then a tiny
// trained model version drives collectTakeovers end to end into a LeRobot dataset with its provenance.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTaskEnv, task as taskDef, taskEnvConfig } from '../sim/tasks/registry.ts';
import { resolveEmbodiment } from '../sim/embodiments/index.ts';
import { EnvPool, type EpisodeResult } from '../sim/pool/index.ts';
import { collect } from '../data/collect.ts';
import { validateDataset } from '../data/lerobot/validate.ts';
import { train } from '../train/train.ts';
import { sha256File } from '../train/version.ts';
import { collectTakeovers, handoverStep, takeoverCell, type TakeoverOutcome } from './takeover.ts';
import type { ActContext, BatchPolicy } from './rollout.ts';

const TASK = 'cup-on-tray', ARM = 'kara6';

/** Down and sideways, gripper half closed: an approach that ends low beside the target, the chunk H steps long. */
const BESIDE = Float32Array.of(0.004, 0.006, -0.012, 0, 0, 0, 0.5);
const beside: BatchPolicy = { act: (obs: unknown[], _ctx: ActContext[]) => ({ actions: obs.map(() => Array.from({ length: 10 }, () => BESIDE)) }) };

describe('handoverStep', () => {
  it('is the same for a seed, stays in [lo, hi] and reaches both ends', () => {
    const steps = Array.from({ length: 400 }, (_, s) => handoverStep(s, [10, 14]));
    expect(steps.every((t) => t >= 10 && t <= 14)).toBe(true);
    expect(new Set(steps)).toEqual(new Set([10, 11, 12, 13, 14]));
    expect(handoverStep(7, [10, 14])).toBe(steps[7]);
    expect(handoverStep(3, [5, 5])).toBe(5);
  });
});

describe('takeoverCell', () => {
  it('the expert takes over where the policy left the arm, rises clear and succeeds; only its part is recorded', async () => {
    // seeds whose cups the motion misses (on 2_000_002 it knocks the target over: no expert recovers that)
    const seeds = [2_000_000, 2_000_001, 2_000_003];
    const got: [TakeoverOutcome, EpisodeResult | null][] = [];
    await takeoverCell(beside, { task: TASK, embodiment: ARM, seeds, handover: [12, 12], size: 64, history: 2, workers: 1, envsPerWorker: 2, onResult: (o, r) => { got.push([o, r]); } });
    expect(got.map(([o]) => o.seed)).toEqual(seeds); // seed order
    // the same 12 steps replayed in a plain env: where the expert must start
    const { env } = await createTaskEnv(TASK, { embodiment: ARM, width: 0, height: 0 });
    for (const [o, r] of got) {
      expect(o).toMatchObject({ kind: 'taken-over', handover: 12, success: true });
      const start = env.reset(o.seed);
      let ee = start.observation.proprio.eePos, at = start.privileged;
      for (let t = 0; t < 12; t++) { const s = env.step(BESIDE); ee = s.observation.proprio.eePos; at = s.privileged; }
      const target = start.privileged.task.target as string;
      expect(at.objects[target]!.pos[0]).toBeCloseTo(start.privileged.objects[target]!.pos[0], 3); // the target still stands where it was
      const ro = r!.rollout!;
      expect(ro.seed).toBe(o.seed);
      expect(ro.length).toBe(o.expertSteps);
      expect(ro.success).toBe(true);
      for (let k = 0; k < 3; k++) expect(ro.eePos[k]).toBeCloseTo(ee[k]!, 5); // the first row is the handover state
      expect(ee[2]).toBeLessThan(start.observation.proprio.eePos[2] - 0.05); // the policy had taken the arm low
      // the expert's first action: straight up, gripper open (it clears the objects before re-approaching)
      expect(ro.action[2]).toBeGreaterThan(0.01);
      expect(Math.hypot(ro.action[0]!, ro.action[1]!)).toBeLessThan(1e-6);
      expect(ro.action[6]).toBe(0);
      expect(ro.action.length).toBe(7 * ro.length);
    }
    env.dispose();
  }, 90_000);

  it('does not take over an episode the policy ended first, and refuses bad handovers', async () => {
    // the expert's own actions replayed: it succeeds long before a handover at step 150
    const { env, task, definition } = await createTaskEnv(TASK, { embodiment: ARM, width: 0, height: 0 });
    const acts: number[][] = [];
    expect(task.expert(env, env.reset(2_000_003), { maxSteps: definition.maxSteps, onStep: (_s, a) => acts.push(Array.from(a)) }).success).toBe(true);
    env.dispose();
    const replay: BatchPolicy = { act: (_o, ctx) => ({ actions: ctx.map((c) => Array.from({ length: 10 }, (_, k) => Float32Array.from(acts[Math.min(c.step + k, acts.length - 1)]!))) }) };
    const got: TakeoverOutcome[] = [];
    await takeoverCell(replay, { task: TASK, embodiment: ARM, seeds: [2_000_003], handover: [150, 150], size: 64, history: 1, onResult: (o, r) => { expect(r).toBeNull(); got.push(o); } });
    expect(got).toEqual([{ seed: 2_000_003, handover: 150, kind: 'policy-ended', success: true, expertSteps: 0 }]);

    const base = { task: TASK, embodiment: ARM, seeds: [0], size: 64, history: 1, onResult: () => {} };
    await expect(takeoverCell(beside, { ...base, handover: [0, 5] })).rejects.toThrow(/handover range must be integers 1 <= lo <= hi < 200 .*'cup-on-tray'.*got \[0, 5\]/);
    await expect(takeoverCell(beside, { ...base, handover: [9, 5] })).rejects.toThrow(/got \[9, 5\]/);
    await expect(takeoverCell(beside, { ...base, handover: [5, 200] })).rejects.toThrow(/< 200/);
    await expect(takeoverCell(beside, { ...base, task: 'nurse-call', embodiment: 'widowx250', handover: [5, 9] })).rejects.toThrow(/'nurse-call' is not offered on embodiment 'widowx250'/);
  }, 90_000);

  it('a pool env is taken over once per episode, and only after a reset', async () => {
    const def = taskDef(TASK), e = resolveEmbodiment(ARM);
    const pool = await EnvPool.create(taskEnvConfig(def, e, { embodiment: e, width: 0, height: 0 }), { workers: 1, taskModule: new URL('../sim/tasks/pool-task.ts', import.meta.url), taskArgs: { task: TASK } });
    try {
      await expect(pool.takeover(0, { seed: 1, maxSteps: 10 })).rejects.toThrow(/env 0 has no episode under way \(reset it first/);
      await pool.reset(0, 1);
      const r = await pool.takeover(0, { seed: 1, maxSteps: def.maxSteps });
      expect(r.success).toBe(true); // from the reset state it is the expert's own episode
      expect(r.rollout).toBeUndefined(); // not asked to record
      await expect(pool.takeover(0, { seed: 1, maxSteps: 10 })).rejects.toThrow(/no episode under way/);
      expect(() => pool.takeover(3, { seed: 1, maxSteps: 10 })).toThrow(/no env 3 \(the pool has 1\)/);
    } finally {
      await pool.close();
    }
  }, 60_000);
});

describe('collectTakeovers', () => {
  it("records a model version's takeovers as a LeRobot dataset that names the model; refuses a camera size the model does not see", async () => {
    const root = mkdtempSync(join(tmpdir(), 'takeover-'));
    await collect({ tasks: [TASK], embodiment: ARM, episodes: 1, out: join(root, 'ds'), size: 64, workers: 1 });
    const t = await train({ datasets: [{ dir: join(root, 'ds') }], out: join(root, 'run'), batchSize: 4, steps: 2, checkpointEvery: 2,
      model: { dim: 32, heads: 2, layers: 1, text: { layers: 1, maxTokens: 16 }, vision: { channels: [8, 16, 16], tokensPerImage: 4, imageSize: [64, 64], groups: 4 } } }, { progressBar: false });
    const out = join(root, 'takeover');
    const seen: string[] = [];
    const s = await collectTakeovers({ model: t.versionDir, tasks: [TASK], embodiment: ARM, episodes: 3, seedStart: 2_000_000, handover: [4, 8], out, workers: 1, onEpisode: (x) => seen.push(`${x.task}:${x.seed}`) });
    expect(seen).toEqual([0, 1, 2].map((i) => `${TASK}:${2_000_000 + i}`));
    expect(s.tried).toBe(3);
    expect(s.recorded + s.policyEnded + s.expertFailed).toBe(3);
    expect(s.recorded).toBeGreaterThan(0); // an untrained policy barely moves in 8 steps: the expert recovers
    const info = JSON.parse(readFileSync(join(out, 'meta', 'info.json'), 'utf8'));
    expect(info.total_episodes).toBe(s.recorded);
    expect(info.total_frames).toBe(s.frames);
    expect(info.karakuri).toMatchObject({ policy: 'takeover', handover: '4,8', onlySuccess: 'true', seedsPerTask: '3', tasks: TASK, embodiment: ARM, takeoverWeightsSha256: await sha256File(join(t.versionDir, 'weights.safetensors')) });
    expect(info.karakuri.takeoverModel).toBe(t.versionDir);
    expect((await validateDataset(out)).problems).toEqual([]);
    // its actions are the expert's: training takes it as demonstrations
    const again = await train({ datasets: [{ dir: out }], out: join(root, 'run2'), batchSize: 4, steps: 1, checkpointEvery: 1, init: t.versionDir }, { progressBar: false });
    expect(existsSync(join(again.versionDir, 'weights.safetensors'))).toBe(true);

    const bad = join(root, 'bad');
    await expect(collectTakeovers({ model: t.versionDir, tasks: [TASK], embodiment: ARM, episodes: 1, seedStart: 0, handover: [4, 8], size: 96, out: bad })).rejects.toThrow(/cameras of 96 px asked for, but the model .* sees 64 px images/);
    expect(existsSync(bad)).toBe(false);
    await expect(collectTakeovers({ model: t.versionDir, tasks: [TASK], embodiment: ARM, episodes: 1, seedStart: 0, handover: [4, 8], out })).rejects.toThrow(/a dataset is already there/);
    expect(JSON.parse(readFileSync(join(out, 'meta', 'info.json'), 'utf8')).total_episodes).toBe(s.recorded); // untouched
    await expect(collectTakeovers({ model: join(root, 'nothing'), tasks: [TASK], embodiment: ARM, episodes: 1, seedStart: 0, handover: [4, 8], out: bad })).rejects.toThrow(/nothing/);
  }, 180_000);
});
