// A small task module for EnvPool (used by the pool test, and a template for sector tasks): the cube starts at a
// seeded spot of a fixed row, success is the cube lifted 5 cm, and the expert is the scripted pick-and-place.
import type { TaskModule } from './protocol.ts';
import { runPickPlace } from '../experts/pick-place.ts';

export const hooks: TaskModule['hooks'] = () => ({
  place: (rng) => ({ cube: [0.36 + 0.02 * Math.floor(rng() * 4), 0.05, 0.021] }),
  success: (s) => s.objects.cube!.pos[2] > 0.07,
});

export const expert: TaskModule['expert'] = (env, start, job) => {
  const o = start.privileged.objects.cube!.pos;
  let steps = 0, success = false;
  const step = env.step.bind(env);
  env.step = (a) => { const r = step(a); steps++; success ||= r.terminated; return r; };
  try {
    runPickPlace(env, start, { object: 'cube', goal: [o[0], o[1] - 0.1], restHeight: o[2] }, job.maxSteps);
  } finally {
    env.step = step;
  }
  return { success, steps };
};
