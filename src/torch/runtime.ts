// Runtime controls and facts: intra-op threads, the libtorch version, and which BLAS library is really loaded
// (read from the process's memory map, since libtorch's build config only names what it was built against).
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { native } from './native.ts';

export const setNumThreads = (n: number): void => native.setNumThreads(n);
export const getNumThreads = (): number => native.getNumThreads();

/** Shared libraries of the BLAS family that this process has mapped (e.g. libopenblasp-r0.3.21.so). */
export function loadedBlas(): string[] {
  try {
    const maps = readFileSync('/proc/self/maps', 'utf8');
    const libs = new Set<string>();
    for (const line of maps.split('\n')) {
      const m = line.match(/\s(\/\S*(?:blas|lapack|mkl|blis)\S*\.so[\S]*)$/i);
      if (m) libs.add(m[1]!);
    }
    return [...libs].sort();
  } catch {
    return [];
  }
}

export interface RuntimeInfo { libtorch: string; threads: number; interopThreads: number; cores: number; blas: string[]; cuda: boolean; parallel: string }
export function runtimeInfo(): RuntimeInfo {
  const c = native.config();
  return {
    libtorch: c.version, threads: native.getNumThreads(), interopThreads: c.numInteropThreads, cores: availableParallelism(),
    blas: loadedBlas(), cuda: c.cudaAvailable, parallel: c.parallelInfo,
  };
}

/**
 * Default intra-op threads: KARAKURI_THREADS, else OMP_NUM_THREADS, else all cores (libtorch in Node starts at 1
 * because nothing calls at::init_num_threads for the main thread).
 */
export function initThreads(): void {
  const env = process.env.KARAKURI_THREADS ?? process.env.OMP_NUM_THREADS;
  const n = env ? Number.parseInt(env, 10) : availableParallelism();
  if (!Number.isInteger(n) || n < 1) throw new Error(`KARAKURI_THREADS/OMP_NUM_THREADS must be a positive integer, got '${env}'`);
  native.setNumThreads(n);
}
