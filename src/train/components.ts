// What training and evaluation need of the model side, as small interfaces: a trainable model (KarakuriVLA's
// forward/loss signature), a tokenizer, src/model/language's instruction augmentation, and where they come from.
// The real parts live in src/model/ (KarakuriVLA, Tokenizer, augmentInstruction); tests may pass a stand-in.
import type * as torch from '../torch/index.ts';
import type { ModelConfig } from '../model/config.ts';

type Tensor = torch.Tensor;

/** The model's inputs (src/model/vla.ts VLAInput). */
export interface VLAInput {
  /** uint8 [B, C, T, H, W, 3] */ images: Tensor;
  /** bool [B, T] */ imagePad: Tensor;
  /** float32 [B, D] normalized, D = wrench + touch + proprioMax */ state: Tensor;
  /** bool [B, D] */ stateMask: Tensor;
  /** int64 [B, L] */ tokens: Tensor;
  /** bool [B, L] */ tokenMask: Tensor;
  /** int64 [B] index into ModelConfig.embodiments */ embodiment: Tensor;
}

export interface LossTarget {
  /** [B, H, 7] normalized */ action: Tensor; /** bool [B, H] */ actionPad: Tensor; /** [B, 3] metres */ room?: Tensor;
  /** [B, 2] the target's pixel (u, v) in the first camera's current frame; NaN where unknown */ roomPixel?: Tensor;
}

/** What the training loop calls on a model (KarakuriVLA has it; so does the test stand-in). */
export interface TrainableModel {
  loss(inp: VLAInput, target: LossTarget): { total: Tensor; action: Tensor; room: Tensor; pointer?: Tensor };
  parameters(): Tensor[];
  namedParameters(): [string, Tensor][];
  stateDict(): Map<string, Tensor>;
  loadStateDict(dict: Map<string, Tensor>, opts?: { strict?: boolean }): unknown;
  train(on?: boolean): unknown;
  eval(): unknown;
  dispose(): void;
}

export interface TextTokenizer {
  readonly vocabSize: number;
  encodeBatch(texts: string[], maxTokens: number): { ids: BigInt64Array; mask: Uint8Array };
  save(path: string): void;
}

export interface ModelComponents {
  /** Where the parts come from, for lineage and the model card (e.g. "src/model KarakuriVLA"). */
  source: string;
  createModel(cfg: ModelConfig): TrainableModel;
  /** A tokenizer trained on the datasets' instructions. */
  trainTokenizer(corpus: string[]): TextTokenizer;
  loadTokenizer(path: string): TextTokenizer;
  /** Synonym substitution (src/model/language), when it exists. */
  augmentInstruction?: (text: string, rng: () => number) => string;
  /**
   * Writes weights.safetensors, config.json ({ model, train }), normalization.json and tokenizer.json in the model's
   * own format (src/model/checkpoint.ts savePolicyFiles); without it, version.ts writes the same layout itself.
   */
  saveFiles?: (dir: string, f: { model: TrainableModel & { cfg: ModelConfig }; normalization: { stateKeys: string[]; embodiments: Record<string, { state: { mean: number[]; std: number[] }; action: { mean: number[]; std: number[] } }> }; tokenizer: TextTokenizer; train: unknown }) => void;
}

/** The real model parts from src/model/ (KarakuriVLA, Tokenizer, augmentInstruction, savePolicyFiles). */
export async function modelComponents(): Promise<ModelComponents> {
  const [{ KarakuriVLA }, { Tokenizer }, { augmentInstruction }, { savePolicyFiles }] = await Promise.all([
    import('../model/vla.ts'), import('../model/language/tokenizer.ts'), import('../model/language/augment.ts'), import('../model/checkpoint.ts'),
  ]);
  return {
    source: 'src/model KarakuriVLA + src/model/language Tokenizer (BPE)',
    createModel: (cfg) => new KarakuriVLA(cfg),
    trainTokenizer: (corpus) => Tokenizer.train(corpus),
    loadTokenizer: (path) => Tokenizer.load(path),
    augmentInstruction: (text, rng) => augmentInstruction(text, rng),
    saveFiles: (dir, f) => savePolicyFiles(dir, f as unknown as Parameters<typeof savePolicyFiles>[1]),
  };
}
