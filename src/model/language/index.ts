// The language part of the Karakuri VLA: tokenizer, normalization, synonym augmentation, corpus, text encoder.
export { Tokenizer, TokenizerFile, TrainOptions, PAD, BOS, EOS, TOKENIZER_FORMAT, TOKENIZER_VERSION, type EncodedBatch } from './tokenizer.ts';
export { normalizeInstruction, GROUNDING_WORDS, type NormalizeOptions } from './normalize.ts';
export { augmentInstruction, PREPOSITIONS, type AugmentOptions } from './augment.ts';
export { taskInstructions, instructionCorpus, heldoutInstructions, augmentCorpus, buildTokenizer, type Corpus, type CorpusOptions, type CollectOptions } from './corpus.ts';
export { TextEncoder, tokenTensors, type TextEncoderOptions } from './text-encoder.ts';
