// Closed-loop evaluation without a trained model: a scripted policy replaying the task expert's actions for each
// seed succeeds on every episode (chunks executed k at a time, and temporally ensembled), a do-nothing policy fails
// every one and leaves failure videos; then a just-trained tiny KarakuriVLA goes through runEval({ model }) end to end.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTaskEnv } from '../sim/tasks/registry.ts';
import { collect } from '../data/collect.ts';
import { train } from '../train/train.ts';
import { cellPhases, readEvalResults, runEval } from './run.ts';
import type { ActContext, BatchPolicy } from './rollout.ts';

const TASK = 'cup-on-tray', ARM = 'kara6', SEED0 = 100_000;

async function expertActions(seeds: number[]): Promise<Map<number, number[][]>> {
  const { env, task, definition } = await createTaskEnv(TASK, { embodiment: ARM, width: 0, height: 0 });
  const out = new Map<number, number[][]>();
  for (const seed of seeds) {
    const acts: number[][] = [];
    const r = task.expert(env, env.reset(seed), { maxSteps: definition.maxSteps, onStep: (_s, a) => acts.push(Array.from(a)) });
    expect(r.success).toBe(true);
    out.set(seed, acts);
  }
  env.dispose();
  return out;
}

/** Replays the expert: the chunk from step ctx.step on (holding the last action past the end). */
const replay = (acts: Map<number, number[][]>, H = 10): BatchPolicy & { calls: number } => ({
  calls: 0,
  act(_obs, ctx: ActContext[]) {
    this.calls++;
    return { actions: ctx.map((c) => Array.from({ length: H }, (_, k) => { const a = acts.get(c.seed)!; return Float32Array.from(a[Math.min(c.step + k, a.length - 1)]!); })) };
  },
});

describe('cellPhases', () => {
  const ep = (closestCm: number, grasped: boolean, liftCm: number, goalCm: number | null) => ({ seed: 0, success: false, steps: 1, roomErrorCm: null, goalErrorCm: null, phases: { closestCm, grasped, liftCm, goalCm } });
  it('counts the funnel over the episodes with a target, and takes the goal distance of the lifted ones only', () => {
    const f = cellPhases([ep(1, true, 5, 2), ep(2, true, 1, 30), ep(10, false, 0, 40), ep(4, true, 3, 6), { ...ep(0, false, 0, null), phases: null }]);
    expect(f).toEqual({ n: 4, medianClosestCm: 3, reached: 0.5, grasped: 0.75, lifted: 0.5, liftedGoalCm: 4 });
    expect(cellPhases([{ ...ep(0, false, 0, null), phases: null }])).toBeNull();
  });
});

describe('runEval', () => {
  it('an expert replay succeeds on every seed, executed in chunks or ensembled; reports are written', async () => {
    const seeds = [SEED0, SEED0 + 1, SEED0 + 2];
    const acts = await expertActions(seeds);
    const out = mkdtempSync(join(tmpdir(), 'eval-'));
    const p = replay(acts);
    const r = await runEval({ policy: p, tasks: [TASK], embodiments: [ARM], episodes: 3, out, size: 64, history: 1, workers: 1, envsPerWorker: 2, chunk: { execute: 5 }, videos: 1 });
    expect(r.cells).toHaveLength(1);
    const c = r.cells[0]!;
    expect(c.seeds).toEqual(seeds);
    expect(c.episodes.map((e) => e.seed)).toEqual(seeds);
    expect(c.episodes.every((e) => e.success)).toBe(true);
    expect(c.episodes.map((e) => e.steps)).toEqual(seeds.map((s) => acts.get(s)!.length)); // same episode, step for step
    expect(c.success.successes).toBe(3);
    expect(c.success.lo).toBeCloseTo(0.4385, 3); // Wilson 3/3
    expect(c.length.mean).toBeCloseTo(seeds.reduce((a, s) => a + acts.get(s)!.length, 0) / 3);
    expect(c.roomErrorCm).toBeNull();
    expect(c.goalErrorCm).toBeNull();
    // the failure funnel: the expert came to the cup, held it, lifted it and left it on the tray
    for (const e of c.episodes) {
      expect(e.phases!.grasped).toBe(true);
      expect(e.phases!.closestCm).toBeLessThan(3);
      expect(e.phases!.liftCm).toBeGreaterThan(2);
      expect(e.phases!.goalCm!).toBeLessThan(8); // within the tray's footprint
    }
    expect(c.phases).toMatchObject({ n: 3, reached: 1, grasped: 1, lifted: 1 });
    expect(c.phases!.liftedGoalCm!).toBeLessThan(8);
    for (const f of ['results.json', 'report.md', 'report.html', 'success.png', 'success.html']) expect(existsSync(join(out, f)), f).toBe(true);
    // read back as the bench scripts read it; a file of another kind is refused by name
    expect(readEvalResults(join(out, 'results.json')).cells[0]!.episodes.map((e) => e.success)).toEqual([true, true, true]);
    writeFileSync(join(out, 'other.json'), '{"format": "karakuri-review/1"}');
    expect(() => readEvalResults(join(out, 'other.json'))).toThrow(/other\.json is not a karakuri eval result \(format karakuri-review\/1\)/);
    expect(() => readEvalResults(join(out, 'report.md'))).toThrow(/report\.md: cannot read it as an evaluation's results\.json/);
    writeFileSync(join(out, 'null.json'), 'null');
    expect(() => readEvalResults(join(out, 'null.json'))).toThrow(/null\.json is not a karakuri eval result \(format undefined\)/);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/\| 1 \| cup-on-tray \| kara6 \| train \| 3\/3 \(100\.0%\) \| 43\.9% - 100\.0% \|/);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('![success per cell](success.png)');
    const bars = JSON.parse(readFileSync(join(out, 'success.json'), 'utf8')).bars;
    expect(bars).toEqual([{ label: 'cup-on-tray / kara6', value: 1, lo: c.success.lo, hi: 1, group: 'kara6' }]); // one bar per cell, Wilson whiskers
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('class="whisker"');
    const calls = p.calls;
    const ens = await runEval({ policy: p, tasks: [TASK], embodiments: [ARM], episodes: 2, out: join(out, 'ens'), size: 64, history: 1, envsPerWorker: 2, chunk: 'ensemble', videos: 0 });
    expect(ens.cells[0]!.episodes.every((e) => e.success)).toBe(true);
    expect(p.calls - calls).toBe(Math.max(...[SEED0, SEED0 + 1].map((s) => acts.get(s)!.length))); // one batched call per step
    // the default: every action of each 10-step chunk, then a new chunk
    const before = p.calls;
    const whole = await runEval({ policy: p, tasks: [TASK], embodiments: [ARM], episodes: 1, out: join(out, 'whole'), size: 64, history: 1, envsPerWorker: 1, videos: 0 });
    expect(whole.options.chunk).toBe('whole');
    expect(whole.cells[0]!.episodes[0]!.success).toBe(true);
    expect(p.calls - before).toBe(Math.ceil(acts.get(SEED0)!.length / 10));
    expect(readFileSync(join(out, 'whole', 'report.md'), 'utf8')).toContain('chunks: the whole chunk then re-plan');
  }, 90_000);

  it('a do-nothing policy fails every episode; failures are filmed scene|wrist', async () => {
    const out = mkdtempSync(join(tmpdir(), 'eval-'));
    const still: BatchPolicy = { act: (obs) => ({ actions: obs.map(() => [Float32Array.of(0, 0, 0, 0, 0, 0, 1)]), room: obs.map(() => [0, 0, 0]), goal: obs.map(() => [0, 0, 0]) }) };
    const r = await runEval({ policy: still, tasks: [TASK], embodiments: [ARM], episodes: 2, out, size: 64, history: 1, maxSteps: 12, chunk: { execute: 1 }, videos: 1, phrasing: 'heldout' });
    const c = r.cells[0]!;
    expect(c.success.successes).toBe(0);
    expect(c.success.hi).toBeCloseTo(0.6576, 3); // Wilson 0/2
    expect(c.episodes.map((e) => e.steps)).toEqual([12, 12]);
    expect(c.roomErrorCm).toBeGreaterThan(1); // the target is not at the origin
    expect(c.goalErrorCm).toBeGreaterThan(1); // nor is the tray
    // the arm stayed at home: it never came near the cup, never held it, and the cup stayed where it was
    for (const e of c.episodes) {
      expect(e.phases!.closestCm).toBeGreaterThan(5);
      expect(e.phases!).toMatchObject({ grasped: false });
      expect(e.phases!.liftCm).toBeLessThan(0.5);
      expect(e.phases!.goalCm!).toBeGreaterThan(5); // the cup starts off the tray
    }
    expect(c.phases).toMatchObject({ n: 2, reached: 0, grasped: 0, lifted: 0, liftedGoalCm: null });
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('room error (cm): target / goal');
    const videos = c.episodes.filter((e) => e.video);
    expect(videos).toHaveLength(1);
    const probe = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=width,height,nb_read_frames', '-of', 'csv=p=0', videos[0]!.video!], { encoding: 'utf8' });
    expect(probe.stdout.trim()).toBe('128,64,13'); // scene | wrist, reset frame + 12 steps
    expect(r.options.phrasing).toBe('heldout');
    await expect(runEval({ tasks: [TASK], episodes: 1, out } as never)).rejects.toThrow(/give a model directory/);
    await expect(runEval({ policy: still, episodes: 0, out })).rejects.toThrow(/episodes/);
  }, 60_000);

  it('evaluates a trained model version from its directory and writes the result into its model card', async () => {
    const root = mkdtempSync(join(tmpdir(), 'eval-model-'));
    await collect({ tasks: [TASK], embodiment: ARM, episodes: 1, out: join(root, 'ds'), size: 64, workers: 1 });
    const t = await train({ datasets: [{ dir: join(root, 'ds') }], out: join(root, 'run'), batchSize: 4, steps: 2, checkpointEvery: 2,
      model: { dim: 32, heads: 2, layers: 1, roomGoal: true, text: { layers: 1, maxTokens: 16 }, vision: { channels: [8, 16, 16], tokensPerImage: 4, imageSize: [64, 64], groups: 4 } } }, { progressBar: false });
    const r = await runEval({ model: t.versionDir, tasks: [TASK], episodes: 1, out: join(root, 'eval'), maxSteps: 6, videos: 0, chunk: 'ensemble' });
    expect(r.cells.map((c) => c.embodiment)).toEqual([ARM]); // the arm it was trained on
    expect(r.cells[0]!.episodes[0]!.steps).toBe(6);
    expect(r.cells[0]!.roomErrorCm).toBeGreaterThan(0);
    expect(r.cells[0]!.goalErrorCm).toBeGreaterThan(0); // its room head estimates the tray's position too
    expect(readFileSync(join(t.versionDir, 'MODEL_CARD.md'), 'utf8')).toMatch(/## Evaluation\n\n### train phrasings, temporal ensemble \(m = 0\.01\): 0\/1 \(0\.0%\)\n\nClosed loop, 1 episodes per cell, seeds from 100000[\s\S]*\| cup-on-tray \| kara6 \| train \| 0\/1/);
    // a held-out run is kept beside it, not in its place
    await runEval({ model: t.versionDir, tasks: [TASK], episodes: 1, out: join(root, 'eval-heldout'), maxSteps: 6, videos: 0, phrasing: 'heldout' });
    const card = readFileSync(join(t.versionDir, 'MODEL_CARD.md'), 'utf8');
    expect(card).toContain('### train phrasings, temporal ensemble (m = 0.01): 0/1');
    expect(card).toContain('### heldout phrasings, the whole chunk then re-plan: 0/1');
    expect(JSON.parse(readFileSync(join(t.versionDir, 'evaluations.json'), 'utf8')).evaluations).toHaveLength(2);
  }, 90_000);
});
