// Messages between the env pool and its worker threads. Observations cross as plain data (typed arrays are
// structured-cloned); each worker owns its envs outright.
import type { Env, EnvConfigInput, TaskHooks } from '../env.ts';
import type { Observation, PrivilegedState, StepResult } from '../observation.ts';
import type { Rollout } from '../rollout.ts';

/** A whole episode run inside a worker: who acts is named, since functions cannot cross threads. */
export interface EpisodeJob {
  seed: number;
  /**
   * 'random': uniform random end-effector actions; 'pick-place': the scripted expert moves the first object 10 cm;
   * 'task': the expert of the pool's task module; 'wander': random arm motion among the objects (src/sim/experts/wander.ts),
   * perception data that is not a demonstration.
   */
  policy: 'random' | 'pick-place' | 'task' | 'wander';
  maxSteps: number;
  /** Record the episode (policies 'task' and 'wander'): the result then carries its Rollout. */
  record?: boolean;
}
/**
 * The task's expert taking over env `env` from wherever it is now (after the caller stepped it, e.g. with a learned
 * policy: DAgger-style corrections), for at most `maxSteps` steps; `record` records only the expert's part.
 */
export interface TakeoverJob { seed: number; maxSteps: number; record?: boolean }
export interface EpisodeResult { seed: number; steps: number; success: boolean; seconds: number; worker: number; rollout?: Rollout }

export type Request =
  | { id: number; type: 'init'; config: EnvConfigInput; envs: number; taskModule?: string; taskArgs?: unknown }
  | { id: number; type: 'reset'; env: number; seed: number }
  | { id: number; type: 'step'; env: number; action: number[] }
  | { id: number; type: 'episode'; env: number; job: EpisodeJob }
  | { id: number; type: 'takeover'; env: number; job: TakeoverJob }
  | { id: number; type: 'close' };

export type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string };

export type ResetValue = { observation: Observation; privileged: PrivilegedState };
export type StepValue = StepResult;

/**
 * A task for pool workers, as a module (functions cannot cross threads, module URLs can): the hooks each worker's envs
 * get, and optionally the scripted expert that policy 'task' runs from a fresh reset.
 */
export interface TaskModule {
  /** The hooks of one env (called once per env); `args` are EnvPool.create's taskArgs (structured-cloned). */
  hooks?(config: EnvConfigInput, args?: unknown): TaskHooks;
  /**
   * The scripted expert from `start`: a fresh reset, or (a takeover) the env's state after someone else stepped it;
   * `onStep` (when recording) must see every step and its action.
   */
  expert?(env: Env, start: ResetValue, job: EpisodeJob, onStep?: (r: StepResult, action: number[]) => void): { success: boolean; steps: number };
}
