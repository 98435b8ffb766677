// Drives bench/torch/python_step.py (Python PyTorch on the same libtorch) over stdin/stdout, so that the TS and
// Python training steps can be interleaved in one run. Installs Debian's python3-torch when missing (root only):
// the benchmark needs it, the normal set-up does not.
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3'; // Debian's Python, where python3-torch installs

export function ensurePythonTorch(): void {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status === 0) return;
  if (process.getuid?.() !== 0) throw new Error('bench/torch needs Debian python3-torch: sudo apt-get install -y python3-torch');
  console.error('[bench] installing Debian python3-torch for the reference side ...');
  const r = spawnSync('bash', ['-c', 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-torch'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('apt-get install python3-torch failed');
}

export class PythonPeer {
  private proc: ChildProcessByStdio<Writable, Readable, null>;
  private lines: Interface;
  private pending: { resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  info: { torch: string; threads: number } = { torch: '?', threads: 0 };

  private constructor(threads: number, env: Record<string, string>) {
    const script = fileURLToPath(new URL('./python_step.py', import.meta.url));
    this.proc = spawn(PYTHON, [script, String(threads)], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    this.lines = createInterface({ input: this.proc.stdout });
    this.lines.on('line', (l) => this.pending.shift()?.resolve(l));
    this.proc.on('exit', (code) => {
      for (const p of this.pending.splice(0)) p.reject(new Error(`python peer exited with code ${code}`));
    });
  }

  /** Starts the Python side with `threads` intra-op threads and extra environment variables. */
  static async start(threads: number, env: Record<string, string> = {}): Promise<PythonPeer> {
    const p = new PythonPeer(threads, env);
    p.info = JSON.parse(await p.next()) as { torch: string; threads: number };
    return p;
  }

  private next(): Promise<string> {
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }

  /** Runs `steps` training steps of `model` in Python; returns the ms of each. */
  async run(model: string, steps: number): Promise<{ ms: number[]; loss: number }> {
    const reply = this.next();
    this.proc.stdin.write(`${model} ${steps}\n`);
    return JSON.parse(await reply) as { ms: number[]; loss: number };
  }

  close(): void {
    this.proc.stdin.end();
  }
}
