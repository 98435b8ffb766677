// API-key checks at the WebSocket upgrade (`Authorization: Api-Key <key>`, the header openpi's client sends) and the
// plain HTTP refusals written on the raw socket before any WebSocket exists (401 wrong key, 503 full).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** A checker over the configured keys: true when none are configured, or the request carries one of them. */
export function apiKeyChecker(keys: readonly string[]): (req: IncomingMessage) => boolean {
  const wanted = keys.map(digest);
  return (req) => {
    if (wanted.length === 0) return true;
    const h = req.headers.authorization;
    const m = typeof h === 'string' ? /^Api-Key\s+(\S+)\s*$/i.exec(h) : null;
    if (!m) return false;
    const got = digest(m[1]!);
    let ok = false;
    for (const w of wanted) ok = timingSafeEqual(w, got) || ok;   // compare against every key: no early exit
    return ok;
  };
}

/** Writes a minimal HTTP response on a socket that asked for an upgrade, then closes it. */
export function refuseUpgrade(socket: Duplex, status: 401 | 503 | 400, body: string, headers: Record<string, string> = {}): void {
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 503: 'Service Unavailable' }[status];
  const text = `${body}\n`;
  const lines = [`HTTP/1.1 ${status} ${reason}`, 'Connection: close', 'Content-Type: text/plain; charset=utf-8', `Content-Length: ${Buffer.byteLength(text)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${text}`);
}
