// A trained Policy (src/model/policy.ts) run batched: every observation is prepared by the policy (frames, state
// normalized for its arm, tokens), the batch goes through the model in one forward pass (src/model/batch.ts), and the
// chunks come back unnormalized with the room estimates (the target's, and with roomGoal the goal's). Observations must carry the model's history (the eval envs
// are made so).
import type { Observation } from '../sim/observation.ts';
import type { Policy } from '../model/policy.ts';
import { forwardBatch } from '../model/batch.ts';
import type { BatchPolicy } from './rollout.ts';

export class BatchedPolicy implements BatchPolicy {
  constructor(readonly policy: Policy) {}

  act(obs: Observation[]): { actions: Float32Array[][]; room: [number, number, number][]; goal?: [number, number, number][] } {
    const ps = obs.map((o) => { const p = this.policy.prepare(o); return { ...p, images: p.images.slice() }; }); // prepare reuses its image buffer
    return forwardBatch(this.policy.model, ps);
  }
}
