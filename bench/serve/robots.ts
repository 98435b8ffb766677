// bench/serve robots: simulated robots in their own process (so that the client side's msgpack and socket work do not
// run on the server's event loop). Each robot opens a WebSocket to the policy server, reads the metadata frame, then
// either (closed) sends its next observation as soon as the answer arrives, `iters` times, or (rate) runs at `hz`:
// send, await the answer, sleep to the next tick, for `seconds`; robots start spread over one period. Prints JSON:
// round-trip times (ms), the forward time the server reported for each (policy_timing.infer_ms) and its receipt-to-ready time (server_timing.infer_ms), answers, errors, the wall time and the ticks that were missed because an answer came late.
//   npx tsx bench/serve/robots.ts --port 8000 --robots 8 --mode rate --hz 10 --seconds 5 [--size 96] [--libero]
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { ndarray, packMessage, unpackMessage } from '../../src/serve/protocol/ndarray.ts';

const { values } = parseArgs({ options: {
  port: { type: 'string' }, robots: { type: 'string', default: '1' }, mode: { type: 'string', default: 'rate' }, hz: { type: 'string', default: '10' },
  seconds: { type: 'string', default: '5' }, iters: { type: 'string', default: '300' }, size: { type: 'string', default: '96' }, libero: { type: 'boolean', default: false },
} });
const port = Number(values.port), robots = Number(values.robots), hz = Number(values.hz), seconds = Number(values.seconds), iters = Number(values.iters), size = Number(values.size);

const image = (h: number, w: number, seed: number) => Uint8Array.from({ length: h * w * 3 }, (_, i) => (i * 31 + seed * 97) & 0xff);
/** Robot r's observation number k (k = 0, 1 alternate: a new frame per camera every step, as a moving robot sends). */
function message(r: number, k = 0): Uint8Array {
  const state = Float32Array.of(0.1, -0.5, 0.9, 0, 0.3, 0, 0.4, 0, 0.3, 1, 0, 0, 0, 0.8);
  if (values.libero) return packMessage({ 'observation/image': ndarray(image(224, 224, 2 * r + k), [224, 224, 3]), 'observation/wrist_image': ndarray(image(224, 224, 2 * r + k + 1000), [224, 224, 3]), 'observation/state': ndarray(state), prompt: 'put the red cup on the tray' });
  return packMessage({
    'observation.images.scene': ndarray(image(size, size, 2 * r + k), [size, size, 3]), 'observation.images.wrist': ndarray(image(size, size, 2 * r + k + 1000), [size, size, 3]),
    'observation.state': ndarray(state), 'observation.wrench': ndarray(new Float32Array(6)), 'observation.touch': ndarray(new Float32Array(2)),
    prompt: 'put the red cup on the tray', embodiment: 'kara6',
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const rtt: number[] = [], fwd: number[] = [], srv: number[] = [];
let answered = 0, errors = 0, missed = 0;

async function robot(r: number): Promise<void> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
  const frames: ((d: { data: Buffer; binary: boolean }) => void)[] = [];
  ws.on('message', (data: Buffer, binary: boolean) => frames.shift()?.({ data, binary }));
  const next = () => new Promise<{ data: Buffer; binary: boolean }>((resolve) => frames.push(resolve));
  const meta = next();
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  await meta;
  const msgs = [message(r, 0), message(r, 1)];
  let sent = 0;
  const ask = async () => {
    const t0 = performance.now();
    const a = next();
    ws.send(msgs[sent++ % 2]!);
    const f = await a;
    if (!f.binary) { errors++; throw new Error(f.data.toString()); }
    rtt.push(performance.now() - t0);
    const reply = unpackMessage(f.data) as { policy_timing: { infer_ms: number }; server_timing: { infer_ms: number } };
    fwd.push(reply.policy_timing.infer_ms);
    srv.push(reply.server_timing.infer_ms);
    answered++;
  };
  if (values.mode === 'closed') {
    for (let i = 0; i < iters; i++) await ask();
  } else {
    const period = 1000 / hz;
    await sleep((r / robots) * period);
    const start = performance.now();
    let tick = start;
    while (performance.now() - start < seconds * 1000) {
      await ask();
      tick += period;
      const now = performance.now();
      if (now > tick) { missed += Math.ceil((now - tick) / period); tick += Math.ceil((now - tick) / period) * period; }
      await sleep(tick - performance.now());
    }
  }
  ws.close();
}

const t0 = performance.now();
await Promise.all(Array.from({ length: robots }, (_, r) => robot(r)));
process.stdout.write(JSON.stringify({ rtt, fwd, srv, answered, errors, missed, wallS: (performance.now() - t0) / 1000 }) + '\n');
