// Output heads on the trunk's readout tokens: the L1 action head (H readouts -> [B, H, A] normalized actions, as ACT
// / OpenVLA-OFT regress a chunk; loss L1, Huber or MSE by regressionLoss), the flow-matching action head (pi0: a
// velocity field from noise to the action chunk, conditioned on each step's readout and the flow time, integrated
// with a few Euler steps at inference), and the
// "reads the room" head (room readout -> [B, 3] target position in metres), and the pointer loss that teaches an
// instruction-conditioned pointer to look at the target in the image. Losses mask padded steps (actionPad).
import * as torch from '../torch/index.ts';
import { roomDim, type ModelConfig } from './config.ts';
const { nn, F } = torch;
type Tensor = torch.Tensor;

/** Mean over the real (not padded) steps of a per-element loss [B, H, A]; actionPad bool [B, H], true = padded. */
export function maskedStepMean(perElement: Tensor, actionPad: Tensor): Tensor {
  return torch.tidy(() => {
    const valid = actionPad.bool().logicalNot().float(); // (B, H)
    return perElement.mean(2).mul(valid).sum().div(valid.sum().clamp(1));
  });
}

export class L1ActionHead extends nn.Module {
  readonly mlp: torch.nn.MLP;
  constructor(readonly cfg: ModelConfig) {
    super();
    this.mlp = this.child('mlp', new nn.MLP([cfg.dim, cfg.dim, cfg.actionDim], { activation: 'gelu' }));
  }
  /** readouts [B, H, dim] -> actions [B, H, A] (normalized). */
  forward(readouts: Tensor): Tensor {
    return this.mlp.forward(readouts);
  }
  loss(readouts: Tensor, action: Tensor, actionPad: Tensor): Tensor {
    return torch.tidy(() => {
      const pred = this.forward(readouts);
      const kind = this.cfg.regressionLoss;
      const per = kind === 'huber' ? F.smoothL1Loss(pred, action, 'none', 1) : kind === 'mse' ? pred.sub(action).square() : pred.sub(action).abs();
      return maskedStepMean(per, actionPad);
    });
  }
}

export class FlowActionHead extends nn.Module {
  readonly actionIn: torch.nn.Linear;
  readonly timeMlp: torch.nn.MLP;
  readonly net: torch.nn.MLP;
  readonly freqs: Tensor;
  constructor(readonly cfg: ModelConfig) {
    super();
    const d = cfg.dim;
    this.actionIn = this.child('action_in', new nn.Linear(cfg.actionDim, d));
    this.timeMlp = this.child('time_mlp', new nn.MLP([d, d, d], { activation: 'silu' }));
    this.net = this.child('net', new nn.MLP([d, d, d, cfg.actionDim], { activation: 'gelu' }));
    const half = Math.floor(d / 2);
    const f = Float32Array.from({ length: half }, (_, i) => Math.exp((-Math.log(1000) * i) / Math.max(1, half - 1)));
    this.freqs = this.buffer('freqs', torch.tensor(f, { shape: [1, half] }));
  }
  /** Sinusoidal embedding of the flow time t [B] in [0, 1] -> [B, dim] (zero-padded when dim is odd). */
  private timeEmbedding(t: Tensor): Tensor {
    const arg = t.reshape(-1, 1).mul(this.freqs).mul(100); // (B, dim/2)
    const e = torch.cat([arg.sin(), arg.cos()], 1); // (B, 2*floor(dim/2))
    return e.size(1) === this.cfg.dim ? e : torch.cat([e, torch.zeros([e.size(0), 1])], 1); // (B, dim)
  }
  /** The velocity v(x_t, t) [B, H, A] given readouts [B, H, dim], x_t [B, H, A], t [B]. */
  velocity(readouts: Tensor, xt: Tensor, t: Tensor): Tensor {
    return torch.tidy(() => {
      const temb = this.timeMlp.forward(this.timeEmbedding(t)).unsqueeze(1); // (B, 1, dim)
      return this.net.forward(this.actionIn.forward(xt).add(readouts).add(temb)); // (B, H, A)
    });
  }
  /** pi0's convention: x_t = t * noise + (1 - t) * action, target velocity noise - action; MSE over real steps. */
  loss(readouts: Tensor, action: Tensor, actionPad: Tensor): Tensor {
    return torch.tidy(() => {
      const B = action.size(0);
      const t = torch.rand([B]); // (B)
      const noise = torch.randn(action.shape); // (B, H, A)
      const tt = t.reshape(B, 1, 1); // (B, 1, 1)
      const xt = noise.mul(tt).add(action.mul(tt.neg().add(1)));
      const v = this.velocity(readouts, xt, t);
      return maskedStepMean(v.sub(noise.sub(action)).square(), actionPad);
    });
  }
  /** Euler integration from noise (t = 1) to an action chunk (t = 0) in cfg.flow.steps steps -> [B, H, A]. */
  sample(readouts: Tensor, noise?: Tensor): Tensor {
    return torch.tidy(() => {
      const [B, H] = readouts.shape as [number, number];
      const steps = this.cfg.flow.steps;
      let x = noise ?? torch.randn([B, H, this.cfg.actionDim]); // (B, H, A)
      for (let k = 0; k < steps; k++) {
        const t = torch.full([B], 1 - k / steps);
        x = x.sub(this.velocity(readouts, x, t).div(steps));
      }
      return x;
    });
  }
}

export class RoomHead extends nn.Module {
  readonly mlp: torch.nn.MLP;
  constructor(readonly cfg: ModelConfig) {
    super();
    this.mlp = this.child('mlp', new nn.MLP([cfg.dim, cfg.dim, roomDim(cfg)], { activation: 'gelu' }));
  }
  /** room readout [B, dim] -> target position [B, 3] (metres, world frame), then with roomGoal the goal's [B, 3 more]. */
  forward(readout: Tensor): Tensor {
    return this.mlp.forward(readout);
  }
}

/** Mean Euclidean distance in centimetres between predicted and true positions [B, 3] (metres). */
export function roomErrorCm(pred: Tensor, target: Tensor): number {
  return torch.tidy(() => pred.sub(target).square().sum(1).sqrt().mean().item() * 100);
}

/**
 * The pointer loss's target for one pixel: a Gaussian (sigma half a cell) around (u, v) (from the image's top-left
 * corner, in pixels of an H x W image) over the row-major cells of an h x w feature map, normalized; null when the
 * pixel is unknown (NaN) or outside the image.
 */
export function pointerTarget(u: number, v: number, [h, w]: [number, number], [H, W]: [number, number]): Float32Array | null {
  if (!(u >= 0 && u <= W && v >= 0 && v <= H)) return null;
  const cw = W / w, ch = H / h, sigma = Math.max(cw, ch) / 2, n = h * w, g = new Float32Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const du = ((i % w) + 0.5) * cw - u, dv = (Math.floor(i / w) + 0.5) * ch - v;
    sum += g[i] = Math.exp(-(du * du + dv * dv) / (2 * sigma * sigma));
  }
  for (let i = 0; i < n; i++) g[i]! /= sum;
  return g;
}

/**
 * The pointer loss: cross-entropy of one pointer's attention logits [B, h*w] (row-major cells of an h x w feature map
 * over an H x W image) against pointerTarget of the target pixel [B, 2] (u, v from the image's top-left corner),
 * averaged over the rows whose pixel is known and inside the image (NaN or outside: no loss).
 * Dense, per-cell supervision: it finds the named object far sooner than a regression of its position alone.
 */
export function pointerLoss(logits: Tensor, pixel: Tensor, map: [number, number], image: [number, number]): Tensor {
  return torch.tidy(() => {
    const B = logits.size(0), n = map[0] * map[1];
    if (logits.shape.join(',') !== [B, n].join(',') || pixel.shape.join(',') !== [B, 2].join(',')) throw new RangeError(`pointerLoss: logits [${logits.shape.join(', ')}] and pixel [${pixel.shape.join(', ')}] must be [B, ${n}] and [B, 2]`);
    const px = pixel.toFloat32Array();
    const target = new Float32Array(B * n), valid = new Float32Array(B);
    for (let b = 0; b < B; b++) {
      const g = pointerTarget(px[2 * b]!, px[2 * b + 1]!, map, image);
      if (!g) continue;
      valid[b] = 1;
      target.set(g, b * n);
    }
    const nValid = valid.reduce((a, x) => a + x, 0);
    if (nValid === 0) return torch.scalar(0);
    const ce = torch.tensor(target, { shape: [B, n] }).mul(F.logSoftmax(logits, 1)).sum(1).neg(); // (B)
    return ce.mul(torch.tensor(valid, { shape: [B] })).sum().div(nValid);
  });
}
