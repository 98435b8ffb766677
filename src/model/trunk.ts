// The trunk: a pre-norm transformer over [text tokens, image tokens, state tokens, embodiment token, readout tokens]
// (H action readouts + 1 room readout). Keys are padded where the text is padding (tokenMask false) or a history
// frame lies before the episode's start (imagePad). Attention is block-structured as in pi0: the prefix (text +
// images) attends only to itself, state/embodiment/action readouts attend to everything, and the room readout
// attends only to the prefix and itself, so the "reads the room" estimate comes from images + instruction alone.
// With roomReads 'image' the room estimate is made outside the trunk and its token (TrunkInput.room) is added to that
// last slot: an input the action readouts attend to.
import * as torch from '../torch/index.ts';
import { sequenceLayout, type ModelConfig } from './config.ts';
const { nn } = torch;
type Tensor = torch.Tensor;

export interface TrunkInput {
  text: Tensor;       // [B, L, dim]
  textMask: Tensor;   // [B, L] bool, true = real token
  image: Tensor;      // [B, N, dim]
  imagePadKeys: Tensor; // [B, N] bool, true = padded frame
  state: Tensor;      // [B, 3, dim]
  embodiment: Tensor; // [B, 1, dim]
  room?: Tensor;      // [B, dim]: added to the room slot (roomReads 'image': the room estimate's embedding)
}

/** attnMask [L, L] bool, true = may NOT attend, for the layout of `cfg` with `textLen` text tokens (see the header). */
export function blockMask(cfg: ModelConfig, textLen = cfg.text.maxTokens): Uint8Array {
  const s = sequenceLayout(cfg), L = s.total - s.text + textLen, prefix = textLen + s.image;
  const m = new Uint8Array(L * L);
  const room = s.room ? L - 1 : -1;
  for (let q = 0; q < L; q++) {
    for (let k = 0; k < L; k++) {
      let blocked = false;
      if (q < prefix) blocked = k >= prefix;
      else if (q === room) blocked = k >= prefix && k !== room;
      m[q * L + k] = blocked ? 1 : 0;
    }
  }
  return m;
}

export class Trunk extends nn.Module {
  readonly encoder: torch.nn.TransformerEncoder;
  readonly readouts: Tensor;
  readonly segment: Tensor;
  /** Block masks by text length (the text may be cut to its longest real row: padding keys are masked anyway). */
  private readonly masks = new Map<number, Tensor>();
  readonly layout: ReturnType<typeof sequenceLayout>;
  constructor(readonly cfg: ModelConfig) {
    super();
    this.layout = sequenceLayout(cfg);
    const make = () => new nn.TransformerEncoderLayer(cfg.dim, cfg.heads, { dimFeedforward: cfg.ffMult * cfg.dim, dropout: cfg.dropout, activation: 'gelu', normFirst: true });
    this.encoder = this.child('encoder', new nn.TransformerEncoder(make, cfg.layers, { finalNorm: true }));
    this.readouts = this.param('readouts', nn.init.normal([this.layout.actions + this.layout.room, cfg.dim], 0.02));
    // one learned embedding per segment: text, image, state, embodiment
    this.segment = this.param('segment', nn.init.normal([4, cfg.dim], 0.02));
  }

  private attnMask(textLen: number): Tensor {
    let m = this.masks.get(textLen);
    if (!m) {
      const L = this.layout.total - this.layout.text + textLen;
      m = torch.keep(torch.tensor(blockMask(this.cfg, textLen), { shape: [L, L], dtype: 'bool' }));
      this.masks.set(textLen, m);
    }
    return m;
  }

  /** -> readout outputs [B, H + room, dim] (action readouts first, the room readout last). */
  forward(x: TrunkInput): Tensor {
    return torch.tidy(() => {
      const B = x.text.size(0), dim = this.cfg.dim, R = this.layout.actions + this.layout.room;
      const T = x.text.size(1);
      if (!(T >= 1 && T <= this.layout.text)) throw new RangeError(`Trunk: ${T} text tokens, expected 1..${this.layout.text} (text.maxTokens)`);
      const checks: [string, Tensor, number][] = [['text', x.text, T], ['image', x.image, this.layout.image], ['state', x.state, 3], ['embodiment', x.embodiment, 1]];
      for (const [name, t, n] of checks) {
        if (t.ndim !== 3 || t.size(0) !== B || t.size(1) !== n || t.size(2) !== dim) throw new RangeError(`Trunk: ${name} tokens [${t.shape.join(', ')}] must be [${B}, ${n}, ${dim}]`);
      }
      const seg = (i: number) => this.segment.narrow(0, i, 1).unsqueeze(0); // (1, 1, dim)
      let readouts = this.readouts.unsqueeze(0).expand(B, R, dim); // (B, R, dim)
      if (x.room) {
        if (!this.layout.room || x.room.shape.join(',') !== [B, dim].join(',')) throw new RangeError(`Trunk: room token [${x.room.shape.join(', ')}] must be [${B}, ${dim}], and the model needs a room head`);
        readouts = torch.cat([readouts.narrow(1, 0, R - 1), readouts.narrow(1, R - 1, 1).add(x.room.unsqueeze(1))], 1);
      }
      const seq = torch.cat([x.text.add(seg(0)), x.image.add(seg(1)), x.state.add(seg(2)), x.embodiment.add(seg(3)), readouts], 1); // (B, L, dim)
      const free = torch.zeros([B, 3 + 1 + R], 'bool'); // (B, 4 + R): state, embodiment and readouts are never padding
      const keyPadding = torch.cat([x.textMask.bool().logicalNot(), x.imagePadKeys.bool(), free], 1); // (B, L)
      const out = this.encoder.forward(seq, { attnMask: this.attnMask(T), keyPaddingMask: keyPadding }); // (B, L, dim)
      return out.narrow(1, out.size(1) - R, R); // (B, R, dim)
    });
  }

  override dispose(): void {
    for (const m of this.masks.values()) m.dispose();
    this.masks.clear();
    super.dispose();
  }
}
