# Makes init.safetensors: freshly constructed PyTorch modules' state dicts, each right after torch.manual_seed(seed),
# for src/torch/nn/init.test.ts to check that our modules, built after manualSeed(seed), hold the same values bit for
# bit (same libtorch generator, same draw order, same bound arithmetic).
#
# Run from the repository root with Debian's PyTorch (apt-get install python3-torch; 1.13 as our libtorch):
#   /usr/bin/python3 src/torch/nn/golden/gen_init.py
import json
import struct
from pathlib import Path

import torch
from torch import nn

# name -> (seed, constructor); the test builds the same modules with our nn under the same names and seeds
CASES = {
    "linear": (1, lambda: nn.Linear(7, 5)),
    "linear_nobias": (2, lambda: nn.Linear(7, 5, bias=False)),
    "conv": (3, lambda: nn.Conv2d(4, 6, (3, 5), stride=2, padding=1, groups=2)),
    "embedding": (4, lambda: nn.Embedding(10, 6)),
    "mha": (5, lambda: nn.MultiheadAttention(16, 4, batch_first=True)),
    "enc_layer": (6, lambda: nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, dropout=0.0, activation="gelu",
                                                         batch_first=True, norm_first=True)),
    "mlp": (7, lambda: nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))),
    "norms": (8, lambda: nn.ModuleDict({"ln": nn.LayerNorm(6), "gn": nn.GroupNorm(2, 6)})),
}

out: dict[str, torch.Tensor] = {}
for name, (seed, make) in CASES.items():
    torch.manual_seed(seed)
    for k, v in make().state_dict().items():
        out[f"{name}.{k}"] = v.detach().clone()

# ---- safetensors, by hand: u64 LE header length, JSON header padded with spaces to a multiple of 8, packed data
header: dict = {"__metadata__": {"generator": "src/torch/nn/golden/gen_init.py", "torch": torch.__version__}}
blobs, offset = [], 0
for name in sorted(out):
    t = out[name].contiguous()
    assert t.dtype == torch.float32, name
    raw = t.numpy().tobytes()  # little-endian on x86-64
    header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
    blobs.append(raw)
    offset += len(raw)
head = json.dumps(header, separators=(",", ":")).encode()
head += b" " * (-len(head) % 8)
path = Path(__file__).with_name("init.safetensors")
path.write_bytes(struct.pack("<Q", len(head)) + head + b"".join(blobs))
print(f"wrote {path} ({path.stat().st_size} bytes, {len(out)} tensors, torch {torch.__version__})")
