// The encoders and the trunk on real libtorch: output shapes, and masks that really mask (changing a padded image,
// a masked state component or padded text leaves the outputs unchanged, while changing a real one does not).
import { describe, expect, it } from 'vitest';
import * as torch from '../torch/index.ts';
import { sequenceLayout } from './config.ts';
import { Pointers, VisionEncoder, spatialSoftmax } from './vision.ts';
import { VideoEncoder, imageKeyPadding } from './video.ts';
import { StateEncoder } from './state.ts';
import { EmbodimentEncoder, embodimentIndex, embodimentTensor } from './embodiment.ts';
import { blockMask } from './trunk.ts';
import { KarakuriVLA } from './vla.ts';
import { maxDiff, randomInput, tinyConfig, withField } from './test-helpers.ts';

torch.manualSeed(0);
const cfg = tinyConfig();

/** A black 16x16 frame with a white 3x3 spot whose top-left corner is at row r, column c: [1, 1, 16, 16, 3] uint8. */
function spot(r: number, c: number): torch.Tensor {
  const f = new Uint8Array(16 * 16 * 3);
  for (let y = r; y < r + 3; y++) for (let x = c; x < c + 3; x++) f.fill(255, (y * 16 + x) * 3, (y * 16 + x) * 3 + 3);
  return torch.tensor(f, { shape: [1, 1, 16, 16, 3], dtype: 'uint8' });
}

describe('vision and video', () => {
  it('VisionEncoder: [B, per, H, W, 3] uint8 -> [B, per, n, dim]; FiLM makes the instruction change the features', () => {
    torch.tidy(() => {
      const v = new VisionEncoder(cfg);
      const frames = torch.randint(0, 256, [2, 3, 16, 16, 3], 'uint8');
      const c1 = torch.randn([2, cfg.dim]), c2 = torch.randn([2, cfg.dim]);
      expect(v.forward(frames, c1).shape).toEqual([2, 3, 4, 32]);
      // FiLM starts as the identity: the condition does not matter until trained
      expect(maxDiff(v.forward(frames, c1), v.forward(frames, c2))).toBe(0);
      torch.noGrad(() => v.films.forEach((f) => f.proj.weight.add_(torch.randn(f.proj.weight.shape).mul(0.1))));
      expect(maxDiff(v.forward(frames, c1), v.forward(frames, c2))).toBeGreaterThan(1e-4);
      expect(() => v.forward(torch.zeros([1, 1, 20, 16, 3], 'uint8'), c1.narrow(0, 0, 1))).toThrow(/frames are 20x16x3, the model takes 16x16x3/);
      v.dispose();
    });
  });
  it('spatialSoftmax: a peaked map gives its peak (x, y) in [-1, 1]; keypoint tokens keep the shape and see where a bright spot is', () => {
    torch.tidy(() => {
      // map 0 peaks at row 1, column 3 of a 4x5 grid; map 1 is flat (expected position = the centre)
      const m = new Float32Array(2 * 4 * 5);
      m[1 * 5 + 3] = 50;
      const kp = spatialSoftmax(torch.tensor(m, { shape: [1, 2, 4, 5] })).toNumbers();
      expect(kp[0]).toBeCloseTo(3 / 4 * 2 - 1, 4); // x of map 0
      expect(kp[2]).toBeCloseTo(1 / 3 * 2 - 1, 4); // y of map 0
      expect(kp[1]).toBeCloseTo(0, 5); expect(kp[3]).toBeCloseTo(0, 5);
      const kcfg = tinyConfig({ vision: { channels: [8, 16], stemStride: 2, tokensPerImage: 4, imageSize: [16, 16], groups: 4, keypoints: 4 } });
      const v = new VisionEncoder(kcfg);
      const cond = torch.zeros([1, kcfg.dim]);
      const a = v.forward(spot(1, 1), cond), b = v.forward(spot(11, 11), cond);
      expect(a.shape).toEqual([1, 1, 4, kcfg.dim]);
      // the same spot moved: the keypoint projection (added to every token) differs
      expect(maxDiff(a, b)).toBeGreaterThan(1e-4);
      expect(v.parameters().length).toBe(new VisionEncoder(cfg).parameters().length + 4); // kpConv + kpProj weights and biases
      v.dispose();
    });
  });
  it('Pointers: the instruction picks where to look; xy and features of the attended cell; tokens see where the named thing is', () => {
    torch.tidy(() => {
      const ptr = new Pointers(2, 3, 1, 8);
      // a 4x5 map: channel 0 is 1 at row 1, column 3 (elsewhere 0), channel 2 is 7 everywhere
      const m = new Float32Array(3 * 4 * 5);
      m[1 * 5 + 3] = 1;
      m.fill(7, 2 * 20, 3 * 20);
      const x = torch.tensor(m, { shape: [1, 3, 4, 5] });
      torch.noGrad(() => {
        ptr.key.weight.zero_(); ptr.key.bias!.zero_(); ptr.query.weight.zero_(); ptr.query.bias!.zero_();
        ptr.key.weight.narrow(0, 0, 1).narrow(1, 0, 1).fill_(1); // key 0 = channel 0
        ptr.query.bias!.narrow(0, 0, 1).fill_(100); // query 0 = +100 with no instruction
        ptr.query.weight.narrow(0, 0, 1).narrow(1, 0, 1).fill_(-200); // instruction component 0 flips it
      });
      const seek = ptr.locate(x, torch.zeros([1, 2]), 1);
      const [px, py] = seek.xy.toNumbers();
      expect(px).toBeCloseTo(3 / 4 * 2 - 1, 3);
      expect(py).toBeCloseTo(1 / 3 * 2 - 1, 3);
      expect(seek.feat.toNumbers()).toEqual([expect.closeTo(1, 3), expect.closeTo(0, 5), expect.closeTo(7, 4)]);
      // the other instruction avoids that cell: it looks at the rest, centred near the middle
      const avoid = ptr.locate(x, torch.tensor([[1, 0]]), 1).xy.toNumbers();
      expect(Math.abs(avoid[0]! - px!)).toBeGreaterThan(0.5);
      expect(ptr.forward(x, torch.zeros([1, 2]), 1).out.shape).toEqual([1, 8]);
      // in the encoder: the same instruction, the bright spot moved -> different tokens; pointers add 6 parameter tensors
      const pcfg = tinyConfig({ vision: { channels: [8, 16], stemStride: 2, tokensPerImage: 4, imageSize: [16, 16], groups: 4, pointers: 2 } });
      const v = new VisionEncoder(pcfg);
      const cond = torch.randn([1, pcfg.dim]);
      expect(maxDiff(v.forward(spot(1, 1), cond), v.forward(spot(11, 11), cond))).toBeGreaterThan(1e-4);
      expect(v.parameters().length).toBe(new VisionEncoder(cfg).parameters().length + 6);
      v.dispose(); ptr.dispose();
    });
  });
  it('VideoEncoder: camera and history-time embeddings make identical frames distinguishable; bad shapes named', () => {
    torch.tidy(() => {
      const v = new VideoEncoder(cfg);
      const one = torch.randint(0, 256, [1, 1, 1, 16, 16, 3], 'uint8');
      const images = one.expand(1, 2, 2, 16, 16, 3).contiguous(); // the same frame everywhere
      const tok = v.forward(images, torch.randn([1, cfg.dim])); // (1, C*T*n, dim)
      expect(tok.shape).toEqual([1, 2 * 2 * 4, 32]);
      const g = tok.reshape(2, 2, 4, 32);
      expect(maxDiff(g.select(0, 0), g.select(0, 1))).toBeGreaterThan(0); // cameras differ
      expect(maxDiff(g.select(1, 0), g.select(1, 1))).toBeGreaterThan(0); // times differ
      expect(() => v.forward(torch.zeros([1, 3, 2, 16, 16, 3], 'uint8'), torch.randn([1, 32]))).toThrow(/images \[1, 3, 2, 16, 16, 3\] must be \[B, 2 cameras, 2 frames/);
      expect(() => v.forward(torch.zeros([1, 2, 2, 16, 16, 3]), torch.randn([1, 32]))).toThrow(/must be uint8, got float32/);
      v.dispose();
    });
  });
  it('imageKeyPadding marks every token of a padded frame on every camera', () => {
    torch.tidy(() => {
      const pad = torch.tensor([[1, 0], [0, 0]], { dtype: 'bool' });
      const k = imageKeyPadding(pad, 2, 3).toNumbers();
      // sample 0: camera-major, then time, then cell: [t0 x3, t1 x3] per camera
      expect(k.slice(0, 12)).toEqual([1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0]);
      expect(k.slice(12).every((x) => x === 0)).toBe(true);
    });
  });
});

describe('state and embodiment', () => {
  it('StateEncoder: one token per part; a masked component contributes nothing, a real one does', () => {
    torch.tidy(() => {
      const s = new StateEncoder(cfg);
      const { state, stateMask } = randomInput(cfg, 2);
      const out = s.forward(state, stateMask);
      expect(out.shape).toEqual([2, 3, 32]);
      const junk = state.clone();
      torch.noGrad(() => { const col = junk.narrow(1, 22, 1); col.fill_(1e3); }); // component 22 is masked (kara6-like)
      expect(maxDiff(s.forward(junk, stateMask), out)).toBe(0);
      const real = state.clone();
      torch.noGrad(() => { const col = real.narrow(1, 10, 1); col.add_(1); });
      const d = s.forward(real, stateMask).sub(out).abs().sum(2).toNumbers(); // (B * 3): per token
      expect(d[0]).toBe(0); expect(d[1]).toBe(0); expect(d[2]).toBeGreaterThan(0); // only the proprio token moved
      expect(() => s.forward(torch.zeros([2, 30]), torch.ones([2, 30], 'bool'))).toThrow(/state \[2, 30\] and stateMask \[2, 30\] must both be \[B, <= 23\]/);
      // a narrower batch (kara6-only loader: 22 wide) gives the same tokens as the model-wide padded one
      expect(maxDiff(s.forward(state.narrow(1, 0, 22), stateMask.narrow(1, 0, 22)), out)).toBe(0);
      s.dispose();
    });
  });
  it('embodiment index and token; an unknown arm is named with the known ones', () => {
    expect(embodimentIndex(cfg, 'kara7')).toBe(1);
    expect(() => embodimentIndex(cfg, 'ur5e')).toThrow("unknown embodiment 'ur5e': this model knows 'kara6', 'kara7', 'widowx250'");
    torch.tidy(() => {
      const e = new EmbodimentEncoder(cfg);
      const idx = embodimentTensor(cfg, ['widowx250', 'kara6']);
      expect(idx.toNumbers()).toEqual([2, 0]);
      const tok = e.forward(idx);
      expect(tok.shape).toEqual([2, 1, 32]);
      expect(maxDiff(tok.select(0, 0), tok.select(0, 1))).toBeGreaterThan(0);
      expect(() => e.forward(torch.tensor([3], { dtype: 'int64' }))).toThrow(/embodiment index 3 outside 0\.\.2/);
      e.dispose();
    });
  });
});

describe('trunk masks through the whole model', () => {
  const model = new KarakuriVLA(cfg).eval();
  const run = (inp: ReturnType<typeof randomInput>) => torch.noGrad(() => model.forward(inp));

  it('blockMask: the prefix (text + images) sees only itself, the room readout the prefix and itself', () => {
    const s = sequenceLayout(cfg), L = s.total, m = blockMask(cfg), prefix = s.text + s.image;
    const at = (q: number, k: number) => m[q * L + k];
    expect(at(0, prefix - 1)).toBe(0); expect(at(0, prefix)).toBe(1); // text -> image ok, text -> state blocked
    expect(at(prefix, 0)).toBe(0); expect(at(prefix, L - 1)).toBe(0); // state sees everything
    expect(at(L - 2, prefix + 1)).toBe(0); // an action readout sees the state
    expect(at(L - 1, prefix)).toBe(1); expect(at(L - 1, L - 2)).toBe(1); expect(at(L - 1, L - 1)).toBe(0); expect(at(L - 1, 3)).toBe(0);
  });
  it('a padded history frame, a masked state component and padded text change nothing; real ones do', () => {
    torch.tidy(() => {
      const inp = withField(randomInput(cfg, 2), 'imagePad', torch.tensor([[1, 0], [0, 0]], { dtype: 'bool' }));
      const base = run(inp);
      expect(base.actions.shape).toEqual([2, 10, 7]);
      expect(base.room.shape).toEqual([2, 3]);
      // padded frame (sample 0, t = 0) of both cameras replaced by noise
      const img = inp.images.clone();
      torch.noGrad(() => { const f = img.narrow(0, 0, 1).narrow(2, 0, 1); f.copy_(torch.randint(0, 256, f.shape, 'uint8')); });
      const padded = run(withField(inp, 'images', img));
      expect(maxDiff(padded.actions, base.actions)).toBe(0);
      expect(maxDiff(padded.room, base.room)).toBe(0);
      // the same change on a real frame (sample 1) moves the outputs
      const img2 = inp.images.clone();
      torch.noGrad(() => { const f = img2.narrow(0, 1, 1).narrow(2, 0, 1); f.copy_(torch.randint(0, 256, f.shape, 'uint8')); });
      expect(maxDiff(run(withField(inp, 'images', img2)).actions, base.actions)).toBeGreaterThan(1e-6);
      // masked state component
      const st = inp.state.clone();
      torch.noGrad(() => st.narrow(1, 22, 1).fill_(50));
      expect(maxDiff(run(withField(inp, 'state', st)).actions, base.actions)).toBe(0);
      // padded text tokens (positions 5..7)
      const tok = inp.tokens.clone();
      torch.noGrad(() => tok.narrow(1, 5, 3).fill_(42));
      const t = run(withField(inp, 'tokens', tok));
      expect(maxDiff(t.actions, base.actions)).toBe(0);
      expect(maxDiff(t.room, base.room)).toBe(0);
      // the text cut to its real length (5 tokens) gives the same outputs
      const cut = run({ ...inp, tokens: inp.tokens.narrow(1, 0, 5), tokenMask: inp.tokenMask.narrow(1, 0, 5) });
      expect(maxDiff(cut.actions, base.actions)).toBeLessThan(1e-5);
      expect(maxDiff(cut.room, base.room)).toBeLessThan(1e-5);
      const tok2 = inp.tokens.clone();
      torch.noGrad(() => tok2.narrow(1, 2, 1).fill_(42));
      expect(maxDiff(run(withField(inp, 'tokens', tok2)).room, base.room)).toBeGreaterThan(1e-6);
    });
  });
  it('the room estimate reads images + instruction only: changing the state or the arm moves the actions, not the room', () => {
    torch.tidy(() => {
      const inp = randomInput(cfg, 2);
      const base = run(inp);
      const st = inp.state.add(1);
      const moved = run(withField(inp, 'state', st));
      expect(maxDiff(moved.actions, base.actions)).toBeGreaterThan(1e-6);
      expect(maxDiff(moved.room, base.room)).toBe(0);
      const arm = run(withField(inp, 'embodiment', torch.tensor([1, 2], { dtype: 'int64' })));
      expect(maxDiff(arm.actions, base.actions)).toBeGreaterThan(1e-6);
      expect(maxDiff(arm.room, base.room)).toBe(0);
    });
  });
  it('bad inputs are named', () => {
    torch.tidy(() => {
      const inp = randomInput(cfg, 2);
      expect(() => model.forward(withField(inp, 'tokens', torch.zeros([2, 9], 'int64')))).toThrow("KarakuriVLA: inputs 'tokens' [2, 9] and 'tokenMask' [2, 8] must both be [2, <= 8] (text.maxTokens)");
      expect(() => model.forward(withField(inp, 'stateMask', torch.zeros([1, 23], 'bool')))).toThrow(/inputs 'state' \[2, 23\] and 'stateMask' \[1, 23\] must both be \[2, <= 23\]/);
    });
  });
});
