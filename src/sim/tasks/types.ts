// What a sector task is, as Karakuri's benchmark suite sees it: an id and sector, instruction templates, the scene
// it builds for an embodiment (objects, the task's own MJCF, sensors, drives), and per env a TaskInstance: the
// env's hooks (episode randomization + success predicate) plus the scripted expert that solves it from privileged
// state.
import type { Env, EnvConfigInput, TaskHooks } from '../env.ts';
import type { EmbodimentSpec } from '../embodiments/schema.ts';
import type { Observation, PrivilegedState } from '../observation.ts';
import type { ExpertResult, RunOptions } from '../experts/waypoints.ts';
import type { Phrasing, Templates } from './language.ts';

export const SECTORS = ['restaurant', 'food-factory', 'care'] as const;
export type Sector = (typeof SECTORS)[number];

/** The parts of an env config that a task's scene decides (the caller decides the arm, cameras and action mode). */
export type TaskScene = Pick<EnvConfigInput, 'objects' | 'staticMjcf' | 'assetMjcf' | 'files' | 'trackBodies' | 'sceneCamera' | 'sensorMjcf' | 'actuatorMjcf'>;

export interface TaskOptions {
  /** Which instruction templates episodes are phrased from (default 'train'). */
  phrasing: Phrasing;
}

/** One env's task: its hooks and its expert. May keep per-episode state (e.g. how long an object has been held). */
export interface TaskInstance extends TaskHooks {
  /** Solves the episode that `start` began (the env was just reset), using privileged state only. */
  expert(env: Env, start: { observation: Observation; privileged: PrivilegedState }, opts: Omit<RunOptions, 'yaw'>): ExpertResult;
}

export interface TaskDefinition {
  /** Stable id, kebab-case (e.g. "cup-on-tray"), recorded with every episode. */
  id: string;
  sector: Sector;
  /** One line for listings. */
  summary: string;
  /** Embodiments the task is offered on (its expert is held to the suite's success bar on each). */
  embodiments: readonly string[];
  /** Time limit in control steps (20 Hz). */
  maxSteps: number;
  templates: Templates;
  scene(e: EmbodimentSpec): TaskScene;
  create(e: EmbodimentSpec, opts: TaskOptions): TaskInstance;
}
