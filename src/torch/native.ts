// The one typed interface over the native libtorch addon (native/). Everything else in src/torch goes through
// this file; nothing above src/torch touches the addon directly.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/**
 * A libtorch tensor handle: a number naming a slot of the addon's handle table (slot + generation * 2^22).
 * The table owns the tensor until free(handle); a freed handle is rejected by every call, never reused silently.
 */
export type TensorHandle = number;

export interface OpArgument { name: string; type: string; hasDefault: boolean; kwargOnly: boolean }
export interface OpInfo { id: number; schema: string; arguments: OpArgument[]; returns: number }
export type NativeValue = TensorHandle | NativeValue[] | number | boolean | string | null | undefined;
/** Tensors come back as handles; the caller knows from the op's schema which numbers are handles. */
export type NativeResult = TensorHandle | NativeResult[] | number | boolean | null;

export interface NativeBinding {
  opId(name: string, overload: string): OpInfo;
  call(id: number, args: NativeValue[]): NativeResult;
  fromBuffer(data: ArrayBufferView | ArrayBuffer, shape: number[], dtype: number): TensorHandle;
  free(t: TensorHandle): void;
  isLive(t: TensorHandle): boolean;
  shape(t: TensorHandle): number[];
  strides(t: TensorHandle): number[];
  dtype(t: TensorHandle): number;
  device(t: TensorHandle): string;
  numel(t: TensorHandle): number;
  isContiguous(t: TensorHandle): boolean;
  item(t: TensorHandle): number | boolean;
  /** Copies the elements into `dest` (exactly numel * element size bytes; returned) or a new ArrayBuffer. */
  toBuffer(t: TensorHandle, dest?: ArrayBuffer): ArrayBuffer;
  requiresGrad(t: TensorHandle): boolean;
  setRequiresGrad(t: TensorHandle, on: boolean): void;
  grad(t: TensorHandle): TensorHandle | null;
  setGrad(t: TensorHandle, g: TensorHandle | null): void;
  backward(t: TensorHandle, gradient?: TensorHandle | null, retainGraph?: boolean, createGraph?: boolean): void;
  isLeaf(t: TensorHandle): boolean;
  gradFn(t: TensorHandle): string | null;
  manualSeed(seed: number): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  setGradEnabled(on: boolean): void;
  isGradEnabled(): boolean;
  config(): { version: string; buildConfig: string; parallelInfo: string; numThreads: number; numInteropThreads: number; cudaAvailable: boolean };
  live(): { tensors: number; bytes: number };
  tuneAllocator(mmapThreshold: number, trimThreshold: number): boolean;
}

function load(): NativeBinding {
  const here = dirname(fileURLToPath(import.meta.url));
  const path = join(here, '..', '..', 'native', 'build', 'Release', 'karakuri_torch.node');
  if (!existsSync(path)) {
    throw new Error(`the native libtorch addon is not built (${path} is missing): run 'npm run bootstrap'`);
  }
  // libgomp reads OMP_WAIT_POLICY once, when the addon loads it. Its default (spin up to ~3 ms at every barrier)
  // makes each parallel op wait on threads the OS has descheduled whenever anything else runs on the cores (test
  // forks, a simulator, another trainer): on the 2-core box a tiny transformer's training step went from ~15 ms to
  // ~150 ms, ACTIVE was worse still (up to 400 ms). PASSIVE (sleep at barriers) bounds that; its price on an idle
  // machine is the wake-ups: best of 5, a tiny CNN step took 5.4 ms instead of 3.3 ms with ACTIVE. Set
  // OMP_WAIT_POLICY (or GOMP_SPINCOUNT) yourself to choose otherwise; child processes inherit the setting.
  process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
  return createRequire(import.meta.url)(path) as NativeBinding;
}

export const native: NativeBinding = load();
