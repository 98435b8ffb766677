// What Karakuri runs with on this machine: Node, libtorch, threads, the BLAS library actually loaded, MuJoCo, ffmpeg.
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DoctorReport {
  node: string; cpu: string; cores: number; memoryGiB: number;
  libtorch: string; threads: number; interopThreads: number; blas: string[]; cuda: boolean;
  mujoco: string; ffmpeg: string;
}

function ffmpegVersion(): string {
  try {
    return execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0] ?? 'unknown';
  } catch {
    return 'not found (install the Debian package ffmpeg)';
  }
}

export async function doctorReport(): Promise<DoctorReport> {
  const torch = await import('../torch/index.ts');
  const info = torch.runtimeInfo();
  // Touch a matmul so that lazily loaded BLAS libraries are mapped before we read the memory map.
  torch.tidy(() => torch.matmul(torch.ones([64, 64]), torch.ones([64, 64])));
  const mujocoDir = dirname(fileURLToPath(import.meta.resolve('@mujoco/mujoco')));
  const mujocoPkg = JSON.parse(readFileSync(join(mujocoDir, 'package.json'), 'utf8')) as { version: string };
  return {
    node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: info.cores, memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    libtorch: info.libtorch, threads: info.threads, interopThreads: info.interopThreads, blas: torch.loadedBlas(), cuda: info.cuda,
    mujoco: `@mujoco/mujoco ${mujocoPkg.version} (WebAssembly)`, ffmpeg: ffmpegVersion(),
  };
}

export function formatDoctor(r: DoctorReport): string {
  const blas = r.blas.length ? r.blas.join('\n              ') : 'none mapped (reference BLAS?)';
  const warn = r.blas.some((b) => /openblas|mkl|blis/i.test(b)) ? '' : '\n  WARNING: no optimized BLAS loaded; install libopenblas0-pthread';
  return [
    'Karakuri doctor',
    `  node        ${r.node}`,
    `  cpu         ${r.cpu} (${r.cores} cores, ${r.memoryGiB} GiB)`,
    `  libtorch    ${r.libtorch}${r.cuda ? ' (CUDA available)' : ' (CPU)'}`,
    `  threads     ${r.threads} intra-op, ${r.interopThreads} inter-op`,
    `  blas        ${blas}`,
    `  mujoco      ${r.mujoco}`,
    `  ffmpeg      ${r.ffmpeg}`,
  ].join('\n') + warn;
}
