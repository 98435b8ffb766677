// The EnvPool task module of the registered sector tasks: taskArgs { task, phrasing } name the task, each worker env
// gets its own task instance as hooks, and policy 'task' runs that instance's scripted expert.
import type { TaskModule } from '../pool/protocol.ts';
import { resolveEmbodiment } from '../embodiments/index.ts';
import { task } from './registry.ts';
import type { TaskInstance } from './types.ts';
import type { Phrasing } from './language.ts';

export interface PoolTaskArgs { task: string; phrasing?: Phrasing }

export const hooks: TaskModule['hooks'] = (config, args) => {
  const a = args as PoolTaskArgs | undefined;
  if (!a?.task) throw new Error('the sector-task pool module needs taskArgs { task }');
  return task(a.task).create(resolveEmbodiment(config.embodiment), { phrasing: a.phrasing ?? 'train' });
};

export const expert: TaskModule['expert'] = (env, start, job, onStep) => {
  const r = (env.hooks as TaskInstance).expert(env, start, { maxSteps: job.maxSteps, onStep });
  return { success: r.success, steps: r.steps };
};
