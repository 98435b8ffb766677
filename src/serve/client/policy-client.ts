// PolicyClient: the robot's side of the openpi WebSocket protocol (../shared/reference/openpi-protocol.md). It
// connects (optionally with `Authorization: Api-Key <key>`), reads the metadata frame, then infer(observation) sends
// one binary msgpack frame and waits for the one answer (strict lock-step). When the connection drops it reconnects
// by itself with exponential backoff (and jitter); infer() meanwhile fails at once with ClientError, so that the
// robot's loop holds (watchdog) instead of waiting. A text frame from the server is its error message. Answers are
// validated: `actions` must be a float numpy array [H, D]. Events (connected, disconnected, reconnecting, error) go
// to listeners with their time.
import WebSocket from 'ws';
import { z } from 'zod';
import { parseWith } from '../../validation.ts';
import { isWireNdArray, packMessage, unpackMessage, type NdArray } from '../protocol/ndarray.ts';

export const ClientOptions = z.strictObject({
  /** ws://host:port (any path). */
  url: z.string().regex(/^wss?:\/\/[^\s]+$/, 'must be a ws:// or wss:// URL'),
  apiKey: z.string().min(1).optional(),
  /** WebSocket handshake timeout per attempt (ms). */
  connectTimeoutMs: z.number().int().min(1).default(2000),
  /** Longest an infer() waits for its answer (ms); then the connection is treated as dead and re-made. */
  inferTimeoutMs: z.number().int().min(1).default(10_000),
  backoff: z.strictObject({
    initialMs: z.number().min(0).default(100),
    maxMs: z.number().min(0).default(5000),
    factor: z.number().min(1).default(2),
    /** Relative random spread of each delay (0..1). */
    jitter: z.number().min(0).max(1).default(0.2),
  }).default({ initialMs: 100, maxMs: 5000, factor: 2, jitter: 0.2 }),
  /** Largest accepted answer (bytes). */
  maxMessageBytes: z.number().int().min(1024).default(64 << 20),
  /** Reconnect after a drop (default true). */
  reconnect: z.boolean().default(true),
});
export type ClientOptions = z.output<typeof ClientOptions>;
export type ClientOptionsInput = z.input<typeof ClientOptions>;

export type ClientEvent =
  | { type: 'connected'; time: number; attempt: number; metadata: Record<string, unknown> }
  | { type: 'disconnected'; time: number; code: number; reason: string }
  | { type: 'reconnecting'; time: number; attempt: number; delayMs: number }
  | { type: 'error'; time: number; message: string; fatal: boolean };

export interface InferResult {
  /** H actions of D numbers (as the server sent them; the shield comes after). */
  actions: Float64Array[];
  policyTiming: Record<string, unknown>;
  serverTiming: Record<string, unknown>;
  /** Client-side round trip (ms). */
  roundTripMs: number;
}

export class ClientError extends Error {
  constructor(message: string) { super(message); this.name = 'ClientError'; }
}

const Metadata = z.record(z.string(), z.unknown());
const Result = z.looseObject({
  actions: z.custom<NdArray>((v) => isWireNdArray(v), 'must be a numpy array (an __ndarray__ map with bin keys)'),
  policy_timing: z.record(z.string(), z.unknown()).optional(),
  server_timing: z.record(z.string(), z.unknown()).optional(),
});

/** The rows of a float [H, D] array, or an error naming what is wrong. */
export function actionRows(a: NdArray): Float64Array[] {
  if (a.dtype !== '<f4' && a.dtype !== '<f8') throw new ClientError(`result.actions: dtype must be '<f4' or '<f8', got '${a.dtype}'`);
  if (a.shape.length !== 2 || a.shape[0]! < 1 || a.shape[1]! < 1) throw new ClientError(`result.actions: shape must be [H, D] with H, D >= 1, got [${a.shape.join(', ')}]`);
  const [H, D] = a.shape as [number, number];
  return Array.from({ length: H }, (_, k) => Float64Array.from((a.data as Float32Array | Float64Array).subarray(k * D, (k + 1) * D)));
}

interface Pending { resolve: (r: InferResult) => void; reject: (e: Error) => void; timer: NodeJS.Timeout; sentAt: number }

export class PolicyClient {
  readonly options: ClientOptions;
  /** The last metadata frame (null before the first connection). */
  metadata: Record<string, unknown> | null = null;
  private ws: WebSocket | null = null;
  private isOpen = false;
  private pending: Pending | null = null;
  private closed = false;
  private attempt = 0;
  private retry: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<(e: ClientEvent) => void>();
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private fatal: Error | null = null;

  constructor(opts: ClientOptionsInput) {
    this.options = parseWith(ClientOptions, opts, 'PolicyClient', 'options');
    this.open();
  }

  /** Connects and resolves once the metadata frame has arrived (or rejects after timeoutMs / on a refused API key). */
  static async connect(opts: ClientOptionsInput, timeoutMs = 10_000): Promise<PolicyClient> {
    const c = new PolicyClient(opts);
    try { await c.ready(timeoutMs); } catch (e) { await c.close(); throw e; }
    return c;
  }

  get connected(): boolean { return this.isOpen; }

  on(listener: (e: ClientEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when connected (metadata read). */
  ready(timeoutMs = 10_000): Promise<void> {
    if (this.isOpen) return Promise.resolve();
    if (this.fatal) return Promise.reject(this.fatal);
    return new Promise((resolve, reject) => {
      const w = { resolve: () => { clearTimeout(t); resolve(); }, reject: (e: Error) => { clearTimeout(t); reject(e); } };
      const t = setTimeout(() => { this.waiters = this.waiters.filter((x) => x !== w); reject(new ClientError(`no connection to ${this.options.url} within ${timeoutMs} ms`)); }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** Sends one observation and resolves with the validated answer. One at a time (lock-step). */
  infer(observation: Record<string, unknown>): Promise<InferResult> {
    if (this.closed) return Promise.reject(new ClientError('the client is closed'));
    if (!this.isOpen || !this.ws) return Promise.reject(new ClientError(`not connected to ${this.options.url}`));
    if (this.pending) return Promise.reject(new ClientError('lock-step protocol: an infer() is already waiting for its answer'));
    let bytes: Uint8Array;
    try { bytes = packMessage(observation); } catch (e) { return Promise.reject(e as Error); }
    const ws = this.ws;
    return new Promise<InferResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = null;
        reject(new ClientError(`no answer within ${this.options.inferTimeoutMs} ms`));
        ws.terminate(); // a silent server is a dead one: re-make the connection
      }, this.options.inferTimeoutMs);
      this.pending = { resolve, reject, timer, sentAt: performance.now() };
      ws.send(bytes, { binary: true }, (err) => { if (err) this.failPending(new ClientError(`send failed: ${err.message}`)); });
    });
  }

  /** Closes for good (no reconnect). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.failPending(new ClientError('the client is closed'));
    for (const w of this.waiters.splice(0)) w.reject(new ClientError('the client is closed'));
    const ws = this.ws;
    this.ws = null;
    this.isOpen = false;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((r) => {
      const t = setTimeout(() => { ws.terminate(); r(); }, 500);
      ws.once('close', () => { clearTimeout(t); r(); });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate(); else ws.close(1000, 'client closing');
    });
  }

  private emit(e: ClientEvent): void { for (const l of this.listeners) l(e); }

  private failPending(err: Error): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    clearTimeout(p.timer);
    p.reject(err);
  }

  private open(): void {
    if (this.closed) return;
    const o = this.options;
    const headers: Record<string, string> = o.apiKey ? { Authorization: `Api-Key ${o.apiKey}` } : {};
    const ws = new WebSocket(o.url, { headers, perMessageDeflate: false, maxPayload: o.maxMessageBytes, handshakeTimeout: o.connectTimeoutMs });
    this.ws = ws;
    let gotMetadata = false;
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString('utf8'); });
      res.on('end', () => {
        const fatal = res.statusCode === 401;
        const message = `the server refused the connection: HTTP ${res.statusCode}${body ? ` (${body.trim()})` : ''}`;
        this.emit({ type: 'error', time: Date.now(), message, fatal });
        if (fatal) { this.fatal = new ClientError(message); this.closed = true; for (const w of this.waiters.splice(0)) w.reject(this.fatal); }
        ws.terminate();
      });
    });
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (!isBinary) {
        // openpi: a text frame is the server's error message (it closes with 1011 next)
        const msg = `server error: ${buf.toString('utf8')}`;
        this.emit({ type: 'error', time: Date.now(), message: msg, fatal: false });
        this.failPending(new ClientError(msg));
        return;
      }
      try {
        if (!gotMetadata) {
          this.metadata = parseWith(Metadata, unpackMessage(buf), 'policy server', 'metadata frame');
          gotMetadata = true;
          this.isOpen = true;
          const attempt = this.attempt;
          this.attempt = 0;
          this.emit({ type: 'connected', time: Date.now(), attempt, metadata: this.metadata });
          for (const w of this.waiters.splice(0)) w.resolve();
          return;
        }
        const p = this.pending;
        if (!p) throw new ClientError('an answer arrived with no observation waiting for it');
        const r = parseWith(Result, unpackMessage(buf), 'policy server', 'result');
        const out: InferResult = { actions: actionRows(r.actions), policyTiming: r.policy_timing ?? {}, serverTiming: r.server_timing ?? {}, roundTripMs: performance.now() - p.sentAt };
        this.pending = null;
        clearTimeout(p.timer);
        p.resolve(out);
      } catch (e) {
        this.emit({ type: 'error', time: Date.now(), message: (e as Error).message, fatal: false });
        this.failPending(e as Error);
      }
    });
    ws.on('error', (e: Error) => { this.emit({ type: 'error', time: Date.now(), message: e.message, fatal: false }); });
    ws.on('close', (code: number, reason: Buffer) => {
      const was = this.isOpen;
      if (this.ws === ws) { this.ws = null; this.isOpen = false; }
      this.failPending(new ClientError(`the connection closed (code ${code}${reason.length ? `: ${reason.toString('utf8')}` : ''})`));
      if (was) this.emit({ type: 'disconnected', time: Date.now(), code, reason: reason.toString('utf8') });
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.closed || !this.options.reconnect || this.retry) return;
    const b = this.options.backoff;
    const base = Math.min(b.maxMs, b.initialMs * b.factor ** this.attempt);
    const delayMs = Math.max(0, base * (1 + b.jitter * (2 * Math.random() - 1)));
    this.attempt++;
    this.emit({ type: 'reconnecting', time: Date.now(), attempt: this.attempt, delayMs });
    this.retry = setTimeout(() => { this.retry = null; this.open(); }, delayMs);
  }
}
