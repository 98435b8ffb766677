// A trained Policy (src/model/policy.ts) run batched: every observation is prepared by the policy (frames, state
// normalized for its arm, tokens), the batch goes through the model in one forward pass, and the chunks come back
// unnormalized with the room estimates. Observations must carry the model's history (the eval envs are made so).
import * as torch from '../torch/index.ts';
import type { Observation } from '../sim/observation.ts';
import { actionChunk, type Policy } from '../model/policy.ts';
import type { BatchPolicy } from './rollout.ts';

export class BatchedPolicy implements BatchPolicy {
  constructor(readonly policy: Policy) {}

  act(obs: Observation[]): { actions: Float32Array[][]; room: [number, number, number][] } {
    const c = this.policy.cfg, B = obs.length, [h, w] = c.vision.imageSize, T = c.history, L = c.text.maxTokens;
    const ps = obs.map((o) => { const p = this.policy.prepare(o); return { ...p, images: p.images.slice() }; }); // prepare reuses its image buffer
    const D = ps[0]!.state.length;
    const cat = <A extends Uint8Array | Float32Array | BigInt64Array>(xs: A[], make: (n: number) => A): A => {
      const out = make(xs.reduce((a, x) => a + x.length, 0));
      let off = 0;
      for (const x of xs) { (out as Uint8Array).set(x as Uint8Array, off); off += x.length; }
      return out;
    };
    const { actions, room } = torch.noGrad(() => torch.tidy(() => {
      const r = this.policy.model.forward({
        images: torch.tensor(cat(ps.map((p) => p.images), (n) => new Uint8Array(n)), { shape: [B, c.cameras.length, T, h, w, 3], dtype: 'uint8' }),
        imagePad: torch.tensor(cat(ps.map((p) => p.imagePad), (n) => new Uint8Array(n)), { shape: [B, T], dtype: 'bool' }),
        state: torch.tensor(cat(ps.map((p) => p.state), (n) => new Float32Array(n)), { shape: [B, D] }),
        stateMask: torch.tensor(cat(ps.map((p) => p.stateMask), (n) => new Uint8Array(n)), { shape: [B, D], dtype: 'bool' }),
        tokens: torch.tensor(cat(ps.map((p) => p.tokens), (n) => new BigInt64Array(n)), { shape: [B, L] }),
        tokenMask: torch.tensor(cat(ps.map((p) => p.tokenMask), (n) => new Uint8Array(n)), { shape: [B, L], dtype: 'bool' }),
        embodiment: torch.tensor(BigInt64Array.from(ps, (p) => BigInt(p.embodiment)), { shape: [B] }),
      });
      return { actions: r.actions.toFloat32Array(), room: r.room.toFloat32Array() };
    }));
    const H = c.horizon, A = c.actionDim;
    return {
      actions: ps.map((p, b) => actionChunk(actions, b, p.norm.action, H, A)),
      room: ps.map((_, b) => [room[b * 3]!, room[b * 3 + 1]!, room[b * 3 + 2]!]),
    };
  }
}
