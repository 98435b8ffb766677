// The task registry: Karakuri's nine sector tasks by id, and the envs they run in. `karakuri sim tasks` prints it.
import { Env, type EnvConfigInput } from '../env.ts';
import { resolveEmbodiment } from '../embodiments/index.ts';
import type { EmbodimentSpec } from '../embodiments/schema.ts';
import type { TaskDefinition, TaskInstance, TaskOptions } from './types.ts';
import { restaurantTasks } from './restaurant/index.ts';
import { foodFactoryTasks } from './food-factory/index.ts';
import { careTasks } from './care/index.ts';

export const TASKS: ReadonlyMap<string, TaskDefinition> = new Map(
  [...restaurantTasks, ...foodFactoryTasks, ...careTasks].map((t) => [t.id, t]),
);

/** A task by id; the error lists the known ones. */
export function task(id: string): TaskDefinition {
  const t = TASKS.get(id);
  if (!t) throw new Error(`unknown task '${id}' (known: ${[...TASKS.keys()].join(', ')})`);
  return t;
}

/** Everything of an env config except what the task decides. */
export type TaskEnvOptions = Omit<EnvConfigInput, keyof ReturnType<TaskDefinition['scene']> | 'instruction' | 'maxSteps'> & Partial<TaskOptions> & { maxSteps?: number };

/** The env config of a task for an embodiment (the arm, cameras etc. from `opts`). */
export function taskEnvConfig(def: TaskDefinition, e: EmbodimentSpec, opts: TaskEnvOptions): EnvConfigInput {
  const { phrasing: _p, ...rest } = opts;
  return { ...rest, embodiment: e, maxSteps: opts.maxSteps ?? def.maxSteps, ...def.scene(e) };
}

/** Builds the env of task `id` for an embodiment, with a fresh task instance as its hooks. */
export async function createTaskEnv(id: string, opts: TaskEnvOptions): Promise<{ env: Env; task: TaskInstance; definition: TaskDefinition }> {
  const def = task(id);
  const e = resolveEmbodiment(opts.embodiment);
  if (!def.embodiments.includes(e.id)) throw new Error(`task '${id}' is not offered on embodiment '${e.id}' (it is on: ${def.embodiments.join(', ')})`);
  const instance = def.create(e, { phrasing: opts.phrasing ?? 'train' });
  const env = await Env.create(taskEnvConfig(def, e, opts), instance);
  return { env, task: instance, definition: def };
}
