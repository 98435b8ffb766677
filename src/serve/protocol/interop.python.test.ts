// Cross-check with a real Python client (numpy, msgpack and websockets, as openpi-client depends on), written to run on
// Debian bookworm's python3-numpy 1.24, python3-msgpack 1.0.3 and python3-websockets 10.4 (no websockets.sync): it
// behaves as openpi-client's WebsocketClientPolicy (compression off, unlimited message size, Api-Key header, the
// metadata frame read on connect, lock-step send -> recv, a text frame raises) over websockets' asyncio client, and
// packs like msgpack_numpy (packb with a default= hook that turns numpy arrays into bin-keyed maps, unpackb with an
// object_hook that detects b"__ndarray__"). It sends LIBERO-style observations to our server and reads numpy action
// chunks back; a bad observation raises from the text frame. Debian's /usr/bin/python3 is preferred (where the
// python3-* packages install); skipped, naming the missing modules, when no Python has them.
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPolicyServer, type PolicyServer } from '../server/server.ts';
import { writeTestModel } from '../server/test-model.ts';

const PROBE = String.raw`
import importlib, sys
missing = []
for m in ("numpy", "msgpack", "websockets"):
    try:
        importlib.import_module(m)
    except ImportError:
        missing.append(m)
if not missing:
    import websockets
    if int(websockets.__version__.split(".")[0]) < 10:
        missing.append(f"websockets >= 10 (found {websockets.__version__})")
print(",".join(missing))
`;

/** The first Python with every module, or why none is usable (per interpreter, what it lacks). */
function findPython(): { py?: string; why: string } {
  const why: string[] = [];
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', PROBE], { encoding: 'utf8' });
    if (r.status !== 0) { why.push(`${py}: not runnable${r.error ? ` (${r.error.message})` : ''}`); continue; }
    const missing = r.stdout.trim();
    if (missing === '') return { py, why: '' };
    why.push(`${py} lacks ${missing.split(',').join(', ')}`);
  }
  return { why: `${why.join('; ')} (Debian: apt-get install python3-numpy python3-msgpack python3-websockets)` };
}
const PYTHON = findPython();

const CLIENT = String.raw`
import asyncio, functools, json, sys
import numpy as np, msgpack, websockets

try:  # websockets >= 13: the new asyncio client
    from websockets.asyncio.client import connect
    HEADERS = "additional_headers"
except ImportError:  # websockets 10.x - 12.x (Debian bookworm: 10.4)
    from websockets.client import connect
    HEADERS = "extra_headers"

def pack_array(obj):
    if isinstance(obj, (np.ndarray, np.generic)) and obj.dtype.kind in ("V", "O", "c"):
        raise ValueError(f"Unsupported dtype: {obj.dtype}")
    if isinstance(obj, np.ndarray):
        return {b"__ndarray__": True, b"data": obj.tobytes(), b"dtype": obj.dtype.str, b"shape": obj.shape}
    if isinstance(obj, np.generic):
        return {b"__npgeneric__": True, b"data": obj.item(), b"dtype": obj.dtype.str}
    return obj

def unpack_array(obj):
    if b"__ndarray__" in obj:
        return np.ndarray(buffer=obj[b"data"], dtype=np.dtype(obj[b"dtype"]), shape=obj[b"shape"])
    if b"__npgeneric__" in obj:
        return np.dtype(obj[b"dtype"]).type(obj[b"data"])
    return obj

packb = functools.partial(msgpack.packb, default=pack_array)
unpackb = functools.partial(msgpack.unpackb, object_hook=unpack_array)

class WebsocketClientPolicy:
    """openpi_client.websocket_client_policy.WebsocketClientPolicy over websockets' asyncio client."""
    @classmethod
    async def create(cls, uri, api_key):
        self = cls()
        self._ws = await connect(uri, compression=None, max_size=None, **{HEADERS: {"Authorization": f"Api-Key {api_key}"}})
        self._metadata = unpackb(await self._ws.recv())
        return self
    def get_server_metadata(self):
        return self._metadata
    async def infer_raw(self, obs):
        await self._ws.send(packb(obs))
        resp = await self._ws.recv()
        if isinstance(resp, str):
            raise RuntimeError(f"Error in inference server:\n{resp}")
        return unpackb(resp)

async def main(port, key):
    policy = await WebsocketClientPolicy.create(f"ws://127.0.0.1:{port}", key)
    out = {"metadata_horizon": policy.get_server_metadata()["horizon"], "chunks": [],
           "versions": {"numpy": np.__version__, "msgpack": ".".join(map(str, msgpack.version)), "websockets": websockets.__version__}}
    rng = np.random.default_rng(0)
    for step in range(3):
        obs = {
            "observation/image": rng.integers(0, 256, (224, 224, 3), dtype=np.uint8),
            "observation/wrist_image": rng.integers(0, 256, (224, 224, 3), dtype=np.uint8),
            "observation/state": np.concatenate([np.zeros(6), [0.4, 0.0, 0.3], [1.0, 0, 0, 0], [0.8]]),
            "prompt": "put the red cup on the tray",
            "reset": np.bool_(step == 0),
        }
        r = await policy.infer_raw(obs)
        a = r["actions"]
        out["chunks"].append({"type": type(a).__name__, "dtype": str(a.dtype), "shape": list(a.shape), "finite": bool(np.isfinite(a).all()),
                              "infer_ms": float(r["policy_timing"]["infer_ms"]), "server_keys": sorted(r["server_timing"].keys())})
    bad = {"observation/image": np.zeros((224, 224, 3), np.uint8), "observation/wrist_image": np.zeros((224, 224, 3), np.uint8),
           "observation/state": np.array([np.nan] * 14), "prompt": "x"}
    try:
        await policy.infer_raw(bad)
        out["bad_raised"] = None
    except RuntimeError as e:
        out["bad_raised"] = str(e)
    try:
        await policy._ws.recv()
    except websockets.exceptions.ConnectionClosed as e:
        out["close_code"] = e.rcvd.code if e.rcvd is not None else None
    print(json.dumps(out))

asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
`;

const { dir } = writeTestModel();
let server: PolicyServer;
beforeAll(async () => { server = await startPolicyServer({ model: dir, port: 0, host: '127.0.0.1', embodiment: 'kara6', apiKeys: ['python-client-key'] }); });
afterAll(async () => { await server.close(); });

describe.skipIf(!PYTHON.py)(`a Python openpi-style client (numpy + msgpack + websockets)${PYTHON.py ? '' : ` [skipped: ${PYTHON.why}]`}`, () => {
  it('gets numpy float32 [10, 7] chunks for LIBERO observations; a NaN state raises with our text and close 1011', async () => {
    const child = spawn(PYTHON.py!, ['-c', CLIENT, String(server.port), 'python-client-key'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, err).toBe(0);
    const r = JSON.parse(out) as { metadata_horizon: number; chunks: { type: string; dtype: string; shape: number[]; finite: boolean; infer_ms: number; server_keys: string[] }[]; bad_raised: string | null; close_code: number; versions: Record<string, string> };
    expect(r.metadata_horizon).toBe(10);
    expect(r.chunks).toHaveLength(3);
    for (const [i, c] of r.chunks.entries()) {
      expect(c).toMatchObject({ type: 'ndarray', dtype: 'float32', shape: [10, 7], finite: true });
      expect(c.infer_ms).toBeGreaterThan(0);
      expect(c.server_keys).toEqual(i === 0 ? ['batch_size', 'infer_ms', 'queue_ms'] : ['batch_size', 'infer_ms', 'prev_total_ms', 'queue_ms']);
    }
    expect(r.bad_raised).toMatch(/^Error in inference server:\nError in the policy server: observation\/state\[0\]: .* must be finite, got NaN/);
    expect(r.close_code).toBe(1011);
  });
});
