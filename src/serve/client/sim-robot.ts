// The simulator as a robot behind the client SDK: one episode of an Env driven through a RobotClient (policy server
// over the wire, the client-side shield, the watchdog), as a real robot's loop would be: observe, act, step. Reports
// success, length, how many steps were held (watchdog or shield) and the shield's interventions by kind.
import type { Env } from '../../sim/env.ts';
import type { InterventionKind } from '../shield/shield.ts';
import type { RobotClient } from './robot-client.ts';

export interface SimEpisode {
  seed: number;
  success: boolean;
  steps: number;
  heldByWatchdog: number;
  heldByShield: number;
  interventions: Partial<Record<InterventionKind, number>>;
  seconds: number;
}

/** Runs one episode of `env` (reset with `seed`) through `robot` until success, truncation or maxSteps. */
export async function runSimEpisode(env: Env, robot: RobotClient, seed: number, maxSteps = env.config.maxSteps): Promise<SimEpisode> {
  const t0 = performance.now();
  let obs = env.reset(seed).observation;
  robot.reset();
  const out: SimEpisode = { seed, success: false, steps: 0, heldByWatchdog: 0, heldByShield: 0, interventions: {}, seconds: 0 };
  try {
    while (out.steps < maxSteps) {
      const d = await robot.act(obs);
      if (d.source === 'watchdog') out.heldByWatchdog++;
      if (d.source === 'shield') out.heldByShield++;
      for (const i of d.interventions) out.interventions[i.kind] = (out.interventions[i.kind] ?? 0) + 1;
      const r = env.step(d.action);
      obs = r.observation;
      out.steps++;
      if (r.terminated || r.truncated) { out.success = r.info.success; break; }
    }
  } finally {
    robot.stop();
  }
  out.seconds = (performance.now() - t0) / 1000;
  return out;
}
