// A whole training run against PyTorch 1.13 (golden/trajectory.safetensors, made by golden/gen_trajectory.py):
// seeded init and data, a pre-norm transformer layer with a causal mask, cross-entropy, clipGradNorm, AdamW with
// weight decay and a warm-up + cosine LRScheduler. Every step's loss, gradient norm and lr, and the final parameters
// and AdamW moments must match what PyTorch computed. Two SGD runs with dropout active check that dropout draws its
// masks from the generator exactly as PyTorch does (same seed -> same masks -> same losses).
import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import * as torch from '../index.ts';

const { nn, optim, F } = torch;
const golden = torch.loadSafetensors(fileURLToPath(new URL('./golden/trajectory.safetensors', import.meta.url)));
afterAll(() => torch.dispose(golden.tensors));
const g = (name: string): torch.Tensor => golden.tensors.get(name) ?? (() => { throw new Error(`no '${name}' in trajectory.safetensors`); })();
const config = JSON.parse(golden.metadata.config!) as { steps: number; warmup: number; lr: number; min_lr: number; weight_decay: number; clip: number };

const V = 11, E = 16, H = 4, FF = 32, B = 8, L = 6;

class Model extends nn.Module {
  emb = this.child('emb', new nn.Embedding(V, E));
  layer = this.child('layer', new nn.TransformerEncoderLayer(E, H, { dimFeedforward: FF, dropout: 0, activation: 'gelu' }));
  norm = this.child('norm', new nn.LayerNorm(E));
  head = this.child('head', new nn.Linear(E, V));
  forward(x: torch.Tensor, mask: torch.Tensor): torch.Tensor {
    return torch.tidy(() => this.head.forward(this.norm.forward(this.layer.forward(this.emb.forward(x), { attnMask: mask })))); // (B, L, V)
  }
}

/** Largest |a - b| over same-shaped tensors. */
const maxDiff = (a: torch.Tensor, b: torch.Tensor): number => {
  expect(a.shape).toEqual(b.shape);
  return torch.tidy(() => a.sub(b).abs().max().item());
};
const relClose = (got: number[], want: number[], rel: number) =>
  got.forEach((v, i) => expect(Math.abs(v - want[i]!), `element ${i}: ${v} vs ${want[i]}`).toBeLessThanOrEqual(rel * Math.abs(want[i]!)));

describe('a training run reproduces PyTorch step by step', () => {
  it('init, data, per-step loss / grad norm / lr, final parameters and AdamW moments', () => {
    torch.manualSeed(0);
    const model = new Model();
    const x = torch.randint(0, V, [B, L]), y = torch.randint(0, V, [B, L]);
    // the same generator draws: bit-identical init and data
    expect(x.toNumbers()).toEqual(g('x').toNumbers());
    expect(y.toNumbers()).toEqual(g('y').toNumbers());
    for (const [k, t] of model.stateDict()) expect(maxDiff(t, g(`init.${k}`)), `init.${k}`).toBe(0);

    const causal = torch.tensor(Array.from({ length: L * L }, (_, k) => Number(k % L > Math.floor(k / L))), { shape: [L, L], dtype: 'bool' }); // true = blocked (j > i)
    const opt = new optim.AdamW(model.parameters(), { lr: config.lr, weightDecay: config.weight_decay });
    const sched = new optim.LRScheduler(opt, optim.warmupCosine({ baseLr: config.lr, warmupSteps: config.warmup, totalSteps: config.steps, minLr: config.min_lr }));
    const losses: number[] = [], norms: number[] = [], lrs: number[] = [];
    for (let s = 0; s < config.steps; s++) {
      torch.tidy(() => {
        opt.zeroGrad();
        const loss = F.crossEntropy(model.forward(x, causal).reshape(-1, V), y.reshape(-1)); // (B*L, V) vs (B*L)
        loss.backward();
        norms.push(optim.clipGradNorm(model.parameters(), config.clip));
        lrs.push(opt.lr);
        opt.step();
        sched.step();
        losses.push(loss.item());
      });
    }
    console.log('FIG trajectory losses', losses.map((l) => l.toFixed(5)).join(' '));
    relClose(lrs, g('lr').toNumbers(), 1e-12);
    relClose(losses, g('loss').toNumbers(), 2e-6);
    relClose(norms, g('grad_norm').toNumbers(), 2e-5);
    // in_proj_bias's key third gets a gradient that is exactly zero in exact arithmetic (q . b_k is the same for every
    // key, and softmax ignores a constant), so both sides hold rounding noise of ~1e-9 that Adam scales up to lr-sized
    // steps in random directions: it is compared on its own, loosely, and everything else tightly
    const keyBias = (t: torch.Tensor) => t.narrow(0, E, E); // (E) of (3E)
    const isKeyBias = (k: string) => k === 'layer.self_attn.in_proj_bias';
    let worst = 0;
    for (const [k, t] of model.stateDict()) {
      const want = g(`final.${k}`);
      if (isKeyBias(k)) {
        torch.tidy(() => {
          expect(maxDiff(t.narrow(0, 0, E), want.narrow(0, 0, E)), 'query bias').toBeLessThan(2e-6);
          expect(maxDiff(t.narrow(0, 2 * E, E), want.narrow(0, 2 * E, E)), 'value bias').toBeLessThan(2e-6);
          expect(maxDiff(keyBias(t), keyBias(want)), 'key bias').toBeLessThan(config.steps * config.lr);
        });
      } else worst = Math.max(worst, maxDiff(t, want));
    }
    console.log('FIG trajectory max |param - pytorch| after', config.steps, 'steps:', worst);
    expect(worst).toBeLessThan(1e-6);
    // AdamW state, parameter i <-> PyTorch's named parameter i
    const state = opt.stateDict();
    model.namedParameters().forEach(([name], i) => {
      if (isKeyBias(name)) return;
      expect(maxDiff(state.get(`${i}.exp_avg`)!, g(`exp_avg.${name}`)), `exp_avg.${name}`).toBeLessThan(1e-6);
      expect(maxDiff(state.get(`${i}.exp_avg_sq`)!, g(`exp_avg_sq.${name}`)), `exp_avg_sq.${name}`).toBeLessThan(1e-8);
      expect(state.get(`${i}.step`)!.item()).toBe(config.steps);
    });
    opt.dispose();
    model.dispose();
    torch.dispose([x, y, causal]);
  });
});

class TfDrop extends nn.Module {
  emb = this.child('emb', new nn.Embedding(V, E));
  layer = this.child('layer', new nn.TransformerEncoderLayer(E, H, { dimFeedforward: FF, dropout: 0.1, activation: 'gelu' }));
  head = this.child('head', new nn.Linear(E, V));
  forward(x: torch.Tensor): torch.Tensor {
    return torch.tidy(() => this.head.forward(this.layer.forward(this.emb.forward(x))).reshape(-1, V)); // (B*L, V)
  }
}
class Cnn extends nn.Module {
  conv1 = this.child('conv1', new nn.Conv2d(1, 4, 3, { padding: 1 }));
  gn = this.child('gn', new nn.GroupNorm(2, 4));
  conv2 = this.child('conv2', new nn.Conv2d(4, 8, 3, { stride: 2, padding: 1 }));
  drop = this.child('drop', new nn.Dropout(0.25));
  fc = this.child('fc', new nn.Linear(8 * 2 * 2, 3));
  forward(x: torch.Tensor): torch.Tensor {
    return torch.tidy(() => {
      const h = F.maxPool2d(F.relu(this.gn.forward(this.conv1.forward(x))), 2); // (N, 4, 4, 4)
      const flat = F.relu(this.conv2.forward(h)).flatten(1); // (N, 32)
      return this.fc.forward(this.drop.forward(flat)); // (N, 3)
    });
  }
}

describe('with dropout active, SGD runs reproduce PyTorch (same seed, same dropout masks)', () => {
  const runs: [string, number, () => torch.nn.Module & { forward(x: torch.Tensor): torch.Tensor }, () => [torch.Tensor, torch.Tensor], torch.optim.SGDOptions][] = [
    ['tfdrop', 1, () => new TfDrop(), () => [torch.randint(0, V, [B, L]), torch.randint(0, V, [B, L])], { lr: 0.1, momentum: 0.9 }],
    ['cnn', 2, () => new Cnn(), () => [torch.randn([16, 1, 8, 8]), torch.randint(0, 3, [16])], { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 }],
  ];
  it.each(runs)('%s', (prefix, seed, make, data, sgd) => {
    torch.manualSeed(seed);
    const model = make();
    const [x, y] = data();
    expect(x.toNumbers()).toEqual(g(`${prefix}:x`).toNumbers());
    const target = prefix === 'tfdrop' ? y.reshape(-1) : y; // (B*L) or (N)
    const opt = new optim.SGD(model.parameters(), sgd);
    const losses: number[] = [];
    const want = g(`${prefix}:loss`).toNumbers();
    for (let s = 0; s < want.length; s++) {
      torch.tidy(() => {
        opt.zeroGrad();
        const loss = F.crossEntropy(model.forward(x), target);
        loss.backward();
        opt.step();
        losses.push(loss.item());
      });
    }
    console.log(`FIG ${prefix} losses`, losses.map((l) => l.toFixed(6)).join(' '));
    relClose(losses, want, 2e-6);
    let worst = 0;
    for (const [k, t] of model.stateDict()) worst = Math.max(worst, maxDiff(t, g(`${prefix}:final.${k}`)));
    expect(worst).toBeLessThan(1e-6);
    opt.dispose();
    model.dispose();
    torch.dispose([x, y, target]);
  });
});
