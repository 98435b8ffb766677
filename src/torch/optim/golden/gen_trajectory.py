# Makes trajectory.safetensors: a whole seeded training run in PyTorch 1.13 for src/torch/optim/trajectory.test.ts
# to replay with our nn + optim: init from torch.manual_seed (bit-identical to ours), data drawn from the same
# generator, then AdamW steps with gradient clipping and a warm-up + cosine LambdaLR. Records each step's loss,
# pre-clip gradient norm and lr, and the parameters and AdamW state after the last step. Two more runs train with
# dropout active and SGD, so that dropout's masks must come from the same generator draws too: "tfdrop:" (the
# transformer layer with dropout 0.1, SGD with momentum) and "cnn:" (Conv2d, GroupNorm, max pooling, Dropout, SGD with
# Nesterov momentum and weight decay).
#
# Run from the repository root with Debian's PyTorch (apt-get install python3-torch; 1.13 as our libtorch):
#   /usr/bin/python3 src/torch/optim/golden/gen_trajectory.py
import json
import math
import struct
from pathlib import Path

import torch
from torch import nn
import torch.nn.functional as F

V, E, H, FF, B, L = 11, 16, 4, 32, 8, 6
STEPS, WARMUP, LR, WD, CLIP, MIN_LR = 8, 3, 3e-3, 0.05, 0.5, 3e-4


def warmup_cosine(step: int) -> float:  # the same formula as src/torch/optim/schedule.ts warmupCosine
    if step < WARMUP:
        return LR * (step + 1) / WARMUP
    t = min(1.0, (step - WARMUP) / max(1, STEPS - WARMUP))
    return MIN_LR + 0.5 * (LR - MIN_LR) * (1 + math.cos(math.pi * t))


class Model(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.emb = nn.Embedding(V, E)
        self.layer = nn.TransformerEncoderLayer(E, H, FF, 0.0, "gelu", batch_first=True, norm_first=True)
        self.norm = nn.LayerNorm(E)
        self.head = nn.Linear(E, V)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.head(self.norm(self.layer(self.emb(x), src_mask=mask)))  # (B, L, V)


torch.manual_seed(0)
model = Model()
x = torch.randint(0, V, (B, L))
y = torch.randint(0, V, (B, L))
causal = torch.triu(torch.ones(L, L, dtype=torch.bool), 1)  # true = blocked
out: dict[str, torch.Tensor] = {"x": x, "y": y}
for k, v in model.state_dict().items():
    out[f"init.{k}"] = v.detach().clone()

opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=WD)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: warmup_cosine(s) / LR)
losses, norms, lrs = [], [], []
for step in range(STEPS):
    opt.zero_grad(set_to_none=True)
    loss = F.cross_entropy(model(x, causal).reshape(-1, V), y.reshape(-1))
    loss.backward()
    norms.append(float(torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)))
    lrs.append(opt.param_groups[0]["lr"])
    opt.step()
    sched.step()
    losses.append(float(loss))
out["loss"] = torch.tensor(losses, dtype=torch.float64)
out["grad_norm"] = torch.tensor(norms, dtype=torch.float64)
out["lr"] = torch.tensor(lrs, dtype=torch.float64)
for k, v in model.state_dict().items():
    out[f"final.{k}"] = v.detach().clone()
names = dict(model.named_parameters())
for k, p in names.items():
    out[f"exp_avg.{k}"] = opt.state[p]["exp_avg"].clone()
    out[f"exp_avg_sq.{k}"] = opt.state[p]["exp_avg_sq"].clone()



class TfDrop(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.emb = nn.Embedding(V, E)
        self.layer = nn.TransformerEncoderLayer(E, H, FF, 0.1, "gelu", batch_first=True, norm_first=True)
        self.head = nn.Linear(E, V)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.layer(self.emb(x)))  # (B, L, V)


class Cnn(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.gn = nn.GroupNorm(2, 4)
        self.conv2 = nn.Conv2d(4, 8, 3, stride=2, padding=1)
        self.drop = nn.Dropout(0.25)
        self.fc = nn.Linear(8 * 2 * 2, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.max_pool2d(F.relu(self.gn(self.conv1(x))), 2)  # (N, 4, 4, 4)
        h = F.relu(self.conv2(h)).flatten(1)  # (N, 32)
        return self.fc(self.drop(h))  # (N, 3)


def sgd_run(prefix: str, model: nn.Module, data: tuple[torch.Tensor, torch.Tensor], loss_fn, steps: int, **sgd) -> None:
    x, y = data
    out[f"{prefix}:x"], out[f"{prefix}:y"] = x, y
    opt = torch.optim.SGD(model.parameters(), **sgd)
    losses = []
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        losses.append(float(loss))
    out[f"{prefix}:loss"] = torch.tensor(losses, dtype=torch.float64)
    for k, v in model.state_dict().items():
        out[f"{prefix}:final.{k}"] = v.detach().clone()


torch.manual_seed(1)
m = TfDrop()
sgd_run("tfdrop", m, (torch.randint(0, V, (B, L)), torch.randint(0, V, (B, L))),
        lambda o, t: F.cross_entropy(o.reshape(-1, V), t.reshape(-1)), 6, lr=0.1, momentum=0.9)
torch.manual_seed(2)
m = Cnn()
sgd_run("cnn", m, (torch.randn(16, 1, 8, 8), torch.randint(0, 3, (16,))), F.cross_entropy, 6,
        lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3)

# ---- safetensors, by hand: u64 LE header length, JSON header padded with spaces to a multiple of 8, packed data
DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}
meta = {"generator": "src/torch/optim/golden/gen_trajectory.py", "torch": torch.__version__,
        "config": json.dumps({"steps": STEPS, "warmup": WARMUP, "lr": LR, "min_lr": MIN_LR, "weight_decay": WD, "clip": CLIP})}
header: dict = {"__metadata__": meta}
blobs, offset = [], 0
for name in sorted(out):
    t = out[name].contiguous()
    raw = t.numpy().tobytes()  # little-endian on x86-64
    header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
    blobs.append(raw)
    offset += len(raw)
head = json.dumps(header, separators=(",", ":")).encode()
head += b" " * (-len(head) % 8)
path = Path(__file__).with_name("trajectory.safetensors")
path.write_bytes(struct.pack("<Q", len(head)) + head + b"".join(blobs))
print(f"wrote {path} ({path.stat().st_size} bytes, {len(out)} tensors, torch {torch.__version__}); losses {[round(v, 4) for v in losses]}")
