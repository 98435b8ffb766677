"""Reference side of bench/torch: the same two models as train-step.ts, in Python PyTorch (Debian python3-torch,
the same libtorch 1.13). Driven over stdin/stdout by the TypeScript harness so both run interleaved in one run:
each input line "<model> <steps>" runs that many AdamW training steps and answers one JSON line with the ms of
each step."""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 0


class Transformer(nn.Module):
    """4 pre-norm encoder layers, width 128, 4 heads, MLP 512, on 24 tokens; mean-pooled regression head."""

    def __init__(self, width=128, heads=4, mlp=512, layers=4):
        super().__init__()
        layer = nn.TransformerEncoderLayer(width, heads, mlp, dropout=0.0, activation="gelu", batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(width, 7)

    def forward(self, x):
        return self.head(self.encoder(x).mean(dim=1))


class CNN(nn.Module):
    """4 conv layers (3x3, stride 2) with GroupNorm-free ReLU stacks on 3x96x96, global average pool, 10 classes."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 32, 3, stride=2, padding=1)
        self.c2 = nn.Conv2d(32, 64, 3, stride=2, padding=1)
        self.c3 = nn.Conv2d(64, 128, 3, stride=2, padding=1)
        self.c4 = nn.Conv2d(128, 128, 3, stride=2, padding=1)
        self.head = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.c1(x))
        x = F.relu(self.c2(x))
        x = F.relu(self.c3(x))
        x = F.relu(self.c4(x))
        return self.head(F.adaptive_avg_pool2d(x, 1).flatten(1))


def make(name):
    torch.manual_seed(SEED)
    if name == "transformer":
        model = Transformer()
        x = torch.randn(32, 24, 128)
        y = torch.randn(32, 7)
        loss_fn = F.mse_loss
    elif name == "cnn":
        model = CNN()
        x = torch.rand(32, 3, 96, 96)
        y = torch.randint(0, 10, (32,))
        loss_fn = F.cross_entropy
    else:
        raise ValueError(f"unknown model {name!r}")
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else torch.get_num_threads()
    torch.set_num_threads(threads)
    steps = {}
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        name, n = line.split()
        if name not in steps:
            steps[name] = make(name)
        times = []
        for _ in range(int(n)):
            t0 = time.perf_counter()
            loss = steps[name]()
            times.append((time.perf_counter() - t0) * 1000)
        print(json.dumps({"model": name, "ms": times, "loss": loss}), flush=True)


if __name__ == "__main__":
    main()
