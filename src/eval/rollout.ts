// Closed-loop rollouts of a policy on one (task, embodiment) cell: an EnvPool stepped in lock-step (resetAll /
// stepAll), the policy run batched in the main thread over every env that needs a new plan, envs whose episode
// ended reset with the next seed. Action chunks are executed k steps before re-planning, or temporally ensembled
// (ACT: a new chunk every step, the action for step t a weighted mean of every chunk's prediction for t, weights
// exp(-m i) with i = 0 the oldest). Also measured: the "reads the room" error (|room estimate - privileged target
// position| in cm, averaged over the steps where the policy was asked; the same for a goal estimate against
// privileged.task.goal), how far each episode got toward its target
// (EpisodePhases: the closest the end effector came, whether the fingers ever held it, how high it was lifted) and
// scene|wrist videos of failures.
import { join } from 'node:path';
import { chunkPlan, type ChunkMode } from './chunk-mode.ts';
import type { Observation, PrivilegedState, StepResult } from '../sim/observation.ts';
import { EnvPool } from '../sim/pool/index.ts';
import type { ResetValue } from '../sim/pool/protocol.ts';
import { resolveEmbodiment } from '../sim/embodiments/index.ts';
import { task as taskDef, taskEnvConfig } from '../sim/tasks/registry.ts';
import type { PoolTaskArgs } from '../sim/tasks/pool-task.ts';
import type { Phrasing } from '../sim/tasks/language.ts';
import { sideBySide } from '../sim/tasks/filmstrip.ts';
import { openVideo } from '../data/video.ts';

/** Which env, episode seed and step (since reset) an observation belongs to (scripted policies use it). */
export interface ActContext { env: number; seed: number; step: number }

/** A policy over a batch of observations: H unnormalized 7-D actions per observation, and optionally room estimates (m) of the target and the goal. */
export interface BatchPolicy {
  act(obs: Observation[], ctx: ActContext[]): { actions: Float32Array[][]; room?: ([number, number, number] | null)[]; goal?: ([number, number, number] | null)[] };
  /** Called when env `env` starts a new episode. */
  reset?(env: number): void;
}

export { chunkPlan, type ChunkMode } from './chunk-mode.ts';

export interface CellOptions {
  task: string;
  embodiment: string;
  seeds: number[];
  phrasing: Phrasing;
  chunk: ChunkMode;
  /** Camera width = height (the model's image size). */
  size: number;
  /** Frames per camera in each observation (the model's history). */
  history: number;
  /** Time limit override (default: the task's). */
  maxSteps?: number;
  workers?: number;
  envsPerWorker?: number;
  /** Videos of at most this many failures are written into videoDir. */
  videos: number;
  videoDir: string;
  onEpisode?: (e: EpisodeOutcome) => void;
  /** Optional per-step hook on each running env's action before it is executed (e.g. a safety shield); returns the action to execute. */
  filterAction?: (ctx: ActContext, action: number[], obs: Observation) => number[];
}

/**
 * How far an episode got toward the target object, from privileged state at every step: a failure's stage, not one
 * bit. null for a task whose target is not a tracked body.
 */
export interface EpisodePhases {
  /** Closest distance between the end effector and the target's origin over the episode (cm). */
  closestCm: number;
  /** Whether the target was ever in the fingers (privileged.grasped: contact with both pads that both sense touch). */
  grasped: boolean;
  /** Highest the target rose above its height at reset (cm; 0 when it never rose). */
  liftCm: number;
  /** The target's horizontal distance from privileged.task.goal at the episode's end (cm); null without a goal. */
  goalCm: number | null;
}

export interface EpisodeOutcome {
  seed: number; success: boolean; steps: number;
  /** Mean |room estimate - target position| over the steps the policy was asked (cm); null without estimates. */
  roomErrorCm: number | null;
  /** The same for the goal estimate against privileged.task.goal (cm); null without goal estimates. */
  goalErrorCm: number | null;
  phases: EpisodePhases | null;
  video?: string;
}

/** The target object's position from privileged state (what the recorder stores as privileged.target_position). */
export function targetPosition(p: PrivilegedState): [number, number, number] | null {
  const t = p.task.target;
  return typeof t === 'string' && p.objects[t] ? p.objects[t]!.pos : null;
}

/** The task's goal position (privileged.task.goal: where the target must go), or null for a task without one. */
export function goalPosition(p: PrivilegedState): [number, number, number] | null {
  const g = p.task.goal;
  return Array.isArray(g) && g.length === 3 ? [Number(g[0]), Number(g[1]), Number(g[2])] : null;
}

interface Slot {
  seed: number;
  step: number;
  active: boolean;
  obs: Observation;
  priv: PrivilegedState;
  plan: Float32Array[];
  /** ensemble: chunks by the step they were made at */
  chunks: { t: number; actions: Float32Array[] }[];
  roomSum: number;
  roomN: number;
  goalSum: number;
  goalN: number;
  /** the target's name and height at reset, and the phases so far (null: no target) */
  target: { name: string; z0: number; phases: EpisodePhases } | null;
  frames: Uint8Array[];
}

function startPhases(p: PrivilegedState): Slot['target'] {
  const t = p.task.target;
  if (typeof t !== 'string' || !p.objects[t]) return null;
  return { name: t, z0: p.objects[t]!.pos[2], phases: { closestCm: Infinity, grasped: false, liftCm: 0, goalCm: null } };
}

function trackPhases(s: Slot): void {
  if (!s.target) return;
  const pos = s.priv.objects[s.target.name]?.pos, ee = s.obs.proprio.eePos, ph = s.target.phases;
  if (!pos) return;
  ph.closestCm = Math.min(ph.closestCm, 100 * Math.hypot(ee[0]! - pos[0], ee[1]! - pos[1], ee[2]! - pos[2]));
  ph.grasped ||= s.priv.grasped.includes(s.target.name);
  ph.liftCm = Math.max(ph.liftCm, 100 * (pos[2] - s.target.z0));
  const g = goalPosition(s.priv);
  if (g) ph.goalCm = 100 * Math.hypot(pos[0] - g[0], pos[1] - g[1]);
}

export async function rolloutCell(policy: BatchPolicy, o: CellOptions): Promise<EpisodeOutcome[]> {
  const def = taskDef(o.task);
  const e = resolveEmbodiment(o.embodiment);
  if (!def.embodiments.includes(e.id)) throw new Error(`task '${o.task}' is not offered on embodiment '${e.id}' (it is on: ${def.embodiments.join(', ')})`);
  const { ensembleM, execute } = chunkPlan(o.chunk);
  const maxSteps = o.maxSteps ?? def.maxSteps;
  const want = Math.max(1, Math.min(o.seeds.length, (o.workers ?? 1) * (o.envsPerWorker ?? 1)));
  const workers = Math.min(o.workers ?? 1, want), per = Math.ceil(want / workers);
  const pool = await EnvPool.create(taskEnvConfig(def, e, { embodiment: e, width: o.size, height: o.size, history: o.history, maxSteps }), {
    workers, envsPerWorker: per, taskModule: new URL('../sim/tasks/pool-task.ts', import.meta.url), taskArgs: { task: def.id, phrasing: o.phrasing } satisfies PoolTaskArgs,
  });
  const outcomes: EpisodeOutcome[] = [];
  let failuresFilmed = 0;
  try {
    const N = pool.size;
    let next = Math.min(N, o.seeds.length);
    const starts = await pool.resetAll(Array.from({ length: N }, (_, i) => o.seeds[i] ?? o.seeds[0]!));
    const frame = (obs: Observation) => sideBySide(Object.keys(obs.images).sort().map((c) => obs.images[c]!.at(-1)!.rgb), o.size, o.size);
    const fresh = (i: number, seed: number, r: ResetValue): Slot => {
      policy.reset?.(i);
      const s: Slot = { seed, step: 0, active: true, obs: r.observation, priv: r.privileged, plan: [], chunks: [], roomSum: 0, roomN: 0, goalSum: 0, goalN: 0, target: startPhases(r.privileged), frames: o.videos > 0 ? [frame(r.observation)] : [] };
      trackPhases(s);
      return s;
    };
    const slots: Slot[] = starts.map((r, i) => ({ ...fresh(i, o.seeds[i] ?? -1, r), active: i < o.seeds.length }));
    while (slots.some((s) => s.active)) {
      const ask = slots.map((s, i) => i).filter((i) => slots[i]!.active && (ensembleM !== null || slots[i]!.plan.length === 0));
      if (ask.length) {
        const r = policy.act(ask.map((i) => slots[i]!.obs), ask.map((i) => ({ env: i, seed: slots[i]!.seed, step: slots[i]!.step })));
        ask.forEach((i, k) => {
          const s = slots[i]!, chunk = r.actions[k]!;
          if (!chunk?.length) throw new Error(`policy gave no actions for env ${i}`);
          if (ensembleM === null) s.plan = chunk.slice(0, execute);
          else { s.chunks.push({ t: s.step, actions: chunk }); s.chunks = s.chunks.filter((c) => s.step - c.t < c.actions.length); }
          const room = r.room?.[k], target = targetPosition(s.priv);
          if (room && target) { s.roomSum += 100 * Math.hypot(room[0] - target[0], room[1] - target[1], room[2] - target[2]); s.roomN++; }
          const goal = r.goal?.[k], g = goalPosition(s.priv);
          if (goal && g) { s.goalSum += 100 * Math.hypot(goal[0] - g[0], goal[1] - g[1], goal[2] - g[2]); s.goalN++; }
        });
      }
      const actions = slots.map((s) => {
        if (!s.active) return [0, 0, 0, 0, 0, 0, s.obs.proprio.gripper]; // finished env: hold still, results ignored
        if (ensembleM === null) return Array.from(s.plan.shift()!);
        const preds = s.chunks.map((c) => c.actions[s.step - c.t]!); // oldest first
        const w = preds.map((_, i) => Math.exp(-ensembleM * i)), W = w.reduce((a, x) => a + x, 0);
        return Array.from({ length: preds[0]!.length }, (_, j) => preds.reduce((a, p, i) => a + w[i]! * p[j]!, 0) / W);
      }).map((a, i) => (o.filterAction && slots[i]!.active ? o.filterAction({ env: i, seed: slots[i]!.seed, step: slots[i]!.step }, a, slots[i]!.obs) : a));
      const results: StepResult[] = await pool.stepAll(actions);
      for (let i = 0; i < N; i++) {
        const s = slots[i]!, r = results[i]!;
        if (!s.active) continue;
        s.step++; s.obs = r.observation; s.priv = r.privileged;
        trackPhases(s);
        if (o.videos > 0) s.frames.push(frame(r.observation));
        if (!(r.terminated || r.truncated || s.step >= maxSteps)) continue;
        const out: EpisodeOutcome = { seed: s.seed, success: r.info.success, steps: s.step, roomErrorCm: s.roomN ? s.roomSum / s.roomN : null, goalErrorCm: s.goalN ? s.goalSum / s.goalN : null, phases: s.target && { ...s.target.phases } };
        if (!out.success && failuresFilmed < o.videos) {
          failuresFilmed++;
          out.video = join(o.videoDir, `${o.task}-${e.id}-${o.phrasing}-seed${s.seed}.mp4`);
          const v = openVideo(out.video, { width: 2 * o.size, height: o.size, fps: 20 });
          for (const f of s.frames) await v.push(f);
          await v.close();
        }
        outcomes.push(out);
        o.onEpisode?.(out);
        if (next < o.seeds.length) {
          const seed = o.seeds[next++]!;
          slots[i] = fresh(i, seed, await pool.reset(i, seed));
        } else s.active = false;
      }
    }
  } finally {
    await pool.close();
  }
  // in seed order, whatever env finished first
  return outcomes.sort((a, b) => o.seeds.indexOf(a.seed) - o.seeds.indexOf(b.seed));
}
