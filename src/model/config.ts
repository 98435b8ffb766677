// ModelConfig of the Karakuri VLA: a strict zod schema (unknown keys rejected at every level) with the cross-field
// checks that would otherwise fail deep inside a layer (dim vs heads, square token grids, image size vs the CNN's
// downsampling, GroupNorm groups, the state layout vs the embodiments). parseModelConfig() is the one entry point.
import { z } from 'zod';
import { parseWith } from '../validation.ts';

/** The loader's state features, in the order the model reads them: wrench [0, 6), touch [6, 8), proprio [8, ...). */
export const STATE_KEYS = ['observation.wrench', 'observation.touch', 'observation.state'] as const;

const int = (min: number) => z.number().int().min(min);
const unique = (what: string) => (xs: string[]) => new Set(xs).size === xs.length || `${what} must not repeat`;

/** Feature-map size after the CNN: the stem (3x3 stride 2 with padding 1, or 4x4 stride 4) then 3x3 stride-2 convs. */
/** Height and width of the feature map the pointers attend over (vision.pointerBlock, default the last block's). */
export function pointerMapSize(v: ModelConfig['vision']): [number, number] {
  return featureSize({ ...v, channels: v.channels.slice(0, (v.pointerBlock ?? v.channels.length - 1) + 1) });
}

export function featureSize(v: { imageSize: [number, number]; stemStride: 2 | 4; channels: number[] }): [number, number] {
  const down = (n: number) => {
    let x = v.stemStride === 4 ? Math.floor(n / 4) : Math.floor((n - 1) / 2) + 1;
    for (let i = 1; i < v.channels.length; i++) x = Math.floor((x - 1) / 2) + 1;
    return x;
  };
  return [down(v.imageSize[0]), down(v.imageSize[1])];
}

export const ModelConfig = z.strictObject({
  /** Width of every token. */
  dim: int(8).default(128),
  heads: int(1).default(4),
  /** Transformer layers of the trunk. */
  layers: int(1).default(4),
  /** Feed-forward width = ffMult * dim in every transformer layer. */
  ffMult: int(1).default(2),
  dropout: z.number().min(0).lt(1).default(0),
  text: z.strictObject({
    /** Tokenizer vocabulary size (Tokenizer.vocabSize). */
    vocab: int(2),
    maxTokens: int(1).default(24),
    layers: int(1).default(2),
  }),
  vision: z.strictObject({
    /** Output channels of the CNN blocks: the first (the stem) downsamples by stemStride, each other one by 2. */
    channels: z.array(int(1)).min(1).default([32, 64, 128]),
    /** Stride of the first block (2: a 3x3 conv; 4: a 4x4 patchify conv, cheaper at full resolution). */
    stemStride: z.union([z.literal(2), z.literal(4)]).default(4),
    /** Spatial tokens per image: a square number (adaptive pooling to sqrt x sqrt). */
    tokensPerImage: int(1).default(16),
    /** Image height and width the model is trained and run at. */
    imageSize: z.tuple([int(8), int(8)]).default([96, 96]),
    /** GroupNorm groups after each conv (must divide every block's channels). */
    groups: int(1).default(8),
    /**
     * Spatial-softmax keypoints (Levine et al. 2016; robomimic's image encoder): this many 1x1-conv channels of the
     * last feature map, each turned into its expected (x, y) over a softmax of space; the 2K coordinates are projected
     * to `dim` and added to every token of the image. Gives the trunk where things are, not only what. 0 = off.
     */
    keypoints: int(0).default(0),
    /**
     * Instruction-conditioned pointers: this many queries from the instruction's pooled vector attend over the cells
     * of block pointerBlock's feature map; each one's expected (x, y) and attended features are projected to `dim`
     * and added to every token of the image. Lets the model find the object the instruction names. 0 = off.
     */
    pointers: int(0).default(0),
    /**
     * Which block's feature map the pointers attend over (0 = the stem's; default the last). An earlier block's map is
     * finer (twice the cells per side per block), so a pointer can be more precise about small objects.
     */
    pointerBlock: int(0).optional(),
  }).default({ channels: [32, 64, 128], stemStride: 4, tokensPerImage: 16, imageSize: [96, 96], groups: 8, keypoints: 0, pointers: 0 }),
  cameras: z.array(z.string().min(1)).min(1).refine((xs) => unique('cameras')(xs) === true, 'cameras must not repeat').default(['scene', 'wrist']),
  /** Frames per camera: the current one and history - 1 past ones. */
  history: int(1).default(2),
  /** Actions per chunk. */
  horizon: int(1).default(10),
  actionDim: int(1).default(7),
  stateLayout: z.strictObject({
    wrench: int(0).default(6),
    touch: int(0).default(2),
    /** Widest proprio vector over the embodiments (joints + 8: end-effector position, quaternion, gripper). */
    proprioMax: int(1).default(15),
    /** Proprio width of each embodiment. */
    proprio: z.record(z.string(), int(1)).default({ kara6: 14, kara7: 15, widowx250: 14 }),
  }).default({ wrench: 6, touch: 2, proprioMax: 15, proprio: { kara6: 14, kara7: 15, widowx250: 14 } }),
  embodiments: z.array(z.string().min(1)).min(1).refine((xs) => unique('embodiments')(xs) === true, 'embodiments must not repeat').default(['kara6', 'kara7', 'widowx250']),
  /** 'l1': regression of the chunk (ACT / OpenVLA-OFT); 'flow': flow matching (pi0). */
  head: z.enum(['l1', 'flow']).default('l1'),
  /**
   * The regression head's loss on normalized actions: 'l1' (ACT), 'huber' (smooth L1, beta 1: quadratic under one
   * standard deviation, so an uncertain model predicts the conditional mean rather than freezing at the median, which
   * is often exactly 0 for sparse end-effector deltas) or 'mse'.
   */
  regressionLoss: z.enum(['l1', 'huber', 'mse']).default('l1'),
  flow: z.strictObject({
    /** Euler steps from noise to actions at inference. */
    steps: int(1).default(5),
  }).default({ steps: 5 }),
  /** The "reads the room" head: the target object's position (m) from images + instruction. */
  roomHead: z.boolean().default(true),
  /**
   * What the room head reads. 'trunk': its own readout token of the trunk (attending to text and images).
   * 'image': the current frame of the first camera (the scene camera by default) directly, the mean of its tokens
   * (which carry the instruction's pointers, see vision.pointers) plus the instruction's pooled vector; the estimate
   * then enters the trunk as a token that the action readouts attend to (gradient-stopped, so it stays an estimate
   * of the target's position).
   */
  roomReads: z.enum(['trunk', 'image']).default('trunk'),
  /**
   * The room head also estimates where the target must go (privileged.goal_position: the tray, bin, seat, hand or
   * compartment, which move per episode): its estimate is then [target xyz, goal xyz], and pointer 1 (vision.pointers
   * >= 2) is taught to look at the goal's pixel as pointer 0 looks at the target's.
   */
  roomGoal: z.boolean().default(false),
  /**
   * Pointer 0 is also taught the target's pixel in the wrist camera's current frame (the camera named 'wrist' in
   * cameras, which moves with the hand): at the grasp the wrist view shows how far the fingers are off the object's
   * centre, which the scene camera resolves only to centimetres.
   */
  wristPointer: z.boolean().default(false),
  /** Weight of the room loss (L1 in metres) in the total loss. */
  roomWeight: z.number().min(0).default(10),
  /** Weight of the pointer loss (pointer 0 looks at the target's pixel; needs vision.pointers and pixel targets). */
  pointerWeight: z.number().min(0).default(1),
}).superRefine((c, ctx) => {
  const bad = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (c.dim % c.heads !== 0) bad(['heads'], `dim (${c.dim}) must be divisible by heads (${c.heads})`);
  const side = Math.round(Math.sqrt(c.vision.tokensPerImage));
  if (side * side !== c.vision.tokensPerImage) bad(['vision', 'tokensPerImage'], `must be a square number (4, 9, 16, 36, ...), got ${c.vision.tokensPerImage}`);
  const [h, w] = c.vision.imageSize;
  const [fh, fw] = featureSize(c.vision);
  if (fh < side || fw < side) {
    bad(['vision', 'imageSize'], `${h}x${w} images shrink to ${fh}x${fw} after the stem (stride ${c.vision.stemStride}) and ${c.vision.channels.length - 1} stride-2 blocks, fewer than the ${side}x${side} token grid`);
  }
  if (c.vision.pointerBlock !== undefined && c.vision.pointerBlock >= c.vision.channels.length) bad(['vision', 'pointerBlock'], `is ${c.vision.pointerBlock}, but there are only ${c.vision.channels.length} blocks (0..${c.vision.channels.length - 1})`);
  c.vision.channels.forEach((ch, i) => {
    if (ch % c.vision.groups !== 0) bad(['vision', 'channels', i], `${ch} channels are not divisible by vision.groups (${c.vision.groups})`);
  });
  const known = Object.keys(c.stateLayout.proprio);
  for (const e of c.embodiments) {
    const n = c.stateLayout.proprio[e];
    if (n === undefined) bad(['stateLayout', 'proprio'], `has no width for embodiment '${e}' (it has: ${known.join(', ') || 'none'})`);
    else if (n > c.stateLayout.proprioMax) bad(['stateLayout', 'proprio', e], `${n} exceeds stateLayout.proprioMax (${c.stateLayout.proprioMax})`);
  }
  for (const k of known) if (!c.embodiments.includes(k)) bad(['stateLayout', 'proprio', k], `is not one of embodiments (${c.embodiments.join(', ')})`);
  if (c.roomReads === 'image' && !c.roomHead) bad(['roomReads'], `'image' needs the room head (roomHead is false)`);
  if (c.roomGoal && !c.roomHead) bad(['roomGoal'], 'needs the room head (roomHead is false)');
  if (c.wristPointer && !c.roomHead) bad(['wristPointer'], 'needs the room head (roomHead is false): the wrist pixel is that of its target');
  if (c.wristPointer && c.vision.pointers === 0) bad(['wristPointer'], 'needs vision.pointers >= 1 (pointer 0 is the one taught)');
  if (c.wristPointer && c.cameras.indexOf(WRIST_CAMERA) < 1) bad(['cameras'], `wristPointer needs a camera named '${WRIST_CAMERA}' after the first (got ${c.cameras.join(', ')})`);
  if (c.roomGoal && c.vision.pointers === 1) bad(['vision', 'pointers'], 'is 1, but roomGoal teaches pointer 1 to look at the goal: give 0 or at least 2');
});

/** The camera that wristPointer teaches pointer 0 on: the one that moves with the hand. */
export const WRIST_CAMERA = 'wrist';

/** Components of the room estimate: the target's position (3), then with roomGoal the goal's (3). */
export function roomDim(c: Pick<ModelConfig, 'roomGoal'>): 3 | 6 {
  return c.roomGoal ? 6 : 3;
}
export type ModelConfig = z.output<typeof ModelConfig>;
export type ModelConfigInput = z.input<typeof ModelConfig>;

/** Validates a config (e.g. read from JSON); throws "ModelConfig: invalid config: field: message (got value); ...". */
export function parseModelConfig(input: unknown, where = 'ModelConfig'): ModelConfig {
  return parseWith(ModelConfig, input, where, 'config');
}

/** Width of the state vector: wrench + touch + widest proprio. */
export const stateDim = (c: ModelConfig): number => c.stateLayout.wrench + c.stateLayout.touch + c.stateLayout.proprioMax;

/** Side of the square spatial token grid of one image. */
export const tokenSide = (c: ModelConfig): number => Math.round(Math.sqrt(c.vision.tokensPerImage));

/** Tokens the trunk sees: text, images, 3 state tokens, the embodiment, H action readouts (+ 1 room readout). */
export function sequenceLayout(c: ModelConfig) {
  const text = c.text.maxTokens;
  const image = c.cameras.length * c.history * c.vision.tokensPerImage;
  const state = 3, embodiment = 1, actions = c.horizon, room = c.roomHead ? 1 : 0;
  return { text, image, state, embodiment, actions, room, total: text + image + state + embodiment + actions + room };
}
