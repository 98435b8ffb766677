// torch.nn.functional in one namespace: network functions and losses (import { F } from 'src/torch/index.ts').
export * from './ops/nn.ts';
export * from './ops/loss.ts';
export { relu, gelu, silu, sigmoid, tanh, leakyRelu } from './ops/arithmetic.ts';
