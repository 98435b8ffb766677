// Random arm motion among a scene's objects, for perception data that is not a demonstration: the end effector
// visits random points above randomly chosen objects (any of them, the named target no more often than a
// distractor), gripper open, so that where the arm is says nothing about which object an instruction names. Recorded
// with the simulator's labels it teaches the "reads the room" head to find the target in the images; its actions
// are not an expert's and must never train an action head (datasets record it in their provenance: policy wander).
import type { Env } from '../env.ts';
import type { Observation, PrivilegedState, StepResult } from '../observation.ts';
import { seededRandom } from '../random.ts';
import { runWaypoints, type ExpertResult, type Waypoint } from './waypoints.ts';

/** Height band of the visited points above the table (m): clear of the objects, within the cameras' view. */
const Z_MIN = 0.07, Z_MAX = 0.2;
/** Horizontal scatter around the chosen object (m). */
const SCATTER = 0.06;

/** `count` waypoints above random objects of the scene (seeded by `rng`), each given up after `timeout` steps. */
export function wanderWaypoints(s: PrivilegedState, rng: () => number, count: number, timeout = 12): Waypoint[] {
  const names = Object.keys(s.objects);
  if (names.length === 0) throw new Error('wander: the scene has no objects to wander among');
  return Array.from({ length: count }, (_, i) => {
    const o = s.objects[names[Math.floor(rng() * names.length)]!]!.pos;
    const pos: [number, number, number] = [o[0] + (rng() * 2 - 1) * SCATTER, o[1] + (rng() * 2 - 1) * SCATTER, Math.max(o[2] + 0.05, Z_MIN + rng() * (Z_MAX - Z_MIN))];
    return { name: `wander ${i}`, pos, gripper: 0, tolerance: 0.02, maxStep: 0.03, timeout };
  });
}

/** Wanders for `steps` control steps from the env's state just after reset (seeded by `seed`). */
export function runWander(env: Env, start: { observation: Observation; privileged: PrivilegedState }, seed: number, steps: number, onStep?: (r: StepResult, action: number[]) => void): ExpertResult {
  const rng = seededRandom((seed ^ 0x3c6ef372) >>> 0);
  const wps = wanderWaypoints(start.privileged, rng, Math.ceil(steps / 4) + 1);
  return runWaypoints(env, start, wps, { maxSteps: steps, settle: 0, onStep });
}
