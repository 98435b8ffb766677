// Running Debian's ffmpeg and ffprobe as child processes: feed stdin with backpressure, collect stdout (or stream
// it elsewhere) and keep the tail of stderr for error messages that name the file. Shared by encode, concat,
// probe, decode and the frame cache.
import { spawn } from 'node:child_process';

export interface RunOptions {
  /** Chunks written to stdin in order, honouring backpressure; stdin is closed afterwards. */
  input?: Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
  /** Receives stdout chunks instead of collecting them (return a promise to apply backpressure). */
  onStdout?: (chunk: Buffer) => void | Promise<void>;
  /** Receives each complete stderr line (e.g. showinfo output). */
  onStderrLine?: (line: string) => void;
}

export interface RunResult { stdout: Buffer; stderr: string }

/** Lines that say nothing went wrong: SVT-AV1's banner and x265's, which ignore -loglevel. */
const NOISE = /^(Svt\[info\]|x265 \[info\]|\[Parsed_showinfo)/;

/** Runs `bin args`; rejects with `${what}: ${bin} ...: <its last stderr lines>` on failure. */
export function run(bin: 'ffmpeg' | 'ffprobe', args: string[], what: string, o: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { stdio: [o.input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let tail = '', partial = '', failed: Error | undefined;
    const fail = (e: Error) => { if (!failed) { failed = e; p.kill('SIGKILL'); } };
    p.on('error', (e) => fail(new Error(`${what}: could not run ${bin} (${e.message}); install the Debian package ffmpeg`)));
    let pending: Promise<void> = Promise.resolve();
    p.stdout!.on('data', (d: Buffer) => {
      if (!o.onStdout) { out.push(d); return; }
      const r = o.onStdout(d);
      if (r) { p.stdout!.pause(); pending = r.then(() => { p.stdout!.resume(); }, (e: Error) => fail(e)); }
    });
    p.stderr!.on('data', (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop()!;
      for (const l of lines) {
        o.onStderrLine?.(l);
        if (!NOISE.test(l) && l.trim()) tail = (tail + l + '\n').slice(-2000);
      }
    });
    if (o.input) {
      const stdin = p.stdin!;
      stdin.on('error', () => {}); // EPIPE when the tool quits early: reported through its exit code
      (async () => {
        for await (const chunk of o.input!) {
          if (failed || stdin.destroyed) return;
          if (!stdin.write(chunk)) await new Promise<void>((r) => {
            const done = () => { stdin.off('drain', done); stdin.off('close', done); r(); };
            stdin.on('drain', done); stdin.on('close', done);
          });
        }
        stdin.end();
      })().catch((e: Error) => fail(e));
    }
    p.on('close', async (code, signal) => {
      if (partial) o.onStderrLine?.(partial);
      await pending;
      if (failed) return reject(failed);
      if (code !== 0) return reject(new Error(`${what}: ${bin} exited with ${code ?? signal}: ${tail.trim() || '(no message)'}`));
      resolve({ stdout: Buffer.concat(out), stderr: tail });
    });
  });
}

/** Parses "30/1" or "30000/1001" (ffprobe's rates and time bases). */
export function ratio(s: string | undefined): number {
  if (!s) return NaN;
  const [a, b] = s.split('/').map(Number);
  return b === undefined ? a! : a! / b;
}
