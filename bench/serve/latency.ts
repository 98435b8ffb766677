// bench/serve: the policy server's cost over the bare model, and its capacity. (a) in-process, the same observation:
// Policy.infer (batch 1 with its frame cache) and forwardBatch of one prepared input (the server's compute path);
// (b) a round trip through the server (WebSocket, msgpack, mapping, batching) from one robot in another process
// sending as fast as answers come back: overhead = round trip - bare forwardBatch (target p99 overhead <= 1 ms); also
// with LIBERO-style 224x224 images (resize on the server); (c) 8, 32 and 64 simulated robots at 10 Hz each (send,
// await, sleep to the next 100 ms tick): achieved rate and round-trip p99 (target: 64 robots with p99 <= 50 ms).
// Random weights at the default model config (`karakuri train`'s), 96x96 images, 2 cameras x 2 frames.
//   npx tsx bench/serve/latency.ts [--iters 300] [--threads 2] [--robots 8,32,64] [--seconds 5] [--max-batch 8] [--max-wait-ms 2] [--config '{}']
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { percentile } from '../lib/stats.ts';

const { values } = parseArgs({ options: {
  iters: { type: 'string', default: '300' }, threads: { type: 'string', default: '2' }, robots: { type: 'string', default: '8,32,64' },
  seconds: { type: 'string', default: '5' }, 'max-batch': { type: 'string', default: '8' }, 'max-wait-ms': { type: 'string', default: '2' }, config: { type: 'string', default: '{}' },
} });
const iters = Number(values.iters), threads = Number(values.threads), seconds = Number(values.seconds);
const maxBatch = Number(values['max-batch']), maxWaitMs = Number(values['max-wait-ms']);
const fleet = values.robots!.split(',').map(Number).filter((n) => n > 0);
const blasEnv = process.env.OPENBLAS_NUM_THREADS;
process.env.OPENBLAS_NUM_THREADS ??= '1';   // before libtorch loads (dynamic imports below), as karakuri serve does
const torch = await import('../../src/torch/index.ts');
const { Policy } = await import('../../src/model/policy.ts');
const { EncodingCache, forwardBatch } = await import('../../src/model/batch.ts');
const { writeTestModel } = await import('../../src/serve/server/test-model.ts');
const { startPolicyServer } = await import('../../src/serve/server/server.ts');
const { mapObservation } = await import('../../src/serve/observation/map.ts');
const { DEFAULT_KEY_MAP } = await import('../../src/serve/observation/keys.ts');
const { ndarray, packMessage, unpackMessage } = await import('../../src/serve/protocol/ndarray.ts');

torch.setNumThreads(threads);
const load0 = loadavg()[0]!;
const f2 = (x: number) => x.toFixed(2);
const stats = (xs: number[]) => ({ p50: percentile(xs, 0.5), p99: percentile(xs, 0.99), max: Math.max(...xs) });
const line = (xs: number[]) => { const s = stats(xs); return `p50 ${f2(s.p50)} ms, p99 ${f2(s.p99)} ms, max ${f2(s.max)} ms (${xs.length} calls)`; };

const { dir, cfg } = writeTestModel({ config: JSON.parse(values.config!) });
console.log(`model: default config (dim ${cfg.dim}, ${cfg.layers} layers, vision [${cfg.vision.channels.join(', ')}] at ${cfg.vision.imageSize.join('x')}, ${cfg.cameras.length} cameras x ${cfg.history} frames, H ${cfg.horizon}, ${cfg.head} head), random weights; ${threads} torch threads`);

// the observations robot 0 sends (robots.ts builds them identically): two, alternating, so that every step brings a
// new frame per camera (the past one is the previous step's: cached), as a moving robot's would
const image = (h: number, w: number, seed: number) => Uint8Array.from({ length: h * w * 3 }, (_, i) => (i * 31 + seed * 97) & 0xff);
const S = cfg.vision.imageSize[0];
const message = (r: number, k: number) => packMessage({
  'observation.images.scene': ndarray(image(S, S, 2 * r + k), [S, S, 3]), 'observation.images.wrist': ndarray(image(S, S, 2 * r + k + 1000), [S, S, 3]),
  'observation.state': ndarray(Float32Array.of(0.1, -0.5, 0.9, 0, 0.3, 0, 0.4, 0, 0.3, 1, 0, 0, 0, 0.8)), 'observation.wrench': ndarray(new Float32Array(6)), 'observation.touch': ndarray(new Float32Array(2)),
  prompt: 'put the red cup on the tray', embodiment: 'kara6',
});
const bytes = [message(0, 0), message(0, 1)];
const ctx = { cfg, embodiments: ['kara6', 'kara7'], keyMap: DEFAULT_KEY_MAP, defaultEmbodiment: 'kara6' };

// (a) bare model, in process
const policy = await Policy.load(dir);
const obs = bytes.map((b) => mapObservation(unpackMessage(b), ctx).observation);
const bare = (fn: (i: number) => void, n = iters) => { for (let i = 0; i < 20; i++) fn(i); const lat: number[] = []; for (let i = 0; i < n; i++) { const t = performance.now(); fn(i); lat.push(performance.now() - t); } return lat; };
const inferLat = bare((i) => policy.infer(obs[i % 2]!));
const cache = new EncodingCache();
policy.reset();
const batchLat = bare((i) => forwardBatch(policy.model, [policy.prepare(obs[i % 2]!)], [cache]));
const uncachedLat = bare((i) => forwardBatch(policy.model, [policy.prepare(obs[i % 2]!)]));
cache.dispose();
const decodeLat = bare((i) => policy.prepare(mapObservation(unpackMessage(bytes[i % 2]!), ctx).observation));
console.log(`(a) bare, in process, batch 1`);
console.log(`    Policy.infer (past frames' tokens cached):        ${line(inferLat)}`);
console.log(`    forwardBatch of 1 with its EncodingCache (server): ${line(batchLat)}`);
console.log(`    forwardBatch of 1 without a cache (all frames):   ${line(uncachedLat)}`);
console.log(`    decode + map + prepare of one message:           ${line(decodeLat)}`);
// capacity: one forward of B streams (each its own Policy and EncodingCache, a new frame per camera each step)
const capacity: string[] = [];
for (const B of [8, 16, 32, 64]) {
  const streams = Array.from({ length: B }, (_, r) => ({ p: new Policy(policy.model, policy.normalization, policy.tokenizer), c: new EncodingCache(), o: [message(r, 0), message(r, 1)].map((b) => mapObservation(unpackMessage(b), ctx).observation) }));
  const lat = bare((i) => forwardBatch(policy.model, streams.map((s) => s.p.prepare(s.o[i % 2]!)), streams.map((s) => s.c)), 15);
  for (const s of streams) s.c.dispose();
  const m = percentile(lat, 0.5);
  capacity.push(`B ${B}: ${f2(m)} ms (${f2(m / B)} ms/robot, at most ${Math.floor((1000 / m) * B)} observations/s)`);
}
console.log(`    one forward of B robots (median of 15): ${capacity.join('; ')}`);

const server = await startPolicyServer({ model: dir, port: 0, host: '127.0.0.1', maxBatch, maxWaitMs, maxConnections: 1024, embodiment: 'kara6' });
function robots(args: string[]): Promise<{ rtt: number[]; fwd: number[]; srv: number[]; answered: number; errors: number; missed: number; wallS: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('./robots.ts', import.meta.url).pathname, '--port', String(server.port), ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`robots.ts exited ${code}`))));
  });
}

// (b) one robot, closed loop
const one = await robots(['--robots', '1', '--mode', 'closed', '--iters', String(iters + 20)]);
const rtt = one.rtt.slice(20), over = rtt.map((t, i) => t - one.fwd[i + 20]!), inside = one.srv.slice(20).map((t, i) => t - one.fwd[i + 20]!);
const b = stats(batchLat), r = stats(rtt), ov = stats(over), ins = stats(inside);
console.log(`(b) one robot through the server (another process, WebSocket + msgpack), max batch ${maxBatch}, max wait ${maxWaitMs} ms`);
console.log(`    round trip: ${line(rtt)}`);
console.log(`    overhead per request (round trip - its forward): p50 ${f2(ov.p50)} ms, p99 ${f2(ov.p99)} ms, max ${f2(ov.max)} ms (target p99 <= 1 ms)`);
console.log(`    of which inside the server (receipt -> result ready, minus the forward): p50 ${f2(ins.p50)} ms, p99 ${f2(ins.p99)} ms; the rest is sockets, the two event loops and the OS scheduler`);
console.log(`    round trip - bare percentiles: over forwardBatch p50 ${f2(r.p50 - b.p50)} / p99 ${f2(r.p99 - b.p99)} ms; over Policy.infer p50 ${f2(r.p50 - stats(inferLat).p50)} / p99 ${f2(r.p99 - stats(inferLat).p99)} ms`);
const lib = await robots(['--robots', '1', '--mode', 'closed', '--iters', String(Math.min(iters, 100) + 10), '--libero']);
console.log(`    LIBERO keys, 224x224 images resized on the server: ${line(lib.rtt.slice(10))}`);

// (c) fleets at 10 Hz
console.log(`(c) robots at 10 Hz each (send, await, sleep to the next tick), ${seconds} s per fleet, max batch ${maxBatch}`);
for (const n of fleet) {
  const before = server.stats();
  const res = await robots(['--robots', String(n), '--mode', 'rate', '--hz', '10', '--seconds', String(seconds)]);
  const after = server.stats();
  const forwards = after.forwards - before.forwards;
  const sizes = Object.entries(after.batchSizes).map(([k, v]) => [Number(k), v - (before.batchSizes[Number(k)] ?? 0)] as const).filter(([, v]) => v > 0);
  const mean = sizes.reduce((a, [k, v]) => a + k * v, 0) / Math.max(1, forwards);
  const s = stats(res.rtt);
  console.log(`    ${String(n).padStart(3)} robots: ${(res.answered / res.wallS / n).toFixed(2)} Hz each (${(res.answered / res.wallS).toFixed(0)} answers/s), round trip p50 ${f2(s.p50)} / p99 ${f2(s.p99)} / max ${f2(s.max)} ms, missed ticks ${res.missed}, errors ${res.errors}; ${forwards} forwards, mean batch ${mean.toFixed(1)}`);
}
await server.close();
policy.dispose();
console.log(`load average (1 min) before ${load0.toFixed(2)}, after ${loadavg()[0]!.toFixed(2)}; ${threads} torch threads; OPENBLAS_NUM_THREADS=${process.env.OPENBLAS_NUM_THREADS}${blasEnv === undefined ? ' (set by the bench)' : ''}`);
console.log(`command: npx tsx bench/serve/latency.ts --iters ${iters} --threads ${threads} --robots ${fleet.join(',')} --seconds ${seconds} --max-batch ${maxBatch} --max-wait-ms ${maxWaitMs}${values.config !== '{}' ? ` --config '${values.config}'` : ''}`);
