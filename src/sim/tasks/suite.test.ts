// The nine sector tasks as a suite: the registry's contract (sectors, phrasings, time limits, arms), what every
// task's episode must provide (instruction naming the target, privileged target and goal, determinism, rendered
// cameras), and the expert table through the worker pool agreeing with a local run.
import { describe, expect, it } from 'vitest';
import { TASKS, task, createTaskEnv } from './registry.ts';
import { SECTORS } from './types.ts';
import { runExpertSuite, suiteCells, expertTableMarkdown } from './suite.ts';

const ids = [...TASKS.keys()];

describe('the task registry', () => {
  it('has nine tasks, three per sector, with unique kebab-case ids', () => {
    expect(ids).toHaveLength(9);
    for (const s of SECTORS) expect([...TASKS.values()].filter((t) => t.sector === s), s).toHaveLength(3);
    for (const id of ids) expect(id).toMatch(/^[a-z]+(-[a-z]+)*$/);
    expect(() => task('make-tea')).toThrow(/unknown task 'make-tea' \(known: .*cup-on-tray/);
  });
  it.each(ids)('%s: several train phrasings, held-out ones that differ, a time limit, both own arms', (id) => {
    const t = task(id);
    expect(t.templates.train.length).toBeGreaterThanOrEqual(6);
    expect(t.templates.heldout.length).toBeGreaterThanOrEqual(3);
    for (const h of t.templates.heldout) expect(t.templates.train).not.toContain(h);
    expect(t.maxSteps).toBeGreaterThan(0);
    expect(t.embodiments).toEqual(expect.arrayContaining(['kara6', 'kara7']));
    expect(t.summary.length).toBeGreaterThan(10);
  });
  it('offers the pick-and-place tasks on the WidowX too', () => {
    const onWidowx = ids.filter((id) => task(id).embodiments.includes('widowx250'));
    expect(onWidowx).toEqual(expect.arrayContaining(['cup-on-tray', 'bowl-to-bin', 'plate-at-seat', 'bento-compartment', 'reject-defect', 'conveyor-pick', 'bedside-table']));
  });
});

describe.each(ids)('task %s', (id) => {
  it('episodes name their target, carry a goal, vary with the seed, repeat for a seed, and render', async () => {
    const { env } = await createTaskEnv(id, { embodiment: 'kara6', width: 32, height: 32, history: 1 });
    try {
      const seen = new Set<string>();
      for (const seed of [0, 1, 2, 3]) {
        const { observation: o, privileged: p } = env.reset(seed);
        expect(o.instruction.length, `seed ${seed}`).toBeGreaterThan(5);
        const target = p.task.target as string;
        expect(env.trackedNames, `seed ${seed}: target ${target}`).toContain(target);
        expect(p.task.goal).toHaveLength(3);
        expect((p.task.goal as number[]).every(Number.isFinite)).toBe(true);
        const px = o.images.scene![0]!.rgb;
        expect(new Set(px).size).toBeGreaterThan(10); // a real picture, not a blank frame
        seen.add(`${o.instruction}|${target}|${p.objects[target]!.pos.map((v) => v.toFixed(3))}`);
      }
      expect(seen.size).toBe(4);
      const a = env.reset(7), b = env.reset(7);
      expect(b.observation.instruction).toBe(a.observation.instruction);
      expect(b.privileged).toEqual(a.privileged);
      expect(b.observation.images.scene![0]!.rgb).toEqual(a.observation.images.scene![0]!.rgb);
    } finally {
      env.dispose();
    }
  });
});

describe('the expert table', () => {
  it('lists cells per task and embodiment, and refuses an arm no selected task is on', () => {
    expect(suiteCells({ tasks: ['cup-on-tray'] }).map((c) => c.embodiment)).toEqual([...task('cup-on-tray').embodiments]);
    expect(() => suiteCells({ tasks: ['nurse-call'], embodiments: ['ur5'] })).toThrow(/no selected task is offered on embodiment 'ur5'/);
  });
  it('runs experts in the worker pool with the same outcomes as in a local env', async () => {
    const [cell] = await runExpertSuite({ tasks: ['cup-on-tray'], embodiments: ['kara6'], episodes: 3, seedStart: 40, workers: 2 });
    expect(cell).toMatchObject({ task: 'cup-on-tray', sector: 'restaurant', embodiment: 'kara6', episodes: 3, workers: 2 });
    const { env, task: inst, definition } = await createTaskEnv('cup-on-tray', { embodiment: 'kara6', width: 0, height: 0 });
    const local = [40, 41, 42].map((seed) => inst.expert(env, env.reset(seed), { maxSteps: definition.maxSteps }));
    env.dispose();
    expect(cell!.successes).toBe(local.filter((r) => r.success).length);
    expect(cell!.meanSteps).toBeCloseTo(local.reduce((s, r) => s + r.steps, 0) / 3, 9);
    expect(cell!.failedSeeds).toEqual([40, 41, 42].filter((_, i) => !local[i]!.success));
    expect(expertTableMarkdown([cell!])).toMatch(/\| cup-on-tray \| restaurant \| kara6 \| \d\/3 \(\d+%\) \|/);
  });
  it('perturbs the experts as asked, with the same outcomes as a local env perturbed alike', async () => {
    const perturbation = { actionNoise: 0.01, actionJolts: { rate: 0.1, min: 0.01, max: 0.03 } };
    const [cell] = await runExpertSuite({ tasks: ['cup-on-tray'], embodiments: ['kara6'], episodes: 3, seedStart: 0, workers: 2, perturbation });
    const { env, task: inst, definition } = await createTaskEnv('cup-on-tray', { embodiment: 'kara6', width: 0, height: 0, ...perturbation });
    const local = [0, 1, 2].map((seed) => inst.expert(env, env.reset(seed), { maxSteps: definition.maxSteps }));
    env.dispose();
    expect(cell!.failedSeeds).toEqual([0, 1, 2].filter((_, i) => !local[i]!.success));
    expect(cell!.meanSteps).toBeCloseTo(local.reduce((s, r) => s + r.steps, 0) / 3, 9);
    expect(cell!.successes).toBeLessThan(3); // 1 cm per step breaks the expert (bench/sim/expert-perturbation.ts)
  });
});
