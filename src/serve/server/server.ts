// The policy server: openpi's WebSocket protocol (../shared/reference/openpi-protocol.md) in front of one loaded
// Karakuri model. On connect: one binary metadata frame; then lock-step observation -> result; an error is a text
// frame and close 1011 for that connection only. `GET /healthz` answers `OK\n`. Each connection has its own Policy
// (frame history, token cache) over the shared model; observations from all connections are micro-batched into one
// forward pass (batcher.ts, src/model/batch.ts). Every chunk passes the shield hook before it leaves. API keys are
// checked at the upgrade (401), extra connections refused (503), messages above the size limit closed by ws (1009).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { basename } from 'node:path';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { Policy, type PolicyInput } from '../../model/policy.ts';
import { EncodingCache, forwardBatch } from '../../model/batch.ts';
import { loadPolicyFiles, type PolicyFiles } from '../../model/checkpoint.ts';
import type { Observation } from '../../sim/observation.ts';
import { ndarray, packMessage, unpackMessage } from '../protocol/ndarray.ts';
import { mapObservation, type MapContext } from '../observation/map.ts';
import { Batcher } from './batcher.ts';
import { apiKeyChecker, refuseUpgrade } from './auth.ts';
import { parseServerOptions, type ServerOptionsInput } from './options.ts';

/** What the shield hook knows about the connection a chunk goes to; `state` is the hook's own per-connection memory. */
export interface ConnectionInfo {
  id: number;
  remote: string;
  embodiment: string | null;
  state: Map<string, unknown>;
}

/**
 * The seam for the safety shield: every chunk passes it before it is sent (it may clip, hold or replace actions);
 * it returns the chunk, or the chunk and a report sent along under the result's `shield` key. shield-hook.ts builds
 * one from src/serve/shield. A throw fails that connection (text frame + 1011): no unshielded chunk leaves.
 */
export type ChunkShield = (chunk: Float32Array[], obs: Observation, conn: ConnectionInfo) => ArrayLike<number>[] | { chunk: ArrayLike<number>[]; report?: unknown };

export interface PolicyServerOptions extends ServerOptionsInput {
  /** A model version directory, or files already loaded (the server does not dispose those). */
  model: string | PolicyFiles;
  shield?: ChunkShield;
  /** Called with each batch's size right after its forward pass (tests and metrics). */
  onForward?: (batchSize: number, ms: number) => void;
}

export interface ServerStats {
  connections: number;
  connectionsTotal: number;
  requests: number;
  responses: number;
  errors: number;
  forwards: number;
  /** Forward passes by batch size. */
  batchSizes: Record<number, number>;
  rejectedAuth: number;
  rejectedCapacity: number;
}

export interface PolicyServer {
  port: number;
  close(): Promise<void>;
  stats(): ServerStats;
}

interface Session {
  info: ConnectionInfo;
  ws: WebSocket;
  policy: Policy;
  /** This connection's text and frame encodings, reused across its requests (libtorch tensors: disposed on close). */
  cache: EncodingCache;
  open: boolean;
  busy: boolean;
  backlog: { data: Buffer; at: number }[];
  prompt: string | null;
  prevTotalMs: number | null;
}

interface Job {
  session: Session;
  input: PolicyInput;
  obs: Observation;
  receivedAt: number;
  enqueuedAt: number;
}

const asBuffer = (d: RawData): Buffer => (Buffer.isBuffer(d) ? d : Array.isArray(d) ? Buffer.concat(d) : Buffer.from(d));
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Starts a policy server; resolves once it listens (port 0: a free port, reported in `port`). */
export async function startPolicyServer(opts: PolicyServerOptions): Promise<PolicyServer> {
  const { model: modelOpt, shield, onForward, ...rest } = opts;
  const o = parseServerOptions(rest);
  const files = typeof modelOpt === 'string' ? loadPolicyFiles(modelOpt) : modelOpt;
  const { model, normalization, tokenizer } = files;
  const cfg = model.cfg;
  model.eval();
  const embodiments = Object.keys(normalization.embodiments).filter((e) => cfg.embodiments.includes(e));
  if (o.embodiment !== undefined && !embodiments.includes(o.embodiment)) throw new Error(`startPolicyServer: embodiment '${o.embodiment}' has no normalization statistics in this model (it has: ${embodiments.join(', ')})`);
  for (const cam of cfg.cameras) if (!o.keyMap.images[cam]) throw new Error(`startPolicyServer: the key map has no image keys for the model's camera '${cam}' (it maps: ${Object.keys(o.keyMap.images).join(', ')})`);
  const ctx: MapContext = { cfg, embodiments, keyMap: o.keyMap, defaultEmbodiment: o.embodiment ?? (embodiments.length === 1 ? embodiments[0] : undefined) };
  const metadata = packMessage({
    server: 'karakuri', protocol: 'openpi',
    model: typeof modelOpt === 'string' ? basename(modelOpt) : 'in-memory',
    horizon: cfg.horizon, action_dim: cfg.actionDim, action_space: 'ee_delta (dx dy dz m, drx dry drz rad axis-angle, gripper 0..1) at 20 Hz',
    embodiments, default_embodiment: ctx.defaultEmbodiment ?? null, cameras: cfg.cameras, image_size: cfg.vision.imageSize,
    history: cfg.history,   // frames per camera the model reads (a client may send them: [T, H, W, 3], T >= history)
    state_width: Object.fromEntries(embodiments.map((e) => [e, cfg.stateLayout.proprio[e]!])),
    keys: o.keyMap, max_batch: o.maxBatch,
    ...o.metadata,
  });

  const stats: ServerStats = { connections: 0, connectionsTotal: 0, requests: 0, responses: 0, errors: 0, forwards: 0, batchSizes: {}, rejectedAuth: 0, rejectedCapacity: 0 };
  const sessions = new Set<Session>();
  const authorized = apiKeyChecker(o.apiKeys);

  const fail = (s: Session, err: unknown) => {
    if (!s.open) return;
    stats.errors++;
    s.open = false;
    const text = `Error in the policy server: ${(err as Error)?.message ?? String(err)}`;
    batcher.drop((j) => j.session === s);
    try {
      s.ws.send(text, { binary: false });
      s.ws.close(1011, 'policy server error');   // the reason travels in the text frame (close reasons are short)
    } catch { s.ws.terminate(); }
  };

  const runBatch = (jobs: Job[]) => {
    const live = jobs.filter((j) => j.session.open);
    if (live.length === 0) return;
    const t0 = performance.now();
    let result;
    try {
      result = forwardBatch(model, live.map((j) => j.input), live.map((j) => j.session.cache));
    } catch (e) {
      // isolate: run each alone, so that only an observation that fails by itself costs its connection
      if (live.length === 1) fail(live[0]!.session, e);
      else for (const j of live) runBatch([j]);
      return;
    }
    const ms = performance.now() - t0;
    stats.forwards++;
    stats.batchSizes[live.length] = (stats.batchSizes[live.length] ?? 0) + 1;
    onForward?.(live.length, ms);
    live.forEach((j, b) => {
      const s = j.session;
      if (!s.open) return;
      try {
        const shielded = shield ? shield(result.actions[b]!, j.obs, s.info) : result.actions[b]!;
        const chunk = Array.isArray(shielded) ? shielded : (shielded as { chunk: ArrayLike<number>[] }).chunk;
        const report = Array.isArray(shielded) ? undefined : (shielded as { report?: unknown }).report;
        const H = chunk.length, A = chunk[0]?.length ?? 0;
        if (H !== cfg.horizon || A !== cfg.actionDim) throw new Error(`the shield returned a ${H} x ${A} chunk, expected ${cfg.horizon} x ${cfg.actionDim}`);
        const flat = new Float32Array(H * A);
        chunk.forEach((a, k) => flat.set(a, k * A));
        const now = performance.now();
        const timing: Record<string, number> = { infer_ms: round3(now - j.receivedAt), queue_ms: round3(t0 - j.enqueuedAt), batch_size: live.length };
        if (s.prevTotalMs !== null) timing.prev_total_ms = round3(s.prevTotalMs);
        const bytes = packMessage({ actions: ndarray(flat, [H, A]), policy_timing: { infer_ms: round3(ms) }, server_timing: timing, ...(report !== undefined ? { shield: report } : {}) });
        s.ws.send(bytes, { binary: true }, (err) => { if (err) fail(s, err); });
        stats.responses++;
        s.prevTotalMs = performance.now() - j.receivedAt;
        s.busy = false;
        const next = s.backlog.shift();
        if (next) handle(s, next.data, next.at);
      } catch (e) {
        fail(s, e);
      }
    });
  };

  const batcher = new Batcher<Job>({ maxBatch: o.maxBatch, maxWaitMs: o.maxWaitMs }, runBatch, () => [...sessions].filter((s) => s.open).length);

  /** Decodes, maps and prepares one observation of `s`, then queues it; any problem fails that connection only. */
  function handle(s: Session, data: Buffer, receivedAt: number): void {
    s.busy = true;
    stats.requests++;
    try {
      const { observation, reset } = mapObservation(unpackMessage(data), ctx);
      if (reset || observation.instruction !== s.prompt || observation.embodiment !== s.info.embodiment) s.policy.reset();
      s.prompt = observation.instruction;
      s.info.embodiment = observation.embodiment;
      const input = s.policy.prepare(observation);
      batcher.push({ session: s, input, obs: observation, receivedAt, enqueuedAt: performance.now() });
    } catch (e) {
      fail(s, e);
    }
  }

  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: o.maxMessageBytes, clientTracking: false });
  let nextId = 1;
  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const s: Session = {
      info: { id: nextId++, remote: `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`, embodiment: null, state: new Map() },
      ws, policy: new Policy(model, normalization, tokenizer), cache: new EncodingCache(), open: true, busy: false, backlog: [], prompt: null, prevTotalMs: null,
    };
    sessions.add(s);
    stats.connections++; stats.connectionsTotal++;
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const at = performance.now();
      if (!s.open) return;
      if (!isBinary) return fail(s, new Error('observations must be binary msgpack frames, got a text frame'));
      const buf = asBuffer(data);
      if (s.busy) {
        if (s.backlog.length >= o.maxBacklog) return fail(s, new Error(`lock-step protocol: ${s.backlog.length + 1} observations sent ahead of their answers (at most ${o.maxBacklog}); wait for each result`));
        s.backlog.push({ data: buf, at });
        return;
      }
      handle(s, buf, at);
    });
    ws.on('error', () => { s.open = false; batcher.drop((j) => j.session === s); ws.terminate(); });
    ws.on('close', () => {
      s.open = false;
      batcher.drop((j) => j.session === s);
      s.cache.dispose();   // never inside a batch: runBatch is synchronous, close events come between batches
      if (sessions.delete(s)) stats.connections--;
    });
    ws.send(metadata, { binary: true });
  });

  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && (req.url === '/healthz' || req.url?.startsWith('/healthz?'))) {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK\n');
      return;
    }
    res.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket' }).end('Karakuri policy server: connect with a WebSocket (openpi protocol); GET /healthz for health\n');
  });
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (!authorized(req)) {
      stats.rejectedAuth++;
      return refuseUpgrade(socket, 401, req.headers.authorization ? 'invalid API key' : 'missing API key: send the header "Authorization: Api-Key <key>"', { 'WWW-Authenticate': 'Api-Key' });
    }
    if (sessions.size >= o.maxConnections) {
      stats.rejectedCapacity++;
      return refuseUpgrade(socket, 503, `the server is at its limit of ${o.maxConnections} connections; retry later`, { 'Retry-After': '1' });
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  http.on('clientError', (_e, socket) => { if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'); else socket.destroy(); });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(o.port, o.host, () => { http.off('error', reject); resolve(); });
  });
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : o.port;

  let closing: Promise<void> | null = null;
  return {
    port,
    stats: () => ({ ...stats, batchSizes: { ...stats.batchSizes } }),
    close: () => closing ??= (async () => {
      batcher.close();
      const live = [...sessions];
      const closed = Promise.all(live.map((s) => new Promise<void>((r) => { if (s.ws.readyState === s.ws.CLOSED) r(); else s.ws.once('close', () => r()); })));
      for (const s of live) { s.open = false; s.ws.close(1001, 'server shutting down'); }
      let t: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((r) => { t = setTimeout(r, 1000); })]);
      clearTimeout(t);
      for (const s of sessions) s.ws.terminate();
      for (const s of live) s.cache.dispose();
      await new Promise<void>((r) => { http.close(() => r()); http.closeAllConnections(); });
      wss.close();
      if (typeof modelOpt === 'string') model.dispose();
    })(),
  };
}
