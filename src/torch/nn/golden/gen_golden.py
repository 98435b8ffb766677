# Makes golden.safetensors: small PyTorch modules (state dicts under PyTorch's own key names), their inputs and
# outputs, and a few optimizer steps, computed by Python PyTorch, for src/torch/nn/golden.test.ts to reproduce.
# The file is written by hand from the safetensors format description (no safetensors package), so the test also
# checks that our loader reads a file from an independent writer.
#
# Run from the repository root with Debian's PyTorch (apt-get install python3-torch; 1.13 as our libtorch):
#   /usr/bin/python3 src/torch/nn/golden/gen_golden.py
import json
import math
import struct
from pathlib import Path

import torch
from torch import nn

torch.manual_seed(0)
out: dict[str, torch.Tensor] = {}


def put_module(prefix: str, m: nn.Module) -> None:
    for k, v in m.state_dict().items():
        out[f"{prefix}.{k}"] = v.detach().clone()


def put(name: str, t: torch.Tensor) -> None:
    out[name] = t.detach().clone()


with torch.no_grad():
    # Linear, Conv2d (stride, padding, groups), LayerNorm, GroupNorm, Embedding
    lin = nn.Linear(5, 3)
    x = torch.randn(2, 5)
    put_module("linear", lin), put("linear:x", x), put("linear:y", lin(x))

    conv = nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2)
    x = torch.randn(2, 4, 7, 7)
    put_module("conv", conv), put("conv:x", x), put("conv:y", conv(x))

    ln = nn.LayerNorm(6)
    nn.init.normal_(ln.weight), nn.init.normal_(ln.bias)
    x = torch.randn(2, 3, 6)
    put_module("layernorm", ln), put("layernorm:x", x), put("layernorm:y", ln(x))

    gn = nn.GroupNorm(2, 6)
    nn.init.normal_(gn.weight), nn.init.normal_(gn.bias)
    x = torch.randn(2, 6, 3, 3)
    put_module("groupnorm", gn), put("groupnorm:x", x), put("groupnorm:y", gn(x))

    emb = nn.Embedding(10, 4)
    idx = torch.tensor([[1, 2, 9], [0, 0, 5]])
    put_module("embedding", emb), put("embedding:x", idx), put("embedding:y", emb(idx))

    # MultiheadAttention, batch-first: self-attention with a boolean causal mask (True = blocked) and a key padding
    # mask; cross-attention with a float mask.
    mha = nn.MultiheadAttention(8, 2, batch_first=True)
    nn.init.normal_(mha.in_proj_bias, std=0.1), nn.init.normal_(mha.out_proj.bias, std=0.1)
    x = torch.randn(2, 5, 8)
    causal = torch.triu(torch.ones(5, 5, dtype=torch.bool), diagonal=1)
    pad = torch.tensor([[False] * 5, [False, False, False, True, True]])
    put_module("mha", mha), put("mha:x", x), put("mha:causal", causal), put("mha:pad", pad)
    put("mha:y_self", mha(x, x, x, need_weights=False)[0])
    put("mha:y_masked", mha(x, x, x, attn_mask=causal, key_padding_mask=pad, need_weights=False)[0])
    kv = torch.randn(2, 3, 8)
    fmask = torch.randn(5, 3)
    put("mha:kv", kv), put("mha:fmask", fmask)
    put("mha:y_cross", mha(x, kv, kv, attn_mask=fmask, need_weights=False)[0])

    # Pre-norm transformer encoder (2 layers + final norm, GELU) and one post-norm layer (ReLU). Training mode with
    # dropout 0, so that PyTorch takes its ordinary (not "fast path") code.
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, activation="gelu", batch_first=True, norm_first=True)
    enc = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8), enable_nested_tensor=False)
    for n, p in enc.named_parameters():  # the stack deep-copies one layer: make every tensor distinct
        nn.init.normal_(p, mean=1.0 if "norm" in n and n.endswith("weight") else 0.0, std=0.3 if p.dim() == 2 else 0.1)
    enc.train()
    put_module("encoder", enc)
    put("encoder:y", enc(x, mask=causal, src_key_padding_mask=pad))

    post = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True, norm_first=False)
    post.train()
    put_module("postnorm", post)
    put("postnorm:y", post(x))

# A tiny nanoGPT (karpathy/nanoGPT model.py's module tree and key names: transformer.wte/wpe/h.N/ln_f, lm_head tied
# to wte; attn.c_attn/c_proj, mlp.c_fc/c_proj, ln_1/ln_2), written out here as its non-flash path computes it.
class CausalSelfAttention(nn.Module):
    def __init__(self, E, H):
        super().__init__()
        self.c_attn, self.c_proj, self.n_head = nn.Linear(E, 3 * E), nn.Linear(E, E), H

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(torch.tril(torch.ones(T, T)) == 0, float("-inf")).softmax(dim=-1)
        return self.c_proj((att @ v).transpose(1, 2).contiguous().view(B, T, C))


class Block(nn.Module):
    def __init__(self, E, H):
        super().__init__()
        self.ln_1, self.attn, self.ln_2 = nn.LayerNorm(E), CausalSelfAttention(E, H), nn.LayerNorm(E)
        self.mlp = nn.ModuleDict(dict(c_fc=nn.Linear(E, 4 * E), c_proj=nn.Linear(4 * E, E)))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp.c_proj(torch.nn.functional.gelu(self.mlp.c_fc(self.ln_2(x))))


class GPT(nn.Module):
    def __init__(self, V, T, E, H, L):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(wte=nn.Embedding(V, E), wpe=nn.Embedding(T, E),
                                              h=nn.ModuleList([Block(E, H) for _ in range(L)]), ln_f=nn.LayerNorm(E)))
        self.lm_head = nn.Linear(E, V, bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # weight tying, as nanoGPT

    def forward(self, idx):
        x = self.transformer.wte(idx) + self.transformer.wpe(torch.arange(idx.size(1)))
        for block in self.transformer.h:
            x = block(x)
        return self.lm_head(self.transformer.ln_f(x))


with torch.no_grad():
    gpt = GPT(V=13, T=8, E=16, H=2, L=2)
    for n, p in gpt.named_parameters():
        if "ln_" in n:
            nn.init.normal_(p, mean=1.0 if n.endswith("weight") else 0.0, std=0.1)
    idx = torch.randint(0, 13, (2, 7))
    put_module("gpt", gpt), put("gpt:idx", idx), put("gpt:logits", gpt(idx))

# AdamW and SGD (momentum, Nesterov, weight decay): three steps from the same start with given gradients.
p0 = torch.randn(4)
grads = torch.randn(3, 4)
put("optim:p0", p0), put("optim:grads", grads)
for name, make in [
    ("adamw", lambda ps: torch.optim.AdamW(ps, lr=0.01, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.1)),
    ("sgd", lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
]:
    p = nn.Parameter(p0.clone())
    opt = make([p])
    for s in range(3):
        p.grad = grads[s].clone()
        opt.step()
        put(f"optim:{name}_{s + 1}", p.detach())
    st = opt.state[p]
    if name == "adamw":
        put("optim:adamw_exp_avg", st["exp_avg"]), put("optim:adamw_exp_avg_sq", st["exp_avg_sq"])

# clip_grad_norm_ over two gradients
a, b = nn.Parameter(torch.zeros(3)), nn.Parameter(torch.zeros(2, 2))
a.grad, b.grad = torch.randn(3), torch.randn(2, 2)
put("clip:a", a.grad), put("clip:b", b.grad)
put("clip:total", torch.nn.utils.clip_grad_norm_([a, b], 0.5).reshape(1))
put("clip:a_after", a.grad), put("clip:b_after", b.grad)

# ---- safetensors, by hand: u64 LE header length, JSON header padded with spaces to a multiple of 8, packed data
DTYPES = {torch.float32: "F32", torch.int64: "I64", torch.bool: "BOOL"}
header: dict = {"__metadata__": {"generator": "src/torch/nn/golden/gen_golden.py", "torch": torch.__version__}}
blobs, offset = [], 0
for name in sorted(out):
    t = out[name].contiguous()
    raw = t.numpy().tobytes()  # little-endian on x86-64
    header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
    blobs.append(raw)
    offset += len(raw)
head = json.dumps(header, separators=(",", ":")).encode()
head += b" " * (-len(head) % 8)
path = Path(__file__).with_name("golden.safetensors")
path.write_bytes(struct.pack("<Q", len(head)) + head + b"".join(blobs))
print(f"wrote {path} ({path.stat().st_size} bytes, {len(out)} tensors, torch {torch.__version__})")
