// Shared by the server's tests and benchmark: a real `ws` client connection with a frame queue (next() awaits the
// next frame, binary or text), the close code/reason, and the HTTP status of a refused upgrade.
import WebSocket from 'ws';

export interface Frame { data: Buffer; binary: boolean }

export interface TestConn {
  ws: WebSocket;
  /** The next frame (rejects after timeoutMs, or when the connection closed with none left). */
  next(timeoutMs?: number): Promise<Frame>;
  closed: Promise<{ code: number; reason: string }>;
  send(bytes: Uint8Array | string): void;
  close(): void;
}

export class UpgradeRefused extends Error {
  constructor(readonly status: number, readonly body: string) { super(`upgrade refused: HTTP ${status} ${body}`); }
}

export function connect(port: number, headers: Record<string, string> = {}, path = '/'): Promise<TestConn> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers, perMessageDeflate: false, maxPayload: 1 << 30 });
  const frames: Frame[] = [];
  const waiters: { resolve: (f: Frame) => void; reject: (e: Error) => void }[] = [];
  let ended: { code: number; reason: string } | null = null;
  ws.on('message', (data, binary) => {
    const f = { data: Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer), binary };
    const w = waiters.shift();
    if (w) w.resolve(f); else frames.push(f);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => {
    ended = { code, reason: reason.toString() };
    for (const w of waiters.splice(0)) w.reject(new Error(`connection closed (${code}) with no frame left`));
    resolve(ended);
  }));
  const conn: TestConn = {
    ws, closed,
    next: (timeoutMs = 10_000) => {
      const f = frames.shift();
      if (f) return Promise.resolve(f);
      if (ended) return Promise.reject(new Error(`connection closed (${ended.code}) with no frame left`));
      return new Promise<Frame>((resolve, reject) => {
        const t = setTimeout(() => { waiters.splice(waiters.indexOf(w), 1); reject(new Error(`no frame within ${timeoutMs} ms`)); }, timeoutMs);
        const w = { resolve: (x: Frame) => { clearTimeout(t); resolve(x); }, reject: (e: Error) => { clearTimeout(t); reject(e); } };
        waiters.push(w);
      });
    },
    send: (b) => ws.send(b, { binary: typeof b !== 'string' }),
    close: () => ws.close(),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(conn));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => reject(new UpgradeRefused(res.statusCode ?? 0, body.trim())));
    });
    ws.once('error', (e) => reject(e));
  });
}
