// Cross-check with the reference implementation (Python `safetensors`, when installed; skipped otherwise): for a dict
// of every dtype numpy has (plus a 0-d and an empty tensor), our bytes equal safetensors.numpy.save's byte
// for byte, Python reads our bytes back to the same values, and we read Python's.
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as torch from './index.ts';
import { serializeSafetensors, parseSafetensors } from './safetensors.ts';

const PY = 'python3';
const hasPython = spawnSync(PY, ['-c', 'import safetensors.numpy, numpy'], { encoding: 'utf8' }).status === 0;

/** name -> [our dtype, numpy dtype, shape, values]; values exactly representable in every dtype listed. */
const SPEC: Record<string, [torch.DType, string, number[], number[]]> = {
  weight: ['float32', 'float32', [2, 3], [1.5, -2, 0.25, 2 ** -12, 1e6, -7.5]],
  w64: ['float64', 'float64', [2], [Math.PI, -1e-300]],
  half: ['float16', 'float16', [3], [0.5, -2, 65504]],
  ids: ['int64', 'int64', [2, 2], [0, -1, 2 ** 40, 7]],
  i32: ['int32', 'int32', [3], [-(2 ** 31), 0, 2 ** 31 - 1]],
  i16: ['int16', 'int16', [2], [-32768, 123]],
  i8: ['int8', 'int8', [3], [-128, 0, 127]],
  pixels: ['uint8', 'uint8', [1, 4], [0, 1, 128, 255]],
  mask: ['bool', 'bool', [5], [1, 0, 0, 1, 1]],
  scalar: ['float32', 'float32', [], [42]],
  empty: ['float32', 'float32', [0, 3], []],
};
// The reference keeps metadata in a Rust HashMap, so with two or more keys its byte order changes from run to run:
// byte equality is only defined for one key (the common {format: 'pt'}); the read-back test uses several.
const METADATA = { format: 'pt', note: 'cross-check ✓', step: '12' };
const ONE_KEY = { format: 'pt' };

/** Runs Python with SPEC on stdin; the script prints JSON. */
function python(script: string, stdinExtra: Record<string, unknown> = {}): Record<string, unknown> {
  const r = spawnSync(PY, ['-c', script], { input: JSON.stringify({ spec: SPEC, metadata: METADATA, ...stdinExtra }), encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}
const BUILD = `
import sys, json, base64, numpy as np
from safetensors.numpy import save, load
inp = json.load(sys.stdin)
d = {k: np.array(v[3], dtype=np.dtype(v[1])).reshape(v[2]) for k, v in inp['spec'].items()}
`;

const made: torch.Tensor[] = [];
afterEach(() => { for (const t of made.splice(0)) t.dispose(); });
function ours(): Map<string, torch.Tensor> {
  const m = new Map<string, torch.Tensor>();
  for (const [name, [dtype, , shape, values]] of Object.entries(SPEC)) {
    const t = dtype === 'int64' ? torch.tensor(BigInt64Array.from(values.map(BigInt)), { shape }) : torch.tensor(values, { shape, dtype });
    made.push(t);
    m.set(name, t);
  }
  return m;
}

describe.skipIf(!hasPython)('the reference implementation (Python safetensors) agrees', () => {
  it('our bytes equal safetensors.numpy.save for the same dict (every numpy dtype, 0-d, empty) and metadata', () => {
    const mine = serializeSafetensors(ours(), ONE_KEY);
    const out = python(`${BUILD}print(json.dumps({'b64': base64.b64encode(save(d, metadata=inp['one'])).decode()}))`, { one: ONE_KEY });
    const theirs = Buffer.from(out.b64 as string, 'base64');
    expect(mine.readBigUInt64LE(0)).toBe(theirs.readBigUInt64LE(0));
    expect(mine.subarray(8, 8 + Number(mine.readBigUInt64LE(0))).toString('utf8')).toBe(theirs.subarray(8, 8 + Number(theirs.readBigUInt64LE(0))).toString('utf8'));

    expect(mine.equals(theirs)).toBe(true);
    // and we read theirs
    const back = parseSafetensors(theirs, 'python');
    made.push(...back.tensors.values());
    expect(back.metadata).toEqual(ONE_KEY);
    for (const [name, [dtype, , shape, values]] of Object.entries(SPEC)) {
      const t = back.tensors.get(name)!;
      expect([t.dtype, t.shape], name).toEqual([dtype, shape]);
      expect(t.toNumbers(), name).toEqual(values);
    }
  });

  it('Python loads our bytes to the same values and metadata', () => {
    const mine = serializeSafetensors(ours(), METADATA);
    const out = python(`${BUILD}
from safetensors import safe_open
raw = base64.b64decode(inp['b64'])
got = load(raw)
same = {k: bool(got[k].dtype == d[k].dtype and got[k].shape == d[k].shape and np.array_equal(got[k], d[k])) for k in d}
import tempfile, os
with tempfile.NamedTemporaryFile(suffix='.safetensors', delete=False) as f: f.write(raw)
with safe_open(f.name, 'np') as f2: meta = f2.metadata()
os.unlink(f.name)
print(json.dumps({'same': same, 'keys': sorted(got), 'metadata': meta}))`, { b64: mine.toString('base64') });
    expect(out.keys).toEqual(Object.keys(SPEC).sort());
    expect(out.same).toEqual(Object.fromEntries(Object.keys(SPEC).map((k) => [k, true])));
    expect(out.metadata).toEqual(METADATA);
  });
});
