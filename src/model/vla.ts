// KarakuriVLA: the vision-language-action model. Text (TextEncoder) -> pooled vector conditions the image encoder
// (FiLM); image tokens (cameras x history), state/sensor tokens, the embodiment token and the readouts go through
// the trunk; the action head reads H readouts (L1 chunk regression or flow matching) and the room head the last one
// (roomReads 'trunk') or the first camera's current frame tokens and the instruction directly (roomReads 'image', its
// estimate then given to the trunk as a token).
// forward() gives normalized actions [B, H, A] and the room estimate [B, 3] (m; [B, 6] with the goal's, roomGoal); loss() masks padded action steps.
import * as torch from '../torch/index.ts';
import { pointerMapSize, roomDim, parseModelConfig, stateDim, WRIST_CAMERA, type ModelConfig, type ModelConfigInput } from './config.ts';
import { TextEncoder } from './language/text-encoder.ts';
import { VideoEncoder, imageKeyPadding } from './video.ts';
import { StateEncoder } from './state.ts';
import { EmbodimentEncoder } from './embodiment.ts';
import { Trunk } from './trunk.ts';
import { FlowActionHead, L1ActionHead, RoomHead, pointerLoss } from './heads.ts';
const { nn } = torch;
type Tensor = torch.Tensor;

export interface VLAInput {
  images: Tensor;     // uint8 [B, C, T, H, W, 3]
  imagePad: Tensor;   // bool [B, T], true = history frame before the episode's start
  state: Tensor;      // float32 [B, D'] normalized, zero-padded; D' <= D = stateDim(cfg) (the model pads the rest)
  stateMask: Tensor;  // bool [B, D'], true = real component
  tokens: Tensor;     // int64 [B, L'], L' <= maxTokens (a batch may be cut to its longest real row)
  tokenMask: Tensor;  // bool [B, L'], true = real token
  embodiment: Tensor; // int64 [B]
}
/** What the text encoder gives: per-token features and their masked mean. */
export interface EncodedText { tokens: Tensor; pooled: Tensor }
/**
 * Encodings a closed-loop caller may reuse (Policy does): the instruction's (the same all episode) and the per-frame
 * VisionEncoder tokens [B, C*T, n, dim] (a past frame was the current one a step earlier; FiLM depends on the text only).
 */
export interface Cached { text?: EncodedText; frameTokens?: Tensor }
/**
 * room: the target's position [B, 3] (m); roomPixel: where it is in the first camera's current frame [B, 2] (u, v in
 * pixels of vision.imageSize, from the top-left corner; NaN where unknown), which supervises pointer 0's attention.
 */
/** wristPixel: the target's pixel in the wrist camera's current frame [B, 2] (wristPointer), also for pointer 0. */
export interface VLATarget { action: Tensor; actionPad: Tensor; room?: Tensor; roomPixel?: Tensor; wristPixel?: Tensor }

export class KarakuriVLA extends nn.Module {
  readonly cfg: ModelConfig;
  readonly text: TextEncoder;
  readonly video: VideoEncoder;
  readonly stateEnc: StateEncoder;
  readonly embodimentEnc: EmbodimentEncoder;
  readonly trunk: Trunk;
  readonly actionHead: L1ActionHead | FlowActionHead;
  readonly roomHead: RoomHead | null;
  /** roomReads 'image': the room estimate (decimetres) -> a trunk token. */
  readonly roomIn: torch.nn.MLP | null;
  constructor(config: ModelConfig | ModelConfigInput) {
    super();
    const cfg = (this.cfg = parseModelConfig(config));
    this.text = this.child('text', new TextEncoder({ vocab: cfg.text.vocab, dim: cfg.dim, layers: cfg.text.layers, heads: cfg.heads, maxTokens: cfg.text.maxTokens, ffMult: cfg.ffMult, dropout: cfg.dropout }));
    this.video = this.child('video', new VideoEncoder(cfg));
    this.stateEnc = this.child('state', new StateEncoder(cfg));
    this.embodimentEnc = this.child('embodiment', new EmbodimentEncoder(cfg));
    this.trunk = this.child('trunk', new Trunk(cfg));
    this.actionHead = this.child('action_head', cfg.head === 'flow' ? new FlowActionHead(cfg) : new L1ActionHead(cfg));
    this.roomHead = cfg.roomHead ? this.child('room_head', new RoomHead(cfg)) : null;
    this.roomIn = cfg.roomReads === 'image' ? this.child('room_in', new nn.MLP([roomDim(cfg), cfg.dim, cfg.dim], { activation: 'gelu' })) : null;
  }

  private check(inp: VLAInput): number {
    const B = inp.images.size(0), c = this.cfg, D = stateDim(c), L = c.text.maxTokens;
    const want: [keyof VLAInput, number[], string][] = [
      ['imagePad', [B, c.history], 'bool'],
      ['embodiment', [B], 'int64'],
    ];
    for (const [k, shape, dtype] of want) {
      const t = inp[k];
      if (!t) throw new TypeError(`KarakuriVLA: input '${k}' is missing`);
      if (t.shape.join(',') !== shape.join(',')) throw new RangeError(`KarakuriVLA: input '${k}' is [${t.shape.join(', ')}], expected [${shape.join(', ')}] ${dtype}`);
    }
    const tl = inp.tokens.shape;
    if (tl.length !== 2 || tl[0] !== B || tl[1]! < 1 || tl[1]! > L || inp.tokenMask.shape.join(',') !== tl.join(',')) {
      throw new RangeError(`KarakuriVLA: inputs 'tokens' [${tl.join(', ')}] and 'tokenMask' [${inp.tokenMask.shape.join(', ')}] must both be [${B}, <= ${L}] (text.maxTokens)`);
    }
    const d = inp.state.shape;
    if (d.length !== 2 || d[0] !== B || d[1]! > D || inp.stateMask.shape.join(',') !== d.join(',')) {
      throw new RangeError(`KarakuriVLA: inputs 'state' [${d.join(', ')}] and 'stateMask' [${inp.stateMask.shape.join(', ')}] must both be [${B}, <= ${D}] (the loader pads to its widest arm, the model to ${D})`);
    }
    return B;
  }

  /** The instruction's encoding: tokens [B, L, dim] and pooled [B, dim] (cacheable: it depends on the text alone). */
  encodeText(tokens: Tensor, tokenMask: Tensor): EncodedText {
    return this.text.forward(tokens, tokenMask.bool());
  }

  /**
   * The trunk's readout outputs [B, H + room, dim] and the room estimate [B, 3] (metres; null without a room head),
   * optionally from cached text / per-frame encodings (see Cached).
   */
  encode(inp: VLAInput, cached: Cached = {}): { readouts: Tensor; room: Tensor | null; pointerLogits: Tensor | null; wristPointerLogits: Tensor | null } {
    this.check(inp);
    return torch.tidy(() => {
      const c = this.cfg, H = c.horizon;
      const { tokens: text, pooled } = cached.text ?? this.encodeText(inp.tokens, inp.tokenMask); // (B, L, dim), (B, dim)
      const { tokens: image, pointerLogits: all } = this.video.encode(inp.images, pooled, cached.frameTokens); // (B, C*T*n, dim)
      // the first camera's current frame is frame T-1 (camera-major order)
      const pointerLogits = all ? all.select(1, c.history - 1) : null; // (B, P, cells)
      // with wristPointer, pointer 0 over the wrist camera's current frame
      const wristPointerLogits = all && c.wristPointer ? all.select(1, (c.cameras.indexOf(WRIST_CAMERA) + 1) * c.history - 1).select(1, 0) : null; // (B, cells)
      let room: Tensor | null = null, roomToken: Tensor | undefined;
      if (this.roomHead && this.roomIn) {
        // the first camera's current frame: camera-major, then time, so its tokens are [(T-1)*n, T*n)
        const n = c.vision.tokensPerImage;
        room = this.roomHead.forward(image.narrow(1, (c.history - 1) * n, n).mean(1).add(pooled)); // (B, 3 or 6)
        roomToken = this.roomIn.forward(room.detach().mul(10)); // (B, dim)
      }
      const readouts = this.trunk.forward({
        text, textMask: inp.tokenMask, image,
        imagePadKeys: imageKeyPadding(inp.imagePad, c.cameras.length, c.vision.tokensPerImage),
        state: this.stateEnc.forward(inp.state, inp.stateMask),
        embodiment: this.embodimentEnc.forward(inp.embodiment),
        ...(roomToken ? { room: roomToken } : {}),
      });
      if (this.roomHead && !this.roomIn) room = this.roomHead.forward(readouts.select(1, H));
      return { readouts, room, pointerLogits, wristPointerLogits };
    });
  }

  /** actions [B, H, A] normalized (the flow head samples from noise); room [B, 3] metres, [B, 6] with roomGoal (zeros without a room head). */
  forward(inp: VLAInput, o: Cached & { noise?: Tensor } = {}): { actions: Tensor; room: Tensor } {
    return torch.tidy(() => {
      const H = this.cfg.horizon;
      const { readouts: r, room } = this.encode(inp, o);
      const readouts = r.narrow(1, 0, H); // (B, H, dim)
      const actions = this.actionHead instanceof FlowActionHead ? this.actionHead.sample(readouts, o.noise) : this.actionHead.forward(readouts);
      return { actions, room: room ?? torch.zeros([r.size(0), roomDim(this.cfg)]) }; // (B, 3 or 6)
    });
  }

  /**
   * total = action loss (L1, or the flow-matching MSE) + roomWeight * room loss (L1 in metres; 0 without a target)
   * + pointerWeight * pointer loss (the cross-entropy of pointer 0's attention against a Gaussian around roomPixel,
   * over the samples where it is known; with roomGoal the mean of that and pointer 1's against the goal's pixel; with
   * wristPointer, pointer 0's over the wrist frame against wristPixel joins the mean; 0 without pointers or pixels).
   */
  loss(inp: VLAInput, target: VLATarget): { total: Tensor; action: Tensor; room: Tensor; pointer: Tensor } {
    return torch.tidy(() => {
      const c = this.cfg, B = inp.images.size(0), H = c.horizon;
      if (target.action.shape.join(',') !== [B, H, c.actionDim].join(',')) throw new RangeError(`KarakuriVLA.loss: action is [${target.action.shape.join(', ')}], expected [${B}, ${H}, ${c.actionDim}]`);
      if (target.actionPad.shape.join(',') !== [B, H].join(',')) throw new RangeError(`KarakuriVLA.loss: actionPad is [${target.actionPad.shape.join(', ')}], expected [${B}, ${H}]`);
      const R = roomDim(c), P = R / 3;
      if (target.room && target.room.shape.join(',') !== [B, R].join(',')) throw new RangeError(`KarakuriVLA.loss: room is [${target.room.shape.join(', ')}], expected [${B}, ${R}] (metres${c.roomGoal ? ': target xyz, goal xyz' : ''})`);
      if (target.roomPixel && target.roomPixel.shape.join(',') !== [B, 2 * P].join(',')) throw new RangeError(`KarakuriVLA.loss: roomPixel is [${target.roomPixel.shape.join(', ')}], expected [${B}, ${2 * P}] (u, v pixels${c.roomGoal ? ' of the target, then the goal' : ''})`);
      if (target.wristPixel && (!c.wristPointer || target.wristPixel.shape.join(',') !== [B, 2].join(','))) throw new RangeError(`KarakuriVLA.loss: wristPixel is [${target.wristPixel.shape.join(', ')}]${c.wristPointer ? `, expected [${B}, 2] (u, v pixels in the wrist camera)` : ', but the model has no wristPointer'}`);
      const { readouts: r, room: est, pointerLogits, wristPointerLogits } = this.encode(inp);
      const action = this.actionHead.loss(r.narrow(1, 0, H), target.action, target.actionPad);
      const room = est && target.room ? est.sub(target.room).abs().mean() : torch.scalar(0);
      const pointed = pointerLogits && target.roomPixel ? Array.from({ length: P }, (_, j) => pointerLoss(pointerLogits.select(1, j), target.roomPixel!.narrow(1, 2 * j, 2), pointerMapSize(c.vision), c.vision.imageSize)) : [];
      if (wristPointerLogits && target.wristPixel) pointed.push(pointerLoss(wristPointerLogits, target.wristPixel, pointerMapSize(c.vision), c.vision.imageSize));
      const pointer = pointed.length ? pointed.reduce((a, x) => a.add(x)).div(pointed.length) : torch.scalar(0);
      return { total: action.add(room.mul(c.roomWeight)).add(pointer.mul(c.pointerWeight)), action, room, pointer };
    });
  }

  /** Parameter counts per part, one line each, and the total. */
  describeParameters(): string {
    const rows = this.namedChildren().map(([n, m]) => [n, m.numParameters()] as const);
    const total = this.numParameters();
    const w = Math.max(...rows.map(([n]) => n.length), 5);
    const fmt = (n: number) => n.toLocaleString('en-US');
    return [...rows.map(([n, k]) => `${n.padEnd(w)}  ${fmt(k).padStart(10)}`), `${'total'.padEnd(w)}  ${fmt(total).padStart(10)}`].join('\n');
  }
  printParameters(log: (s: string) => void = console.log): void {
    log(this.describeParameters());
  }
}
