// The two benchmark models of bench/torch, built from our nn modules exactly as python_step.py builds them in
// PyTorch: a 4-layer pre-norm transformer (width 128, 4 heads, MLP 512, 32 x 24 tokens) and a 4-conv CNN on
// 32 x 3 x 96 x 96 images, each with its batch, loss and an AdamW step.
import * as torch from '../../src/torch/index.ts';
const { nn, optim, F } = torch;

class Transformer extends nn.Module {
  encoder = this.child('encoder', new nn.TransformerEncoder(() => new nn.TransformerEncoderLayer(128, 4, { dimFeedforward: 512, dropout: 0, activation: 'gelu' }), 4));
  head = this.child('head', new nn.Linear(128, 7));
  forward(x: torch.Tensor): torch.Tensor {
    return torch.tidy(() => this.head.forward(this.encoder.forward(x).mean(1))); // (B, 7)
  }
}

class CNN extends nn.Module {
  c1 = this.child('c1', new nn.Conv2d(3, 32, 3, { stride: 2, padding: 1 }));
  c2 = this.child('c2', new nn.Conv2d(32, 64, 3, { stride: 2, padding: 1 }));
  c3 = this.child('c3', new nn.Conv2d(64, 128, 3, { stride: 2, padding: 1 }));
  c4 = this.child('c4', new nn.Conv2d(128, 128, 3, { stride: 2, padding: 1 }));
  head = this.child('head', new nn.Linear(128, 10));
  forward(x: torch.Tensor): torch.Tensor {
    return torch.tidy(() => {
      let h = this.c1.forward(x).relu();
      h = this.c2.forward(h).relu();
      h = this.c3.forward(h).relu();
      h = this.c4.forward(h).relu(); // (B, 128, 6, 6)
      return this.head.forward(F.adaptiveAvgPool2d(h, 1).flatten(1)); // (B, 10)
    });
  }
}

export type ModelName = 'transformer' | 'cnn';

/** A training step closure for `name`: zero grads, forward, loss, backward, AdamW; returns the loss. */
export function makeStep(name: ModelName): () => number {
  torch.manualSeed(0);
  const model = name === 'transformer' ? new Transformer() : new CNN();
  const x = torch.keep(name === 'transformer' ? torch.randn([32, 24, 128]) : torch.rand([32, 3, 96, 96]));
  const y = torch.keep(name === 'transformer' ? torch.randn([32, 7]) : torch.randint(0, 10, [32]));
  const opt = new optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01 });
  return () => torch.tidy(() => {
    opt.zeroGrad();
    const out = model.forward(x);
    const loss = name === 'transformer' ? F.mseLoss(out, y) : F.crossEntropy(out, y);
    loss.backward();
    opt.step();
    return loss.item();
  });
}
