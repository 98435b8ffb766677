// The one typed interface over the native libtorch addon (native/). Everything else in src/torch goes through
// this file; nothing above src/torch touches the addon directly.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** A libtorch tensor handle. Owned by exactly one JS object; `dispose()` frees it at once. */
export interface NativeTensor {
  dispose(): void;
  readonly disposed: boolean;
  shape(): number[];
  strides(): number[];
  dtype(): number;
  device(): string;
  numel(): number;
  nbytes(): number;
  item(): number | boolean;
  toBuffer(): ArrayBuffer;
  requiresGrad(): boolean;
  setRequiresGrad(on: boolean): void;
  grad(): NativeTensor | null;
  setGrad(g: NativeTensor | null): void;
  backward(gradient?: NativeTensor | null, retainGraph?: boolean, createGraph?: boolean): void;
  isLeaf(): boolean;
  gradFn(): string | null;
  isContiguous(): boolean;
}

export interface OpArgument { name: string; type: string; hasDefault: boolean; kwargOnly: boolean }
export interface OpInfo { id: number; schema: string; arguments: OpArgument[]; returns: number }
export type NativeValue = NativeTensor | NativeValue[] | number | boolean | string | null | undefined;
export type NativeResult = NativeTensor | NativeResult[] | number | boolean | null;

export interface NativeBinding {
  NativeTensor: abstract new (...args: never[]) => NativeTensor;
  opId(name: string, overload: string): OpInfo;
  call(id: number, args: NativeValue[]): NativeResult;
  fromBuffer(data: ArrayBufferView | ArrayBuffer, shape: number[], dtype: number): NativeTensor;
  manualSeed(seed: number): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  setGradEnabled(on: boolean): void;
  isGradEnabled(): boolean;
  config(): { version: string; buildConfig: string; parallelInfo: string; numThreads: number; numInteropThreads: number; cudaAvailable: boolean };
  live(): { tensors: number; bytes: number };
}

function load(): NativeBinding {
  const here = dirname(fileURLToPath(import.meta.url));
  const path = join(here, '..', '..', 'native', 'build', 'Release', 'karakuri_torch.node');
  if (!existsSync(path)) {
    throw new Error(`the native libtorch addon is not built (${path} is missing): run 'npm run bootstrap'`);
  }
  return createRequire(import.meta.url)(path) as NativeBinding;
}

export const native: NativeBinding = load();
