// Expert takeovers (DAgger-style corrections, as in HG-DAgger): a learned policy drives each episode for a few steps,
// then the task's scripted expert takes over from wherever the policy left the arm and the objects, and only the
// expert's part is recorded. The policy's own mistakes (an approach off to one side, fingers closed beside the
// object) become start states of demonstrations, the states a policy trained on clean demonstrations never saw
// recovered from. The handover step of each seed is drawn uniformly from [lo, hi] (seeded); an episode that the policy
// ends before its handover (success or time-out) is not recorded. Datasets say so in their provenance (policy
// 'takeover', the model's weights sha256, the handover range); their actions are the expert's, so they train actions.
import { join, resolve } from 'node:path';
import type { Observation } from '../sim/observation.ts';
import { EnvPool, type EpisodeResult } from '../sim/pool/index.ts';
import { resolveEmbodiment } from '../sim/embodiments/index.ts';
import { task as taskDef, taskEnvConfig } from '../sim/tasks/registry.ts';
import type { PoolTaskArgs } from '../sim/tasks/pool-task.ts';
import { CAMERAS } from '../sim/world.ts';
import { seededRandom } from '../sim/random.ts';
import { DatasetWriter } from '../data/lerobot/writer.ts';
import { simFeatures } from '../data/record/sim-features.ts';
import { rolloutToEpisode } from '../data/record/episode.ts';
import { Policy } from '../model/policy.ts';
import { sha256File } from '../train/version.ts';
import { BatchedPolicy } from './policy.ts';
import type { BatchPolicy } from './rollout.ts';

/** The step at which the expert takes episode `seed` over: uniform in [lo, hi], the same for a seed every time. */
export function handoverStep(seed: number, [lo, hi]: readonly [number, number]): number {
  return lo + Math.floor(seededRandom((seed ^ 0x2545f491) >>> 0)() * (hi - lo + 1));
}

/** How one seed went: the policy ended it before the handover, or the expert took over (and then succeeded or not). */
export interface TakeoverOutcome {
  seed: number;
  handover: number;
  /** 'policy-ended': the episode ended (success or time-out) before the handover; nothing to record. */
  kind: 'policy-ended' | 'taken-over';
  /** The policy's success ('policy-ended') or the expert's ('taken-over'). */
  success: boolean;
  /** The expert's part (steps) when taken over. */
  expertSteps: number;
}

export interface TakeoverCellOptions {
  task: string;
  embodiment: string;
  seeds: number[];
  /** The handover range [lo, hi] in control steps since reset. */
  handover: readonly [number, number];
  /** Camera side (the model's image size) and frames per observation (the model's history). */
  size: number;
  history: number;
  workers?: number;
  envsPerWorker?: number;
  /** Every seed's result in seed order, with the expert's Rollout when it took over. */
  onResult: (o: TakeoverOutcome, r: EpisodeResult | null) => Promise<void> | void;
}

interface Slot { seed: number; step: number; handover: number; active: boolean; obs: Observation; plan: Float32Array[] }

/**
 * One (task, arm) cell: the policy's chunks are executed whole (then it re-plans) on every env in lock-step until an
 * env reaches its handover step, where the expert takes that env over (recording); envs then restart with the next
 * seed. Results reach onResult in seed order.
 */
export async function takeoverCell(policy: BatchPolicy, o: TakeoverCellOptions): Promise<void> {
  const def = taskDef(o.task);
  const e = resolveEmbodiment(o.embodiment);
  if (!def.embodiments.includes(e.id)) throw new Error(`takeover: task '${o.task}' is not offered on embodiment '${e.id}' (it is on: ${def.embodiments.join(', ')})`);
  const [lo, hi] = o.handover;
  if (!(Number.isInteger(lo) && Number.isInteger(hi) && lo >= 1 && lo <= hi && hi < def.maxSteps)) {
    throw new RangeError(`takeover: the handover range must be integers 1 <= lo <= hi < ${def.maxSteps} (the time limit of '${def.id}'), got [${lo}, ${hi}]`);
  }
  if (!o.seeds.length) return;
  const want = Math.min(o.seeds.length, (o.workers ?? 1) * (o.envsPerWorker ?? 4));
  const workers = Math.min(o.workers ?? 1, want), per = Math.ceil(want / workers);
  const pool = await EnvPool.create(taskEnvConfig(def, e, { embodiment: e, width: o.size, height: o.size, history: o.history, maxSteps: def.maxSteps }), {
    workers, envsPerWorker: per, taskModule: new URL('../sim/tasks/pool-task.ts', import.meta.url), taskArgs: { task: def.id } satisfies PoolTaskArgs,
  });
  // results in seed order, whatever env finished first
  const ready = new Map<number, [TakeoverOutcome, EpisodeResult | null]>();
  let nextOut = 0;
  const emit = async (out: TakeoverOutcome, r: EpisodeResult | null) => {
    ready.set(out.seed, [out, r]);
    while (nextOut < o.seeds.length && ready.has(o.seeds[nextOut]!)) {
      const [a, b] = ready.get(o.seeds[nextOut]!)!;
      ready.delete(o.seeds[nextOut]!);
      nextOut++;
      await o.onResult(a, b);
    }
  };
  try {
    const N = pool.size;
    let next = Math.min(N, o.seeds.length);
    const starts = await pool.resetAll(Array.from({ length: N }, (_, i) => o.seeds[i] ?? o.seeds[0]!));
    const fresh = (i: number, seed: number, obs: Observation, active: boolean): Slot => {
      policy.reset?.(i);
      return { seed, step: 0, handover: handoverStep(seed, o.handover), active, obs, plan: [] };
    };
    const slots = starts.map((r, i) => fresh(i, o.seeds[i] ?? -1, r.observation, i < o.seeds.length));
    const restart = async (i: number) => {
      if (next < o.seeds.length) {
        const seed = o.seeds[next++]!;
        slots[i] = fresh(i, seed, (await pool.reset(i, seed)).observation, true);
      } else slots[i]!.active = false;
    };
    while (slots.some((s) => s.active)) {
      const ask = slots.map((_, i) => i).filter((i) => slots[i]!.active && slots[i]!.plan.length === 0);
      if (ask.length) {
        const r = policy.act(ask.map((i) => slots[i]!.obs), ask.map((i) => ({ env: i, seed: slots[i]!.seed, step: slots[i]!.step })));
        ask.forEach((i, k) => {
          if (!r.actions[k]?.length) throw new Error(`takeover: the policy gave no actions for env ${i}`);
          slots[i]!.plan = r.actions[k]!.slice();
        });
      }
      const results = await pool.stepAll(slots.map((s) => (s.active ? Array.from(s.plan.shift()!) : [0, 0, 0, 0, 0, 0, s.obs.proprio.gripper])));
      const handovers: number[] = [];
      for (let i = 0; i < N; i++) {
        const s = slots[i]!, r = results[i]!;
        if (!s.active) continue;
        s.step++; s.obs = r.observation;
        if (r.terminated || r.truncated) {
          await emit({ seed: s.seed, handover: s.handover, kind: 'policy-ended', success: r.info.success, expertSteps: 0 }, null);
          await restart(i);
        } else if (s.step >= s.handover) handovers.push(i);
      }
      // the expert runs inside the workers, each env's takeover alongside the others'
      const taken = await Promise.all(handovers.map((i) => pool.takeover(i, { seed: slots[i]!.seed, maxSteps: def.maxSteps - slots[i]!.step, record: true })));
      for (const [k, i] of handovers.entries()) {
        const s = slots[i]!, r = taken[k]!;
        await emit({ seed: s.seed, handover: s.handover, kind: 'taken-over', success: r.success, expertSteps: r.steps }, r);
        await restart(i);
      }
    }
  } finally {
    await pool.close();
  }
}

export interface CollectTakeoversOptions {
  /** The model version whose policy drives until the handover. */
  model: string;
  tasks: string[];
  embodiment: string;
  /** Seeds tried per task (the expert's successes are kept). */
  episodes: number;
  seedStart: number;
  handover: readonly [number, number];
  /** Camera side: must be the model's image size (default: it). */
  size?: number;
  out: string;
  workers?: number;
  contributor?: string;
  license?: string;
  onEpisode?: (info: { task: string } & TakeoverOutcome) => void;
}

export interface TakeoverSummary {
  dir: string;
  /** Seeds tried, episodes recorded (the expert succeeded), episodes the policy ended first, expert failures. */
  tried: number; recorded: number; policyEnded: number; expertFailed: number;
  frames: number; seconds: number;
}

/** The provenance of a takeover recording: what the recipe's reuse check compares. */
export const takeoverTag = (handover: readonly [number, number]) => `${handover[0]},${handover[1]}`;

/** Records the expert's successful takeovers of `model`'s episodes on every task into one LeRobot v3.0 dataset. */
export async function collectTakeovers(o: CollectTakeoversOptions): Promise<TakeoverSummary> {
  const e = resolveEmbodiment(o.embodiment);
  if (!(Number.isInteger(o.episodes) && o.episodes >= 1)) throw new RangeError(`takeover: episodes must be a positive integer, got ${o.episodes}`);
  const defs = o.tasks.map(taskDef);
  for (const d of defs) if (!d.embodiments.includes(e.id)) throw new Error(`takeover: task '${d.id}' is not offered on embodiment '${e.id}' (it is on: ${d.embodiments.join(', ')})`);
  const t0 = performance.now();
  const policy = await Policy.load(o.model);
  const sum: TakeoverSummary = { dir: o.out, tried: 0, recorded: 0, policyEnded: 0, expertFailed: 0, frames: 0, seconds: 0 };
  try {
    const size = policy.cfg.vision.imageSize[0], fps = 20;
    if (o.size !== undefined && o.size !== size) throw new Error(`takeover: cameras of ${o.size} px asked for, but the model ${o.model} sees ${size} px images`);
    const features = simFeatures(e, { cameras: [CAMERAS.scene, CAMERAS.wrist], width: size, height: size, fps, depth: false });
    const writer = await DatasetWriter.create(o.out, {
      fps, robotType: e.id, features,
      provenance: {
        contributor: o.contributor ?? 'karakuri-sim', license: o.license ?? 'Apache-2.0',
        source: 'simulation (MuJoCo, scripted experts taking over from a learned policy: DAgger-style corrections)',
        policy: 'takeover', takeoverModel: resolve(o.model), takeoverWeightsSha256: await sha256File(join(o.model, 'weights.safetensors')), handover: takeoverTag(o.handover),
        onlySuccess: 'true', seedsPerTask: String(o.episodes),
        embodiment: e.id, sectors: [...new Set(defs.map((d) => d.sector))].join(','), tasks: defs.map((d) => d.id).join(','),
      },
    });
    const batched = new BatchedPolicy(policy);
    for (const def of defs) {
      await takeoverCell(batched, {
        task: def.id, embodiment: e.id, seeds: Array.from({ length: o.episodes }, (_, i) => o.seedStart + i), handover: o.handover,
        size, history: policy.cfg.history, workers: o.workers,
        onResult: async (out, r) => {
          sum.tried++;
          if (out.kind === 'policy-ended') sum.policyEnded++;
          else if (!out.success) sum.expertFailed++;
          else {
            await writer.addEpisode(rolloutToEpisode(r!.rollout!, { taskId: def.id, sector: def.sector }, { depth: false }));
            sum.recorded++; sum.frames += r!.rollout!.length;
          }
          o.onEpisode?.({ task: def.id, ...out });
        },
      });
    }
    await writer.finalize();
  } finally {
    policy.dispose();
  }
  sum.seconds = (performance.now() - t0) / 1000;
  return sum;
}
