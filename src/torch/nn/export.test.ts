// The other direction of golden.test.ts: state dicts we save load strictly into Python PyTorch's own modules, which
// then compute what ours computed. Runs when a Python with torch is installed (Debian's python3-torch, as the
// benchmark uses), skipped otherwise. The Python side reads the safetensors file with a few lines of its own.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '../index.ts';

const { nn, F } = torch;
const PYTHON = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0);

const READ = `
import json, struct, sys, torch
def read(path):
    raw = open(path, 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    dt = {'F32': torch.float32, 'I64': torch.int64, 'BOOL': torch.bool}
    out = {}
    for k, v in header.items():
        if k == '__metadata__': continue
        b, e = v['data_offsets']
        out[k] = torch.frombuffer(bytearray(raw[8 + n + b:8 + n + e]), dtype=dt[v['dtype']]).reshape(v['shape']).clone() if e > b else torch.empty(v['shape'], dtype=dt[v['dtype']])
    return out
d = read(sys.argv[1])
part = lambda p: {k[len(p):]: v for k, v in d.items() if k.startswith(p)}
diffs = {}
def check(name, module, *args, **kw):
    missing, unexpected = module.load_state_dict(part(name + '.'), strict=True)
    module.eval()
    with torch.no_grad():
        y = module(*args, **kw)
    y = y[0] if isinstance(y, tuple) else y
    diffs[name] = float((y - d[name + ':y']).abs().max())
nn = torch.nn
`;

describe.skipIf(!PYTHON)('state dicts we save load into PyTorch modules and compute the same', () => {
  it('TransformerEncoder (pre-norm, masks), MultiheadAttention (cross, float mask), Conv2d, GroupNorm, Embedding, MLP', () => {
    torch.manualSeed(5);
    const out = new Map<string, torch.Tensor>();
    const put = (name: string, m: torch.nn.Module, y: torch.Tensor, inputs: Record<string, torch.Tensor>) => {
      for (const [k, t] of m.stateDict()) out.set(`${name}.${k}`, t);
      out.set(`${name}:y`, y);
      for (const [k, t] of Object.entries(inputs)) out.set(`${name}:${k}`, t);
    };
    // a trained-looking encoder: perturb the norms so that they are not the identity
    const enc = new nn.TransformerEncoder(() => new nn.TransformerEncoderLayer(16, 4, { dimFeedforward: 24, activation: 'gelu' }), 2, { finalNorm: true });
    torch.noGrad(() => { for (const [k, p] of enc.namedParameters()) if (k.includes('norm')) p.add_(torch.randn(p.shape).mul(0.3)); });
    enc.eval();
    const x = torch.randn([3, 5, 16]);
    const pad = torch.tensor([[0, 0, 0, 0, 0], [0, 0, 0, 1, 1], [0, 0, 0, 0, 1]], { dtype: 'bool' });
    put('enc', enc, torch.noGrad(() => enc.forward(x, { keyPaddingMask: pad })), { x, pad });

    const mha = new nn.MultiheadAttention(8, 2).eval();
    torch.noGrad(() => mha.inProjBias!.add_(torch.randn([24]).mul(0.1)));
    const q = torch.randn([2, 3, 8]), kv = torch.randn([2, 4, 8]), fmask = torch.randn([3, 4]);
    put('mha', mha, torch.noGrad(() => mha.forward(q, kv, kv, { attnMask: fmask })), { q, kv, fmask });

    const conv = new nn.Conv2d(4, 6, [3, 2], { stride: [2, 1], padding: 1, groups: 2 });
    const img = torch.randn([2, 4, 7, 6]);
    put('conv', conv, torch.noGrad(() => conv.forward(img)), { img });

    const gn = new nn.GroupNorm(3, 6);
    torch.noGrad(() => { gn.weight!.add_(torch.randn([6])); gn.bias!.add_(torch.randn([6])); });
    const fm = torch.randn([2, 6, 3, 3]);
    put('gn', gn, torch.noGrad(() => gn.forward(fm)), { fm });

    const emb = new nn.Embedding(10, 4, { paddingIdx: 0 });
    const ids = torch.tensor([[0, 3, 9], [1, 1, 2]], { dtype: 'int64' });
    put('emb', emb, torch.noGrad(() => emb.forward(ids)), { ids });

    const mlp = new nn.MLP([5, 7, 3], { activation: 'silu' });
    const v = torch.randn([4, 5]);
    put('mlp', mlp, torch.noGrad(() => F.softmax(mlp.forward(v), -1)), { v });

    const path = join(mkdtempSync(join(tmpdir(), 'export-')), 'ours.safetensors');
    torch.saveSafetensors(path, out);
    const script = `${READ}
layer = nn.TransformerEncoderLayer(16, 4, 24, 0.1, 'gelu', batch_first=True, norm_first=True)
check('enc', nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(16), enable_nested_tensor=False), d['enc:x'], src_key_padding_mask=d['enc:pad'])
check('mha', nn.MultiheadAttention(8, 2, batch_first=True), d['mha:q'], d['mha:kv'], d['mha:kv'], attn_mask=d['mha:fmask'], need_weights=False)
check('conv', nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=1, groups=2), d['conv:img'])
check('gn', nn.GroupNorm(3, 6), d['gn:fm'])
check('emb', nn.Embedding(10, 4, padding_idx=0), d['emb:ids'])
check('mlp', nn.Sequential(nn.Linear(5, 7), nn.SiLU(), nn.Linear(7, 3), nn.Softmax(-1)), d['mlp:v'])
print(json.dumps(diffs))`;
    const r = spawnSync(PYTHON!, ['-c', script, path], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
    const diffs = JSON.parse(r.stdout) as Record<string, number>;
    console.log('FIG export max |pytorch - ours|', JSON.stringify(diffs));
    expect(Object.keys(diffs).sort()).toEqual(['conv', 'emb', 'enc', 'gn', 'mha', 'mlp']);
    for (const [name, d] of Object.entries(diffs)) expect(d, name).toBeLessThan(1e-5);
    for (const m of [enc, mha, conv, gn, emb, mlp]) m.dispose();
  });
});
