// The Karakuri tensor library: import * as torch from 'src/torch/index.ts'. Tensors, ops, autograd scopes,
// memory scopes, random numbers and runtime controls; nn, optim and safetensors live in their own folders/files.
import { initThreads, initAllocator } from './runtime.ts';

export { Tensor, liveTensors, type TensorOrScalar } from './tensor.ts';
export type { DType, TypedArray } from './dtype.ts';
export { tidy, keep, dispose } from './scope.ts';
export { noGrad, enableGrad, isGradEnabled } from './autograd.ts';
export * from './ops/creation.ts';
export * from './ops/arithmetic.ts';
export * from './ops/reduction.ts';
export * from './ops/shape.ts';
export * from './ops/linalg.ts';
export * from './ops/random.ts';
export * as F from './functional.ts';
export { setNumThreads, getNumThreads, runtimeInfo, loadedBlas } from './runtime.ts';

initThreads();
initAllocator();
export * as nn from './nn/index.ts';
export * as optim from './optim/index.ts';
export { saveSafetensors, loadSafetensors, serializeSafetensors, parseSafetensors, saveModule, loadModule, type SafetensorsContents, type HasStateDict } from './safetensors.ts';
