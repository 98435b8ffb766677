// torch.nn: layers as modules with PyTorch's parameter names (import { nn } from 'src/torch/index.ts').
export { Module, type StateDict } from './module.ts';
export { Linear, type LinearOptions } from './linear.ts';
export { Conv2d, type Conv2dOptions } from './conv2d.ts';
export { LayerNorm, GroupNorm, type NormOptions } from './norm.ts';
export { Embedding } from './embedding.ts';
export { Dropout } from './dropout.ts';
export { Sequential, MLP, Activation, ReLU, GELU, SiLU, Flatten, activation, type Layer, type LayerModule, type ActivationName, type MLPOptions } from './sequential.ts';
export { MultiheadAttention, type MultiheadAttentionOptions, type AttentionMasks } from './attention.ts';
export { TransformerEncoderLayer, TransformerEncoder, LayerList, type TransformerEncoderLayerOptions } from './transformer.ts';
export { LearnedPositionalEmbedding, SinusoidalPositionalEmbedding, sinusoidalTable } from './positional.ts';
export * as init from './init.ts';
