// End-to-end learning with nn + optim: an MLP, a small CNN and a tiny transformer each learn a toy task to a stated
// quality, seeded and fast; training loops leak no tensors; a trained model survives a safetensors round trip.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '../index.ts';

const { nn, optim, F } = torch;

/** AdamW steps on loss(); returns the last loss. Checks that steps after the second leave no tensor behind. */
function train(model: torch.nn.Module, steps: number, lr: number, loss: () => torch.Tensor): number {
  const opt = new optim.AdamW(model.parameters(), { lr, weightDecay: 0 });
  let last = Infinity;
  let liveAfter2 = -1;
  for (let s = 0; s < steps; s++) {
    last = torch.tidy(() => { opt.zeroGrad(); const l = loss(); l.backward(); opt.step(); return l.item(); });
    if (s === 1) liveAfter2 = torch.liveTensors().tensors;
  }
  expect(torch.liveTensors().tensors).toBe(liveAfter2); // no leak per step
  opt.dispose();
  return last;
}
const accuracy = (logits: torch.Tensor, y: torch.Tensor) => torch.tidy(() => logits.argmax(1).eq(y).float().mean().item());

describe('learning toy tasks', () => {
  it('an MLP separates two interleaved spirals (accuracy >= 0.98)', () => {
    torch.manualSeed(0);
    const N = 256, xs: number[] = [], ys: number[] = [];
    for (let i = 0; i < N; i++) {
      const c = i % 2, r = (i / N) * 3 + 0.2, a = (i / N) * 4 * Math.PI + c * Math.PI;
      xs.push(r * Math.cos(a), r * Math.sin(a)); ys.push(c);
    }
    const X = torch.tensor(Float32Array.from(xs), { shape: [N, 2] }), Y = torch.tensor(ys, { dtype: 'int64' });
    const mlp = new nn.MLP([2, 64, 64, 2]);
    const loss = train(mlp, 600, 1e-2, () => F.crossEntropy(mlp.forward(X), Y));
    expect(loss).toBeLessThan(0.05);
    expect(torch.noGrad(() => accuracy(mlp.forward(X), Y))).toBeGreaterThanOrEqual(0.98);
  });

  it('a CNN finds which quadrant holds a bright square (held-out accuracy >= 0.95)', () => {
    torch.manualSeed(0);
    const make = (n: number, seed: number) => {
      const img = new Float32Array(n * 16 * 16), y: number[] = [];
      let s = seed;
      const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
      for (let i = 0; i < n; i++) {
        const q = Math.floor(rnd() * 4);
        y.push(q);
        const oy = (q >> 1) * 8 + Math.floor(rnd() * 5), ox = (q & 1) * 8 + Math.floor(rnd() * 5);
        for (let p = 0; p < 256; p++) img[i * 256 + p] = rnd() * 0.3;
        for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) img[i * 256 + (oy + dy) * 16 + ox + dx] = 1;
      }
      return { x: torch.tensor(img, { shape: [n, 1, 16, 16] }), y: torch.tensor(y, { dtype: 'int64' }) };
    };
    const trainSet = make(256, 1), test = make(128, 2);
    const cnn = new nn.Sequential(
      new nn.Conv2d(1, 8, 3, { padding: 1 }), nn.ReLU(), new nn.Conv2d(8, 16, 3, { stride: 2, padding: 1 }), nn.ReLU(),
      new nn.Conv2d(16, 16, 3, { stride: 2, padding: 1 }), nn.ReLU(), new nn.Flatten(), new nn.Linear(16 * 4 * 4, 4),
    );
    train(cnn, 150, 3e-3, () => F.crossEntropy(cnn.forward(trainSet.x), trainSet.y));
    expect(torch.noGrad(() => accuracy(cnn.forward(test.x), test.y))).toBeGreaterThanOrEqual(0.95);
  });

  it('a tiny transformer learns to reverse random sequences (held-out token accuracy >= 0.95)', () => {
    torch.manualSeed(0);
    const V = 8, L = 6;
    const reversed = (x: torch.Tensor) => torch.flip(x, [1]).reshape(-1); // (N * L)
    const Xtest = torch.randint(0, V, [256, L]), Ytest = reversed(Xtest); // (N, L) random tokens, never trained on
    class Reverser extends nn.Module {
      emb = this.child('emb', new nn.Embedding(V, 32));
      pos = this.child('pos', new nn.LearnedPositionalEmbedding(L, 32, { std: 0.5 }));
      enc = this.child('enc', new nn.TransformerEncoder(() => new nn.TransformerEncoderLayer(32, 4, { dimFeedforward: 64, dropout: 0, activation: 'gelu' }), 2, { finalNorm: true }));
      head = this.child('head', new nn.Linear(32, V));
      forward(x: torch.Tensor) {
        return torch.tidy(() => this.head.forward(this.enc.forward(this.pos.forward(this.emb.forward(x)))).reshape(-1, V)); // (N*L, V)
      }
    }
    const model = new Reverser();
    train(model, 200, 5e-3, () => { // a fresh batch of 64 random sequences per step
      const x = torch.randint(0, V, [64, L]);
      return F.crossEntropy(model.forward(x), reversed(x));
    });
    model.eval();
    const logits = torch.noGrad(() => model.forward(Xtest));
    expect(accuracy(logits, Ytest)).toBeGreaterThanOrEqual(0.95);
    // save -> load into a differently initialised model -> identical outputs
    const path = join(mkdtempSync(join(tmpdir(), 'train-')), 'reverser.safetensors');
    torch.saveSafetensors(path, model.stateDict(), { task: 'reverse' });
    torch.manualSeed(123);
    const fresh = new Reverser().eval();
    const { tensors, metadata } = torch.loadSafetensors(path);
    expect(metadata).toEqual({ task: 'reverse' });
    fresh.loadStateDict(tensors);
    torch.dispose(tensors);
    const again = torch.noGrad(() => fresh.forward(Xtest));
    expect(again.toNumbers()).toEqual(logits.toNumbers());
    model.dispose(); fresh.dispose();
  });
});
