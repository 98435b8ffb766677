// Runtime controls and facts: intra-op threads, the libtorch version, and which BLAS library is really loaded
// (read from the process's memory map, since libtorch's build config only names what it was built against).
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { native } from './native.ts';

/** Intra-op threads, an integer in [1, 1024] (libgomp hangs trying to start 100,000 threads, so huge values are refused). */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new RangeError(`setNumThreads(n): n must be an integer in [1, 1024], got ${String(n)}`);
  native.setNumThreads(n);
}
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
 * Serves tensors up to 32 MiB from the heap and keeps up to 512 MiB of freed heap, so a training loop's activations
 * are not page-faulted in again every step (see native/addon.cc tuneAllocator). KARAKURI_MALLOC_TUNING=0 leaves
 * glibc's defaults. Python processes get the same effect from MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_.
 */
export function initAllocator(): void {
  if (process.env.KARAKURI_MALLOC_TUNING === '0') return;
  native.tuneAllocator(32 * 2 ** 20, 512 * 2 ** 20);
}

/**
 * Default intra-op threads: KARAKURI_THREADS, else OMP_NUM_THREADS, else all cores (libtorch in Node starts at 1
 * because nothing calls at::init_num_threads for the main thread).
 */
export function initThreads(): void {
  const env = process.env.KARAKURI_THREADS ?? process.env.OMP_NUM_THREADS;
  const n = env ? Number.parseInt(env, 10) : availableParallelism();
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new Error(`KARAKURI_THREADS/OMP_NUM_THREADS must be an integer in [1, 1024], got '${env}'`);
  native.setNumThreads(n);
}
