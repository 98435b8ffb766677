// One pool worker: owns a few envs and serves reset/step/episode requests from the pool, one at a time.
import { parentPort, threadId } from 'node:worker_threads';
import { Env, seededRandom } from '../env.ts';
import { runPickPlace } from '../experts/pick-place.ts';
import { runWander } from '../experts/wander.ts';
import { RolloutRecorder, rolloutTransfer } from '../rollout.ts';
import type { EpisodeJob, EpisodeResult, Reply, Request, TaskModule } from './protocol.ts';
import type { StepResult } from '../observation.ts';

if (!parentPort) throw new Error('src/sim/pool/worker.ts must run as a worker thread');
const port = parentPort;
let envs: Env[] = [];
let task: TaskModule = {};

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
      return envs.length;
    case 'reset': return env(req.env).reset(req.seed);
    case 'step': return env(req.env).step(req.action);
    case 'episode': return episode(env(req.env), req.job);
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
      const rollout = req.type === 'episode' ? (value as EpisodeResult).rollout : undefined;
      port.postMessage({ id: req.id, ok: true, value } satisfies Reply, rollout ? rolloutTransfer(rollout) : []);
    },
    (e: unknown) => port.postMessage({ id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) } satisfies Reply),
  );
});
