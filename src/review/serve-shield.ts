// The review's shield for an arm: src/serve/shield's pure shieldAction with the arm's default limits
// (defaultShieldLimits), fed the robot state each env Observation gives; an action counts as changed when the shield
// logged any intervention or held the arm.
import { createHash } from 'node:crypto';
import { defaultShieldLimits, initialShieldState, robotStateFromObservation, shieldAction, type ShieldState } from '../serve/shield/index.ts';
import type { ReviewShield } from './shield.ts';

export async function reviewShield(embodiment: string): Promise<ReviewShield> {
  const limits = await defaultShieldLimits(embodiment);
  return {
    describe: { limits: 'defaultShieldLimits', sha256: createHash('sha256').update(JSON.stringify(limits)).digest('hex').slice(0, 16) },
    start: () => initialShieldState(limits),
    step: (state, action, obs) => {
      const r = shieldAction(action, robotStateFromObservation(obs), limits, state as ShieldState);
      return { action: Array.from(r.action), state: r.state, changed: r.held || r.interventions.length > 0, reasons: r.interventions.map((i) => i.kind) };
    },
  };
}
