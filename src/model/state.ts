// State and sensor tokens: the loader's state vector [wrench (6) | touch (2) | proprio (zero-padded to proprioMax)]
// split into its three parts, each projected to one token. The state mask multiplies the input first, so the padded
// proprio components of a smaller embodiment (and anything that might sit in them) contribute nothing.
import * as torch from '../torch/index.ts';
import { stateDim, type ModelConfig } from './config.ts';
const { nn } = torch;
type Tensor = torch.Tensor;

export class StateEncoder extends nn.Module {
  readonly wrench: torch.nn.Linear;
  readonly touch: torch.nn.Linear;
  readonly proprio: torch.nn.Linear;
  readonly norm: torch.nn.LayerNorm;
  constructor(readonly cfg: ModelConfig) {
    super();
    const s = cfg.stateLayout;
    this.wrench = this.child('wrench', new nn.Linear(Math.max(1, s.wrench), cfg.dim));
    this.touch = this.child('touch', new nn.Linear(Math.max(1, s.touch), cfg.dim));
    this.proprio = this.child('proprio', new nn.Linear(s.proprioMax, cfg.dim));
    this.norm = this.child('norm', new nn.LayerNorm(cfg.dim));
  }

  /** state float32 [B, D'], stateMask bool [B, D'] (true = real component; D' <= D, zero-padded here) -> tokens [B, 3, dim] (wrench, touch, proprio). */
  forward(state: Tensor, stateMask: Tensor): Tensor {
    return torch.tidy(() => {
      const D = stateDim(this.cfg);
      const [B, d] = state.shape as [number, number];
      if (state.ndim !== 2 || d > D || stateMask.shape.join(',') !== state.shape.join(',')) {
        throw new RangeError(`StateEncoder: state [${state.shape.join(', ')}] and stateMask [${stateMask.shape.join(', ')}] must both be [B, <= ${D}] (wrench ${this.cfg.stateLayout.wrench} + touch ${this.cfg.stateLayout.touch} + proprio up to ${this.cfg.stateLayout.proprioMax})`);
      }
      const { wrench: nw, touch: nt, proprioMax: np } = this.cfg.stateLayout;
      // a loader batch is only as wide as its widest arm: pad the rest (masked out) up to the model's width
      const full = d < D ? torch.cat([state, torch.zeros([B, D - d])], 1) : state; // (B, D)
      const fullMask = d < D ? torch.cat([stateMask.bool(), torch.zeros([B, D - d], 'bool')], 1) : stateMask.bool(); // (B, D)
      const x = full.mul(fullMask.float()); // (B, D): masked components are exactly 0
      const part = (start: number, n: number) => (n > 0 ? x.narrow(1, start, n) : torch.zeros([x.size(0), 1])); // (B, n)
      const tokens = [
        this.wrench.forward(part(0, nw)),
        this.touch.forward(part(nw, nt)),
        this.proprio.forward(part(nw + nt, np)),
      ]; // 3 x (B, dim)
      return this.norm.forward(torch.stack(tokens, 1)); // (B, 3, dim)
    });
  }
}
