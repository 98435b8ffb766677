// torch.nn: layers as modules with PyTorch's parameter names (import { nn } from 'src/torch/index.ts').
export { Module, type StateDict } from './module.ts';
export { Linear, type LinearOptions } from './linear.ts';
export { Conv2d, type Conv2dOptions } from './conv2d.ts';
export { LayerNorm, type LayerNormOptions, type NormOptions } from './layernorm.ts';
export { GroupNorm, type GroupNormOptions } from './groupnorm.ts';
export { Embedding, type EmbeddingOptions } from './embedding.ts';
export { Dropout } from './dropout.ts';
export { Sequential, type Layer, type LayerModule } from './sequential.ts';
export { Activation, ReLU, GELU, SiLU, Tanh, activation, type ActivationName } from './activation.ts';
export { Flatten } from './flatten.ts';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, type Pool2dOptions } from './pooling.ts';
export { MLP, type MLPOptions } from './mlp.ts';
export { MultiheadAttention, type MultiheadAttentionOptions, type AttentionMasks } from './attention.ts';
export { ModuleList } from './modulelist.ts';
export { TransformerEncoderLayer, TransformerEncoder, LayerList, type TransformerEncoderLayerOptions, type TransformerEncoderOptions } from './transformer.ts';
export { LearnedPositionalEmbedding, SinusoidalPositionalEmbedding, sinusoidalTable, type LearnedPositionalEmbeddingOptions } from './positional.ts';
export * as init from './init.ts';
