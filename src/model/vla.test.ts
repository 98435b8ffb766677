// KarakuriVLA end to end on real libtorch: both action heads' shapes, loss masking (padded steps cost nothing),
// gradients reaching every parameter, the parameter table, and save/load of a model version directory giving
// identical outputs, with the errors a broken directory gives.
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../torch/index.ts';
import { KarakuriVLA, type VLAInput } from './vla.ts';
import { pointerMapSize } from './config.ts';
import { FlowActionHead, L1ActionHead, maskedStepMean, pointerLoss, pointerTarget, roomErrorCm } from './heads.ts';
import { loadPolicyFiles, savePolicyFiles, type Normalization } from './checkpoint.ts';
import { Tokenizer } from './language/tokenizer.ts';
import { maxDiff, randomInput, tinyConfig, withField } from './test-helpers.ts';

torch.manualSeed(1);
const tmp = mkdtempSync(join(tmpdir(), 'karakuri-model-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const target = (B: number, H = 10) => ({ action: torch.randn([B, H, 7]), actionPad: torch.zeros([B, H], 'bool'), room: torch.rand([B, 3]) });

describe('heads', () => {
  it('L1 head: [B, H, dim] -> [B, H, 7]; the flow head samples [B, H, 7] in cfg.flow.steps Euler steps', () => {
    torch.tidy(() => {
      const cfg = tinyConfig({ head: 'flow', flow: { steps: 3 } });
      const r = torch.randn([2, 10, 32]);
      expect(new L1ActionHead(cfg).forward(r).shape).toEqual([2, 10, 7]);
      const f = new FlowActionHead(cfg);
      const noise = torch.randn([2, 10, 7]);
      const a = f.sample(r, noise), b = f.sample(r, noise);
      expect(a.shape).toEqual([2, 10, 7]);
      expect(maxDiff(a, b)).toBe(0); // deterministic given the noise
      expect(maxDiff(a, noise)).toBeGreaterThan(0);
      expect(f.loss(r, torch.randn([2, 10, 7]), torch.zeros([2, 10], 'bool')).shape).toEqual([]);
    });
  });
  it('maskedStepMean averages over real steps only', () => {
    torch.tidy(() => {
      const per = torch.tensor([[[1, 1], [3, 3]], [[5, 5], [100, 100]]]); // (B=2, H=2, A=2)
      const pad = torch.tensor([[0, 0], [0, 1]], { dtype: 'bool' });
      expect(maskedStepMean(per, pad).item()).toBeCloseTo((1 + 3 + 5) / 3, 6);
      expect(maskedStepMean(per, torch.ones([2, 2], 'bool')).item()).toBe(0); // nothing real: 0, not NaN
    });
  });
  it('regressionLoss: l1, huber (beta 1) and mse of the regression head against hand-computed values', () => {
    torch.tidy(() => {
      const r = torch.randn([1, 2, 32]);
      const errs = [0.5, -3]; // step 0 off by 0.5 on every component, step 1 by -3
      const want = { l1: (0.5 + 3) / 2, mse: (0.25 + 9) / 2, huber: (0.5 * 0.25 + (3 - 0.5)) / 2 };
      for (const kind of ['l1', 'huber', 'mse'] as const) {
        const head = new L1ActionHead(tinyConfig({ horizon: 2, regressionLoss: kind }));
        const pred = torch.noGrad(() => head.forward(r));
        const action = pred.sub(torch.tensor(errs.flatMap((e) => Array(7).fill(e)), { shape: [1, 2, 7] }));
        expect(head.loss(r, action, torch.zeros([1, 2], 'bool')).item(), kind).toBeCloseTo(want[kind], 4);
      }
    });
  });
  it('pointerTarget: a normalized Gaussian peaking at the pixel\'s cell; unknown or outside pixels get none', () => {
    const g = pointerTarget(10, 5, [4, 8], [16, 32])!; // cells of 4x4 px: (10, 5) lies in column 2, row 1
    expect(g.reduce((a, x) => a + x, 0)).toBeCloseTo(1, 5);
    expect(g.indexOf(Math.max(...g))).toBe(1 * 8 + 2);
    expect(pointerTarget(NaN, 5, [4, 8], [16, 32])).toBeNull();
    expect(pointerTarget(33, 5, [4, 8], [16, 32])).toBeNull();
    torch.tidy(() => expect(pointerLoss(torch.zeros([1, 32]), torch.tensor([[NaN, 1]]), [4, 8], [16, 32]).item()).toBe(0));
  });
  it('roomErrorCm is the mean distance in centimetres', () => {
    torch.tidy(() => expect(roomErrorCm(torch.tensor([[0.03, 0.04, 0], [0, 0, 0]]), torch.zeros([2, 3]))).toBeCloseTo(2.5, 4));
  });
});

describe('KarakuriVLA', () => {
  for (const head of ['l1', 'flow'] as const) {
    it(`${head}: forward shapes, loss masking, and gradients reach every parameter`, () => {
      torch.tidy(() => {
        const model = new KarakuriVLA(tinyConfig({ head }));
        const inp = randomInput(model.cfg, 3);
        const out = torch.noGrad(() => model.forward(inp));
        expect(out.actions.shape).toEqual([3, 10, 7]);
        expect(out.room.shape).toEqual([3, 3]);
        const tg = target(3);
        torch.manualSeed(5);
        const l = model.loss(inp, tg);
        expect(l.total.item()).toBeCloseTo(l.action.item() + 10 * l.room.item(), 4);
        l.total.backward();
        const missing = model.namedParameters().filter(([, p]) => { const g = p.grad; return !g || g.abs().sum().item() === 0; }).map(([n]) => n);
        expect(missing).toEqual([]);
        model.zeroGrad();
        // padded steps: their targets do not matter
        const pad = torch.zeros([3, 10], 'bool');
        torch.noGrad(() => pad.narrow(1, 6, 4).fill_(1));
        const wild = tg.action.clone();
        torch.noGrad(() => wild.narrow(1, 6, 4).fill_(1e3));
        torch.manualSeed(5); const a = torch.noGrad(() => model.loss(inp, { ...tg, actionPad: pad }).action.item());
        torch.manualSeed(5); const b = torch.noGrad(() => model.loss(inp, { ...tg, action: wild, actionPad: pad }).action.item());
        torch.manualSeed(5); const c = torch.noGrad(() => model.loss(inp, { ...tg, action: wild }).action.item());
        expect(a).toBeCloseTo(b, 5);
        expect(c).toBeGreaterThan(100 * a);
        // no room target: room loss 0
        expect(torch.noGrad(() => model.loss(inp, { action: tg.action, actionPad: tg.actionPad }).room.item())).toBe(0);
        expect(() => model.loss(inp, { ...tg, action: torch.zeros([3, 9, 7]) })).toThrow('KarakuriVLA.loss: action is [3, 9, 7], expected [3, 10, 7]');
        model.dispose();
      });
    });
  }
  it('without a room head: no room readout, room output zeros, parameter table lists the parts', () => {
    torch.tidy(() => {
      const model = new KarakuriVLA(tinyConfig({ roomHead: false }));
      expect(model.roomHead).toBeNull();
      const out = torch.noGrad(() => model.forward(randomInput(model.cfg, 1)));
      expect(out.room.toNumbers()).toEqual([0, 0, 0]);
      const table = model.describeParameters();
      expect(table).toMatch(/^text\s+[\d,]+$/m);
      expect(table).toMatch(/^video\s+[\d,]+$/m);
      expect(table).toMatch(new RegExp(`^total\\s+${model.numParameters().toLocaleString('en-US')}$`, 'm'));
      model.dispose();
    });
  });
});

describe("roomReads 'image': the room head reads the scene camera's current frame and the instruction directly", () => {
  const cfg = tinyConfig({ roomReads: 'image', vision: { channels: [8, 16], stemStride: 2, tokensPerImage: 4, imageSize: [16, 16], groups: 4, pointers: 2 } });
  it('the estimate depends on the current scene frame and the instruction only; the actions see it through its token', () => {
    torch.tidy(() => {
      const model = new KarakuriVLA(cfg).eval();
      const run = (inp: VLAInput) => torch.noGrad(() => model.forward(inp));
      const inp = randomInput(cfg, 2); // cameras scene + wrist, history 2
      const base = run(inp);
      const frame = (c: number, t: number) => { // a copy of the images with one (camera, time) frame replaced by noise
        const img = inp.images.clone();
        torch.noGrad(() => img.narrow(1, c, 1).narrow(2, t, 1).copy_(torch.randint(0, 256, [2, 1, 1, 16, 16, 3], 'uint8')));
        return withField(inp, 'images', img);
      };
      const now = run(frame(0, 1)), past = run(frame(0, 0)), wrist = run(frame(1, 1));
      expect(maxDiff(now.room, base.room)).toBeGreaterThan(1e-6);
      expect(maxDiff(past.room, base.room)).toBe(0);
      expect(maxDiff(wrist.room, base.room)).toBe(0);
      expect(maxDiff(wrist.actions, base.actions)).toBeGreaterThan(1e-6); // the actions still see every frame
      const tok = inp.tokens.clone();
      torch.noGrad(() => tok.narrow(1, 2, 1).fill_(42));
      expect(maxDiff(run(withField(inp, 'tokens', tok)).room, base.room)).toBeGreaterThan(1e-6);
      const st = run(withField(inp, 'state', inp.state.add(1)));
      expect(maxDiff(st.room, base.room)).toBe(0);
      // the actions read the estimate: a different room head moves them
      torch.noGrad(() => model.roomHead!.mlp.parameters().at(-1)!.add_(0.5));
      expect(maxDiff(run(inp).actions, base.actions)).toBeGreaterThan(1e-6);
      model.dispose();
    });
  });
  it('gradient stop: the action loss leaves the room head alone; the room loss trains it and the image encoder', () => {
    torch.tidy(() => {
      const model = new KarakuriVLA(cfg);
      const inp = randomInput(cfg, 3), tg = target(3);
      const grads = (prefix: string) => model.namedParameters().filter(([n]) => n.startsWith(prefix)).map(([, p]) => p.grad?.abs().sum().item() ?? 0);
      model.loss(inp, tg).action.backward();
      expect(grads('room_head.').every((g) => g === 0)).toBe(true);
      expect(grads('room_in.').some((g) => g > 0)).toBe(true);
      model.zeroGrad();
      model.loss(inp, tg).room.backward();
      expect(grads('room_head.').every((g) => g > 0)).toBe(true);
      expect(grads('video.vision.pointers.').every((g) => g > 0)).toBe(true);
      expect(grads('action_head.').every((g) => g === 0)).toBe(true);
      model.dispose();
    });
  });
  it("'image' without a room head is refused by name; a room token of the wrong shape is named", () => {
    expect(() => tinyConfig({ roomReads: 'image', roomHead: false })).toThrow(/roomReads: 'image' needs the room head \(roomHead is false\)/);
    torch.tidy(() => {
      const model = new KarakuriVLA(tinyConfig());
      const inp = randomInput(model.cfg, 2);
      const t = model.trunk, D = model.cfg.dim;
      const parts = { text: torch.randn([2, 8, D]), textMask: inp.tokenMask, image: torch.randn([2, 16, D]), imagePadKeys: torch.zeros([2, 16], 'bool'), state: torch.randn([2, 3, D]), embodiment: torch.randn([2, 1, D]) };
      expect(t.forward(parts).shape).toEqual([2, 11, D]);
      expect(() => t.forward({ ...parts, room: torch.randn([2, D + 1]) })).toThrow(`Trunk: room token [2, ${D + 1}] must be [2, ${D}], and the model needs a room head`);
      model.dispose();
    });
  });
});

describe('roomGoal: the room head also estimates where the target must go', () => {
  const cfg = tinyConfig({ roomReads: 'image', roomGoal: true, vision: { channels: [8, 16], stemStride: 2, tokensPerImage: 4, imageSize: [16, 16], groups: 4, pointers: 2 } });
  it('the estimate is [B, 6]; the room loss covers both; pointer 1 is taught the goal pixel as pointer 0 the target pixel', () => {
    torch.tidy(() => {
      const model = new KarakuriVLA(cfg);
      const inp = randomInput(cfg, 3);
      expect(torch.noGrad(() => model.forward(inp)).room.shape).toEqual([3, 6]);
      const room = torch.rand([3, 6]);
      const est = torch.noGrad(() => model.encode(inp)).room!;
      const l = torch.noGrad(() => model.loss(inp, { ...target(3), room }));
      expect(l.room.item()).toBeCloseTo(est.sub(room).abs().mean().item(), 5); // L1 over target and goal
      // pointer loss: the mean of pointer 0 against the target's pixel and pointer 1 against the goal's
      const px = torch.tensor([[3, 4, 12, 12], [8, 8, 1, 15], [15, 0, 6, 2]]);
      const logits = torch.noGrad(() => model.encode(inp)).pointerLogits!; // (B, P, cells)
      const map = pointerMapSize(model.cfg.vision), image: [number, number] = [16, 16];
      const want = (pointerLoss(logits.select(1, 0), px.narrow(1, 0, 2), map, image).item() + pointerLoss(logits.select(1, 1), px.narrow(1, 2, 2), map, image).item()) / 2;
      expect(torch.noGrad(() => model.loss(inp, { ...target(3), room, roomPixel: px })).pointer.item()).toBeCloseTo(want, 5);
      // swapping the two pixels changes it: each pointer has its own object
      const swapped = torch.cat([px.narrow(1, 2, 2), px.narrow(1, 0, 2)], 1);
      expect(Math.abs(torch.noGrad(() => model.loss(inp, { ...target(3), room, roomPixel: swapped })).pointer.item() - want)).toBeGreaterThan(1e-4);
      expect(() => model.loss(inp, target(3))).toThrow('KarakuriVLA.loss: room is [3, 3], expected [3, 6] (metres: target xyz, goal xyz)');
      expect(() => model.loss(inp, { ...target(3), room, roomPixel: px.narrow(1, 0, 2) })).toThrow('KarakuriVLA.loss: roomPixel is [3, 2], expected [3, 4] (u, v pixels of the target, then the goal)');
      model.dispose();
    });
  });
  it('needs the room head, and 0 or at least 2 pointers', () => {
    expect(() => tinyConfig({ roomGoal: true, roomHead: false })).toThrow(/roomGoal: needs the room head/);
    expect(() => tinyConfig({ roomGoal: true, vision: { channels: [8, 16], stemStride: 2, tokensPerImage: 4, imageSize: [16, 16], groups: 4, pointers: 1 } })).toThrow(/vision\.pointers: is 1, but roomGoal teaches pointer 1/);
  });
});

describe('wristPointer: pointer 0 is taught the target in the wrist camera too', () => {
  const vision = { channels: [8, 16], stemStride: 2 as const, tokensPerImage: 4, imageSize: [16, 16] as [number, number], groups: 4, pointers: 2 };
  const cfg = tinyConfig({ roomReads: 'image', wristPointer: true, vision });
  it("reads pointer 0 over the wrist camera's current frame, and adds its loss to the pointer loss's mean", () => {
    torch.tidy(() => {
      const model = new KarakuriVLA(cfg);
      const inp = randomInput(cfg, 3);
      const enc = torch.noGrad(() => model.encode(inp));
      const { pooled } = torch.noGrad(() => model.encodeText(inp.tokens, inp.tokenMask));
      const all = torch.noGrad(() => model.video.encode(inp.images, pooled)).pointerLogits!; // (B, C*T, P, cells)
      const w = cfg.cameras.indexOf('wrist'), T = cfg.history;
      expect(maxDiff(enc.wristPointerLogits!, all.select(1, (w + 1) * T - 1).select(1, 0))).toBe(0);
      // it is the wrist frame's: another wrist image changes it, and leaves the scene camera's pointers as they were
      const images = inp.images.clone(), other = torch.randint(0, 255, [3, 16, 16, 3]).to('uint8');
      images.select(1, w).select(1, T - 1).copy_(other);
      const enc2 = torch.noGrad(() => model.encode({ ...inp, images }));
      expect(maxDiff(enc2.wristPointerLogits!, enc.wristPointerLogits!)).toBeGreaterThan(1e-4);
      expect(maxDiff(enc2.pointerLogits!, enc.pointerLogits!)).toBe(0);
      // loss: the mean of the scene pointer's and the wrist pointer's cross-entropies
      const px = torch.tensor([[3, 4], [8, 8], [15, 0]]), wpx = torch.tensor([[12, 12], [NaN, NaN], [6, 2]]);
      const map = pointerMapSize(model.cfg.vision), image: [number, number] = [16, 16];
      const want = (pointerLoss(enc.pointerLogits!.select(1, 0), px, map, image).item() + pointerLoss(enc.wristPointerLogits!, wpx, map, image).item()) / 2;
      expect(torch.noGrad(() => model.loss(inp, { ...target(3), roomPixel: px, wristPixel: wpx })).pointer.item()).toBeCloseTo(want, 5);
      expect(() => model.loss(inp, { ...target(3), roomPixel: px, wristPixel: px.narrow(1, 0, 1) })).toThrow('KarakuriVLA.loss: wristPixel is [3, 1], expected [3, 2] (u, v pixels in the wrist camera)');
      model.dispose();
      const plain = new KarakuriVLA(tinyConfig({ roomReads: 'image', vision }));
      expect(torch.noGrad(() => plain.encode(inp)).wristPointerLogits).toBeNull();
      expect(() => plain.loss(inp, { ...target(3), roomPixel: px, wristPixel: wpx })).toThrow('KarakuriVLA.loss: wristPixel is [3, 2], but the model has no wristPointer');
      plain.dispose();
    });
  });
  it('needs the room head, a pointer and a wrist camera after the first', () => {
    expect(() => tinyConfig({ wristPointer: true, roomHead: false, vision })).toThrow(/wristPointer: needs the room head/);
    expect(() => tinyConfig({ wristPointer: true, vision: { ...vision, pointers: 0 } })).toThrow(/wristPointer: needs vision\.pointers >= 1/);
    expect(() => tinyConfig({ wristPointer: true, vision, cameras: ['scene'] })).toThrow(/cameras: wristPointer needs a camera named 'wrist' after the first \(got scene\)/);
    expect(() => tinyConfig({ wristPointer: true, vision, cameras: ['wrist', 'scene'] })).toThrow(/cameras: wristPointer needs a camera named 'wrist'/);
  });
});

describe('model version directory', () => {
  const tokenizer = Tokenizer.train(['Put the red cup on the tray.', 'Place the blue mug onto the tray', 'move the green bowl to the bin'], { vocabSize: 300, minFrequency: 1 });
  const norm = (p: number) => ({ state: { mean: Array(8 + p).fill(0.1), std: Array(8 + p).fill(2) }, action: { mean: Array(7).fill(0.01), std: Array(7).fill(0.5) } });
  const normalization: Normalization = { stateKeys: ['observation.wrench', 'observation.touch', 'observation.state'], embodiments: { kara6: norm(14), kara7: norm(15) } };

  it('save then load gives identical outputs, the train config and the tokenizer back', () => {
    torch.tidy(() => {
      const model = new KarakuriVLA(tinyConfig({ text: { vocab: tokenizer.vocabSize, maxTokens: 8, layers: 1 } }));
      const dir = join(tmp, 'v1');
      savePolicyFiles(dir, { model, normalization, tokenizer, train: { steps: 3, lr: 1e-3 } });
      const f = loadPolicyFiles(dir);
      expect(f.train).toEqual({ steps: 3, lr: 1e-3 });
      expect(f.normalization).toEqual(normalization);
      expect(f.tokenizer.encode('put the red cup')).toEqual(tokenizer.encode('put the red cup'));
      const inp = randomInput(model.cfg, 2);
      model.eval();
      const a = torch.noGrad(() => model.forward(inp)), b = torch.noGrad(() => f.model.forward(inp));
      expect(maxDiff(a.actions, b.actions)).toBe(0);
      expect(maxDiff(a.room, b.room)).toBe(0);
      expect(f.model.training).toBe(false);
      model.dispose(); f.model.dispose();
    });
  });
  it('a broken directory names the file and the problem', () => {
    const model = new KarakuriVLA(tinyConfig({ text: { vocab: tokenizer.vocabSize, maxTokens: 8, layers: 1 } }));
    const dir = join(tmp, 'v2');
    expect(() => savePolicyFiles(dir, { model, normalization: { ...normalization, embodiments: { kara6: norm(15) } }, tokenizer }))
      .toThrow('normalization.json: kara6.state has 23 components, expected 22 (wrench 6 + touch 2 + proprio 14)');
    expect(() => savePolicyFiles(dir, { model, normalization: { ...normalization, embodiments: { ur5: norm(14) } }, tokenizer })).toThrow(/embodiment 'ur5' is not one of the model's/);
    savePolicyFiles(dir, { model, normalization, tokenizer });
    const cfgPath = join(dir, 'config.json');
    const good = readFileSync(cfgPath, 'utf8');
    writeFileSync(cfgPath, JSON.stringify({ model: { ...JSON.parse(good).model, dim: 48 } }));
    expect(() => loadPolicyFiles(dir)).toThrow(/weights\.safetensors: does not fit the model of config\.json \(loadStateDict: .*shape/);
    writeFileSync(cfgPath, JSON.stringify({ model: { ...JSON.parse(good).model, heads: 5 } }));
    expect(() => loadPolicyFiles(dir)).toThrow(/config\.json: invalid config: model\.heads: dim \(32\) must be divisible by heads \(5\)/);
    writeFileSync(cfgPath, JSON.stringify({ model: { ...JSON.parse(good).model, text: { vocab: 999, maxTokens: 8, layers: 1 } } }));
    expect(() => loadPolicyFiles(dir)).toThrow(/tokenizer\.json: \d+ tokens, but config\.json's model\.text\.vocab is 999/);
    writeFileSync(cfgPath, '{ nope');
    expect(() => loadPolicyFiles(dir)).toThrow(/config\.json: not valid JSON/);
    rmSync(cfgPath);
    expect(() => loadPolicyFiles(dir)).toThrow(/config\.json: missing \(a model version directory holds weights\.safetensors, config\.json, normalization\.json, tokenizer\.json\)/);
    model.dispose();
  });
});
