// The image encoder shared by every camera and history frame: uint8 HWC frames -> /255 -> per-channel normalization
// -> compact CNN (a stem conv: 4x4 stride 4 patchify or 3x3 stride 2, then 3x3 stride-2 convs; each block conv,
// GroupNorm, FiLM from the instruction's pooled vector, ReLU) ->
// adaptive average pooling to a side x side grid -> spatial tokens projected to `dim` + a learned position per cell,
// + (optional, vision.keypoints = K) the projection of K spatial-softmax keypoints (expected x, y of K attention maps
// over the last feature map) added to every token of that image
// + (optional, vision.pointers = P) the projection of P instruction-conditioned pointers: queries from the text's
// pooled vector attend over the cells of one block's feature map (vision.pointerBlock), each giving the expected
// (x, y) of its attention and the features it attended to, added to every token of that image (where the named
// object is, not only what is there).
import * as torch from '../torch/index.ts';
import { tokenSide, type ModelConfig } from './config.ts';
const { nn, F } = torch;
type Tensor = torch.Tensor;

/** ImageNet's per-channel statistics (the usual choice for a CNN trained from scratch on natural-looking frames). */
const MEAN = [0.485, 0.456, 0.406], STD = [0.229, 0.224, 0.225];

/** FiLM (Perez et al. 2018): x * (1 + gamma(c)) + beta(c) per channel; starts as the identity (zero-initialised). */
export class FiLM extends nn.Module {
  readonly proj: torch.nn.Linear;
  constructor(condDim: number, readonly channels: number) {
    super();
    this.proj = this.child('proj', new nn.Linear(condDim, 2 * channels));
    torch.noGrad(() => { this.proj.weight.zero_(); this.proj.bias!.zero_(); });
  }
  /** x [N, ch, h, w] with N = B * per (the images of each sample are consecutive), cond [B, condDim]. */
  forward(x: Tensor, cond: Tensor, per: number): Tensor {
    return torch.tidy(() => {
      const [N, ch, h, w] = x.shape as [number, number, number, number];
      const B = N / per;
      const [gamma, beta] = this.proj.forward(cond).reshape(B, 1, 2 * ch, 1, 1).chunk(2, 2) as [Tensor, Tensor]; // (B, 1, ch, 1, 1) each
      const y = x.reshape(B, per, ch, h, w); // (B, per, ch, h, w)
      return y.mul(gamma.add(1)).add(beta).reshape(N, ch, h, w); // (N, ch, h, w)
    });
  }
}

/** Spatial softmax: maps [N, K, h, w] -> the expected (x, y) in [-1, 1] of each map's softmax over space, [N, 2K]. */
export function spatialSoftmax(maps: Tensor): Tensor {
  return torch.tidy(() => {
    const [N, K, h, w] = maps.shape as [number, number, number, number];
    const xy = F.softmax(maps.reshape(N, K, h * w), 2).matmul(cellCoordinates(h, w)); // (N, K, 2)
    return torch.cat([xy.select(2, 0), xy.select(2, 1)], 1); // (N, 2K): all x, then all y
  });
}

/** The (x, y) in [-1, 1] of each cell of an h x w map, row-major: [h*w, 2]. */
export function cellCoordinates(h: number, w: number): Tensor {
  const xy = new Float32Array(h * w * 2);
  for (let i = 0; i < h * w; i++) {
    xy[2 * i] = w === 1 ? 0 : ((i % w) / (w - 1)) * 2 - 1;
    xy[2 * i + 1] = h === 1 ? 0 : (Math.floor(i / w) / (h - 1)) * 2 - 1;
  }
  return torch.tensor(xy, { shape: [h * w, 2] });
}

/** Width of a pointer's query and keys. */
export const POINTER_DIM = 32;

/**
 * Instruction-conditioned pointers: P queries (a linear map of the text's pooled vector) attend over the cells of a
 * feature map (1x1-conv keys); each pointer gives the expected (x, y) of its attention and the features it attended
 * to, all projected to one vector per image. Like spatial-softmax keypoints, but the instruction picks what to find.
 */
export class Pointers extends nn.Module {
  readonly query: torch.nn.Linear;
  readonly key: torch.nn.Conv2d;
  readonly proj: torch.nn.Linear;
  constructor(condDim: number, readonly channels: number, readonly count: number, outDim: number) {
    super();
    this.query = this.child('query', new nn.Linear(condDim, count * POINTER_DIM));
    this.key = this.child('key', new nn.Conv2d(channels, POINTER_DIM, 1));
    this.proj = this.child('proj', new nn.Linear(count * (2 + channels), outDim));
  }
  /**
   * x [N, ch, h, w] with N = B * per (each sample's images consecutive), cond [B, condDim] -> where each pointer looks,
   * xy [N, P, 2] in [-1, 1], and what it sees there, feat [N, P, ch] (the attention-weighted features).
   */
  locate(x: Tensor, cond: Tensor, per: number): { xy: Tensor; feat: Tensor; logits: Tensor } {
    return torch.tidy(() => {
      const [N, ch, h, w] = x.shape as [number, number, number, number];
      const B = N / per, P = this.count, n = h * w;
      const q = this.query.forward(cond).reshape(B, 1, P, POINTER_DIM).expand(B, per, P, POINTER_DIM).reshape(N, P, POINTER_DIM);
      const k = this.key.forward(x).reshape(N, POINTER_DIM, n); // (N, kd, n)
      const logits = q.matmul(k).div(Math.sqrt(POINTER_DIM)); // (N, P, n): attention logits over the cells, row-major
      const att = F.softmax(logits, 2);
      return { xy: att.matmul(cellCoordinates(h, w)), feat: att.matmul(x.reshape(N, ch, n).transpose(1, 2)), logits }; // (N, P, 2), (N, P, ch)
    });
  }
  /** x [N, ch, h, w], cond [B, condDim] -> [N, outDim] (every pointer's (x, y) and features, projected) and the logits. */
  forward(x: Tensor, cond: Tensor, per: number): { out: Tensor; logits: Tensor } {
    return torch.tidy(() => {
      const { xy, feat, logits } = this.locate(x, cond, per);
      return { out: this.proj.forward(torch.cat([xy, feat], 2).reshape(x.size(0), this.count * (2 + this.channels))), logits }; // (N, outDim)
    });
  }
}

export class VisionEncoder extends nn.Module {
  readonly convs: torch.nn.Conv2d[] = [];
  readonly norms: torch.nn.GroupNorm[] = [];
  readonly films: FiLM[] = [];
  readonly proj: torch.nn.Linear;
  readonly pos: Tensor;
  readonly scale: Tensor;
  readonly shift: Tensor;
  readonly side: number;
  /** Keypoint maps (1x1 conv) and their coordinates' projection; null when vision.keypoints = 0. */
  readonly keypoints: { conv: torch.nn.Conv2d; proj: torch.nn.Linear } | null = null;
  /** Instruction-conditioned pointers over block pointerBlock's feature map; null when vision.pointers = 0. */
  readonly pointers: Pointers | null = null;
  /** The block whose output the pointers attend over. */
  readonly pointerBlock: number;
  constructor(readonly cfg: ModelConfig) {
    super();
    const { channels, groups } = cfg.vision;
    this.pointerBlock = cfg.vision.pointerBlock ?? channels.length - 1;
    let cin = 3;
    channels.forEach((ch, i) => {
      const patchify = i === 0 && cfg.vision.stemStride === 4;
      this.convs.push(patchify ? new nn.Conv2d(cin, ch, 4, { stride: 4 }) : new nn.Conv2d(cin, ch, 3, { stride: 2, padding: 1 }));
      this.norms.push(new nn.GroupNorm(groups, ch));
      this.films.push(new FiLM(cfg.dim, ch));
      cin = ch;
    });
    this.child('convs', new nn.ModuleList(this.convs));
    this.child('norms', new nn.ModuleList(this.norms));
    this.child('films', new nn.ModuleList(this.films));
    this.side = tokenSide(cfg);
    this.proj = this.child('proj', new nn.Linear(cin, cfg.dim));
    const K = cfg.vision.keypoints;
    if (K > 0) this.keypoints = { conv: this.child('kpConv', new nn.Conv2d(cin, K, 1)), proj: this.child('kpProj', new nn.Linear(2 * K, cfg.dim)) };
    if (cfg.vision.pointers > 0) this.pointers = this.child('pointers', new Pointers(cfg.dim, channels[this.pointerBlock]!, cfg.vision.pointers, cfg.dim));
    this.pos = this.param('pos', nn.init.normal([cfg.vision.tokensPerImage, cfg.dim], 0.02));
    // (x / 255 - mean) / std as one multiply-add: x * scale + shift
    this.scale = this.buffer('scale', torch.tensor(STD.map((s) => 1 / (255 * s)), { shape: [1, 3, 1, 1] }));
    this.shift = this.buffer('shift', torch.tensor(MEAN.map((m, i) => -m / STD[i]!), { shape: [1, 3, 1, 1] }));
  }

  /**
   * frames uint8 [B, per, H, W, 3] (per = cameras x history, any order), cond [B, dim] (the text's pooled vector)
   * -> tokens [B, per, n, dim] with n = tokensPerImage.
   */
  forward(frames: Tensor, cond: Tensor): Tensor {
    return this.encode(frames, cond).tokens;
  }

  /**
   * forward(), and the pointers' attention logits over the cells of their feature map (pointerMapSize), [B, per, P, h*w] row-major
   * (null without pointers): what a pointer loss supervises.
   */
  encode(frames: Tensor, cond: Tensor): { tokens: Tensor; pointerLogits: Tensor | null } {
    return torch.tidy(() => {
      const [B, per, H, W, ch] = frames.shape as [number, number, number, number, number];
      const [eh, ew] = this.cfg.vision.imageSize;
      if (ch !== 3 || H !== eh || W !== ew) throw new RangeError(`VisionEncoder: frames are ${H}x${W}x${ch}, the model takes ${eh}x${ew}x3 (vision.imageSize)`);
      // contiguous NCHW: elementwise ops would keep the permuted (channels-last) strides, and convs on those are slower
      let x = frames.reshape(B * per, H, W, 3).permute(0, 3, 1, 2).contiguous().float().mul(this.scale).add(this.shift); // (B*per, 3, H, W)
      let pointed: { out: Tensor; logits: Tensor } | null = null;
      for (let i = 0; i < this.convs.length; i++) {
        const h = this.norms[i]!.forward(this.convs[i]!.forward(x)); // (B*per, ch_i, H/2^i, W/2^i)
        x = this.films[i]!.forward(h, cond, per).relu();
        if (this.pointers && i === this.pointerBlock) pointed = this.pointers.forward(x, cond, per);
      }
      const pooled = F.adaptiveAvgPool2d(x, this.side); // (B*per, c, side, side)
      const c = pooled.size(1), n = this.side * this.side;
      const cells = pooled.reshape(B * per, c, n).transpose(1, 2); // (B*per, n, c)
      let tokens = this.proj.forward(cells).add(this.pos); // (B*per, n, dim)
      if (this.keypoints) tokens = tokens.add(this.keypoints.proj.forward(spatialSoftmax(this.keypoints.conv.forward(x))).unsqueeze(1));
      let pointerLogits: Tensor | null = null;
      if (pointed) {
        tokens = tokens.add(pointed.out.unsqueeze(1));
        pointerLogits = pointed.logits.reshape(B, per, this.cfg.vision.pointers, -1); // (B, per, P, h*w)
      }
      return { tokens: tokens.reshape(B, per, n, this.cfg.dim), pointerLogits }; // (B, per, n, dim)
    });
  }
}
