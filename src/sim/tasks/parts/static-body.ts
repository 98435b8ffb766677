// Moving a task's static bodies between episodes (a bedside table, a patient's hand, a button's housing): sets the
// body's position and yaw in the compiled model (the env runs mj_forward after the episode hook, so the world poses
// and contacts follow). Each episode must set every body it moves: the model keeps the last episode's values.
import type { Env } from '../../env.ts';
import { idOf, mujocoSync } from '../../mujoco.ts';

/** Puts body `name` (a child of the world) at `pos` turned by `yaw` about the vertical. */
export function moveStatic(env: Env, name: string, pos: readonly [number, number, number], yaw = 0): void {
  const b = idOf(mujocoSync(), env.model, 'body', name);
  (env.model.body_pos as Float64Array).set(pos, 3 * b);
  (env.model.body_quat as Float64Array).set([Math.cos(yaw / 2), 0, 0, Math.sin(yaw / 2)], 4 * b);
}
