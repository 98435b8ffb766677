// One pool worker: owns a few envs and serves reset/step/episode requests from the pool, one at a time.
import { parentPort, threadId } from 'node:worker_threads';
import { Env, seededRandom } from '../env.ts';
import { runPickPlace } from '../experts/pick-place.ts';
import { runWander } from '../experts/wander.ts';
import { runWaypoints } from '../experts/waypoints.ts';
import { RolloutRecorder, rolloutTransfer } from '../rollout.ts';
import type { EpisodeJob, EpisodeResult, Reply, Request, ResetValue, TakeoverJob, TaskModule } from './protocol.ts';
import type { StepResult } from '../observation.ts';

if (!parentPort) throw new Error('src/sim/pool/worker.ts must run as a worker thread');
const port = parentPort;
let envs: Env[] = [];
let task: TaskModule = {};
/** Each env's latest state, from its last reset or step (where a takeover starts), or null after an episode. */
let states: (ResetValue | null)[] = [];
/** Each env's end-effector height at its last reset (where the experts start from). */
let homeZ: number[] = [];
/** A takeover that finds the end effector lower than this above its height at reset first rises straight up to it. */
const CLEAR_ABOVE_HOME = 0.03;

function episode(env: Env, job: EpisodeJob): EpisodeResult {
  const t0 = performance.now();
  const start = env.reset(job.seed);
  if (job.policy === 'task' || job.policy === 'wander') {
    const rec = job.record ? new RolloutRecorder(env) : null;
    rec?.start(job.seed, start);
    const onStep = rec ? (s: StepResult, a: number[]) => rec.step(s, a) : undefined;
    let r: { steps: number; success: boolean };
    if (job.policy === 'task') {
      if (!task.expert) throw new Error("policy 'task' needs a task module with an expert (EnvPool.create option taskModule)");
      r = task.expert(env, start, job, onStep);
    } else {
      r = { steps: runWander(env, start, job.seed, job.maxSteps, onStep).steps, success: false }; // not a task attempt: never a success
    }
    return { seed: job.seed, steps: r.steps, success: r.success, seconds: (performance.now() - t0) / 1000, worker: threadId, rollout: rec?.finish(r.success) };
  }
  if (job.record) throw new Error(`policy '${job.policy}' cannot record; only policies 'task' and 'wander' do`);
  if (job.policy === 'pick-place') {
    const name = env.objectNames[0];
    if (!name) throw new Error("policy 'pick-place' needs at least one object");
    const o = start.privileged.objects[name]!.pos;
    const r = runPickPlace(env, start, { object: name, goal: [o[0], o[1] > 0 ? o[1] - 0.1 : o[1] + 0.1], restHeight: o[2] }, job.maxSteps);
    return { seed: job.seed, steps: r.steps, success: r.success, seconds: (performance.now() - t0) / 1000, worker: threadId };
  }
  const rng = seededRandom(job.seed ^ 0x9e3779b9);
  let steps = 0;
  for (; steps < job.maxSteps; steps++) {
    const a = [0, 0, 0, 0, 0, 0].map(() => (rng() * 2 - 1) * 0.02);
    const r = env.step([...a, rng()]);
    if (r.terminated || r.truncated) { steps++; break; }
  }
  return { seed: job.seed, steps, success: false, seconds: (performance.now() - t0) / 1000, worker: threadId };
}

/** The task's expert from env's current state (see TakeoverJob); the env's episode is spent afterwards. */
function takeover(env: Env, i: number, job: TakeoverJob): EpisodeResult {
  const t0 = performance.now();
  const start = states[i];
  if (!start) throw new Error(`takeover: env ${i} has no episode under way (reset it first; an episode is taken over once)`);
  if (!task.expert) throw new Error('takeover needs a task module with an expert (EnvPool.create option taskModule)');
  states[i] = null;
  const rec = job.record ? new RolloutRecorder(env) : null;
  rec?.start(job.seed, start);
  const onStep = rec ? (s: StepResult, a: number[]) => rec.step(s, a) : undefined;
  // the experts plan from their start height: from lower down (a policy's approach beside the object), a straight line
  // to "above the object" sweeps through it, so the arm first rises straight up, gripper open
  let from = start, steps = 0;
  const clearZ = homeZ[i]! + CLEAR_ABOVE_HOME, [x, y] = start.privileged.eeTarget.pos;
  if (start.observation.proprio.eePos[2] < clearZ - 0.01) {
    const up = runWaypoints(env, start, [{ name: 'clear up', pos: [x, y, clearZ], gripper: 0, tolerance: 0.01, timeout: 20 }], { maxSteps: job.maxSteps, settle: 0, onStep });
    steps = up.steps;
    if (up.last) from = { observation: up.last.observation, privileged: up.last.privileged };
    if (up.last?.terminated || up.last?.truncated) return { seed: job.seed, steps, success: up.success, seconds: (performance.now() - t0) / 1000, worker: threadId, rollout: rec?.finish(up.success) };
  }
  const r = task.expert(env, from, { seed: job.seed, policy: 'task', maxSteps: job.maxSteps - steps, record: job.record }, onStep);
  return { seed: job.seed, steps: steps + r.steps, success: r.success, seconds: (performance.now() - t0) / 1000, worker: threadId, rollout: rec?.finish(r.success) };
}

async function handle(req: Request): Promise<unknown> {
  const env = (i: number) => {
    const e = envs[i];
    if (!e) throw new Error(`worker has no env ${i} (it has ${envs.length})`);
    return e;
  };
  switch (req.type) {
    case 'init':
      task = req.taskModule ? ((await import(req.taskModule)) as TaskModule) : {};
      envs = await Promise.all(Array.from({ length: req.envs }, () => Env.create(req.config, task.hooks?.(req.config, req.taskArgs) ?? {})));
      states = envs.map(() => null);
      homeZ = envs.map(() => 0);
      return envs.length;
    case 'reset': {
      const r = (states[req.env] = env(req.env).reset(req.seed));
      homeZ[req.env] = r.observation.proprio.eePos[2];
      return r;
    }
    case 'step': {
      const r = env(req.env).step(req.action);
      states[req.env] = { observation: r.observation, privileged: r.privileged };
      return r;
    }
    case 'episode': states[req.env] = null; return episode(env(req.env), req.job);
    case 'takeover': return takeover(env(req.env), req.env, req.job);
    case 'close':
      for (const e of envs) e.dispose();
      envs = [];
      return null;
  }
}

port.on('message', (req: Request) => {
  handle(req).then(
    (value) => {
      // a recorded episode's frames move to the main thread instead of being copied (the env resets before reuse)
      const rollout = req.type === 'episode' || req.type === 'takeover' ? (value as EpisodeResult).rollout : undefined;
      port.postMessage({ id: req.id, ok: true, value } satisfies Reply, rollout ? rolloutTransfer(rollout) : []);
    },
    (e: unknown) => port.postMessage({ id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) } satisfies Reply),
  );
});
