// An openpi observation message (decoded by protocol/ndarray.ts) as the simulator-shaped Observation the Policy
// prepares: images per model camera (resized to the model's size), Karakuri's proprio layout, wrench and touch, the
// prompt, the embodiment (from the message or the server's default) and the reset flag. Every problem is an
// ObservationError naming the key and what was expected.
//
// Frame history: an image key may hold one frame (3-D: H x W x 3 or 3 x H x W; the connection's Policy then keeps its
// own history, one frame per request) or the client's own history (4-D: T frames, oldest first, T >= the model's
// `history`; the last `history` are used, so the model sees consecutive control steps however many actions the
// client executes per chunk). Either every camera sends a history or none does.
//
// State layout (per embodiment, width = ModelConfig.stateLayout.proprio[arm]): joint positions (rad, arm joints),
// end-effector position (3, m, world), end-effector quaternion (4, w x y z), gripper opening (1; 0 closed .. 1 open);
// e.g. kara6: 6 + 8 = 14. LIBERO's 8-D state (EE position 3, EE axis-angle 3, two finger joint positions) carries no
// arm joints, so it is rejected with the expected width instead of being guessed into this layout.
import type { Observation } from '../../sim/observation.ts';
import type { ModelConfig } from '../../model/config.ts';
import { isWireNdArray as isNdArray, isNpScalar, type NdArray } from '../protocol/ndarray.ts';
import { describe } from '../protocol/dtype.ts';
import { lookup, type KeyMap } from './keys.ts';
import { modelImage, ObservationError } from './image.ts';

export { ObservationError } from './image.ts';

/** Longest accepted prompt (characters); the tokenizer keeps only maxTokens anyway. */
export const MAX_PROMPT_CHARS = 2000;

export interface MapContext {
  cfg: ModelConfig;
  /** Embodiments the server can drive (those with normalization statistics). */
  embodiments: readonly string[];
  keyMap: KeyMap;
  /** Used when the message names no embodiment. */
  defaultEmbodiment?: string;
}

export interface MappedObservation {
  observation: Observation;
  /** The message asked to clear the connection's frame history first. */
  reset: boolean;
}

const EMPTY_DEPTH = new Float32Array(0);
const keysOf = (msg: Record<string, unknown>) => Object.keys(msg).map((k) => JSON.stringify(k)).join(', ') || 'none';

function notArrayHint(v: unknown): string {
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v) && Object.hasOwn(v, '__ndarray__')) {
    return ' (it has a str key "__ndarray__": numpy arrays must use msgpack bin keys, as openpi-client msgpack_numpy does)';
  }
  return '';
}

/** A numeric vector from an NdArray (any numeric dtype, shape [n] or [1, n]) or a msgpack array of numbers; finite. */
function vector(v: unknown, key: string, width: number, what: string): number[] {
  let xs: number[];
  if (isNdArray(v)) {
    const s = v.shape;
    if (!(s.length === 1 || (s.length === 2 && s[0] === 1))) throw new ObservationError(`${key}: ${what} must be 1-D, got shape [${s.join(', ')}]`);
    if (v.dtype === '|b1') throw new ObservationError(`${key}: ${what} must be numeric, got dtype '|b1'`);
    xs = Array.from(v.data as ArrayLike<number | bigint>, Number);
  } else if (Array.isArray(v)) {
    xs = v.map((x, i) => {
      if (typeof x !== 'number') throw new ObservationError(`${key}[${i}]: ${what} must hold numbers, got ${describe(x)}`);
      return x;
    });
  } else throw new ObservationError(`${key}: ${what} must be an array of ${width} numbers, got ${describe(v)}${notArrayHint(v)}`);
  if (xs.length !== width) throw new ObservationError(`${key}: ${what} has ${xs.length} components, expected ${width}`);
  xs.forEach((x, i) => { if (!Number.isFinite(x)) throw new ObservationError(`${key}[${i}]: ${what} must be finite, got ${x}`); });
  return xs;
}

function text(v: unknown, key: string): string {
  const s = Buffer.isBuffer(v) ? v.toString('utf8') : v;
  if (typeof s !== 'string') throw new ObservationError(`${key}: must be a str, got ${describe(v)}`);
  if (s.length > MAX_PROMPT_CHARS) throw new ObservationError(`${key}: ${s.length} characters exceed the ${MAX_PROMPT_CHARS} allowed`);
  return s;
}

function flag(v: unknown, key: string): boolean {
  const x = isNpScalar(v) ? v.value : v;
  if (x === null || x === undefined) return false;
  if (typeof x === 'boolean') return x;
  if (typeof x === 'number' && (x === 0 || x === 1)) return x === 1;
  throw new ObservationError(`${key}: must be a bool, got ${describe(v)}`);
}

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

/**
 * One camera's model frames, oldest first: a 3-D image gives one frame; a 4-D [T, H, W, 3] / [T, 3, H, W] history
 * (T >= history) its last `history` frames, each converted and resized as a 3-D image would be.
 */
function cameraFrames(a: NdArray, key: string, oh: number, ow: number, history: number): Uint8Array[] {
  const s = a.shape;
  if (s.length === 3) return [modelImage(a, key, oh, ow)];
  if (s.length !== 4) throw new ObservationError(`${key}: an image must have 3 dimensions (H, W, 3 or 3, H, W), or 4 for a frame history (T, H, W, 3 or T, 3, H, W; oldest first), got shape ${shapeText(s)}`);
  const T = s[0]!;
  if (T < history) throw new ObservationError(`${key}: a frame history of ${T} frame${T === 1 ? '' : 's'} (shape ${shapeText(s)}), but the model reads the last ${history} frames per camera: send at least ${history} (oldest first) or one 3-D image`);
  const frame = s.slice(1), per = frame.reduce((p, d) => p * d, 1);
  return Array.from({ length: history }, (_, i) => {
    const t = T - history + i;
    return modelImage({ dtype: a.dtype, shape: frame, data: a.data.subarray(t * per, (t + 1) * per) }, `${key}[${t}]`, oh, ow);
  });
}

const stateLayoutText = (joints: number) => `${joints} joint positions, EE position 3, EE quaternion w,x,y,z 4, gripper 1`;

/** Maps one decoded observation message; throws ObservationError naming the key. */
export function mapObservation(msg: unknown, ctx: MapContext): MappedObservation {
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg) || ArrayBuffer.isView(msg) || isNdArray(msg)) {
    throw new ObservationError(`an observation must be a msgpack map of str keys, got ${describe(msg)}`);
  }
  const m = msg as Record<string, unknown>;
  const { cfg, keyMap } = ctx;

  const e = lookup(m, keyMap.embodiment);
  const embodiment = e ? text(e.value, e.key) : ctx.defaultEmbodiment;
  if (embodiment === undefined) throw new ObservationError(`the observation names no embodiment (keys tried: ${keyMap.embodiment.join(', ')}) and the server has no default (--embodiment); known: ${ctx.embodiments.join(', ')}`);
  if (!ctx.embodiments.includes(embodiment)) throw new ObservationError(`${e?.key ?? 'embodiment'}: '${embodiment}' is not an embodiment this model drives (${ctx.embodiments.join(', ')})`);

  const p = lookup(m, keyMap.prompt);
  if (!p) throw new ObservationError(`the observation has no prompt (keys tried: ${keyMap.prompt.join(', ')}; it has: ${keysOf(m)})`);
  const instruction = text(p.value, p.key);

  const r = lookup(m, keyMap.reset);
  const reset = r ? flag(r.value, r.key) : false;

  const [oh, ow] = cfg.vision.imageSize;
  const images: Observation['images'] = {};
  let first: { key: string; history: boolean } | undefined;   // the first camera's key, and whether it sent a history
  for (const cam of cfg.cameras) {
    const candidates = keyMap.images[cam];
    if (!candidates) throw new ObservationError(`the key map has no image keys for the model's camera '${cam}'`);
    const got = lookup(m, candidates);
    if (!got) throw new ObservationError(`the observation has no '${cam}' image (keys tried: ${candidates.join(', ')}; it has: ${keysOf(m)})`);
    if (!isNdArray(got.value)) throw new ObservationError(`${got.key}: an image must be a numpy array, got ${describe(got.value)}${notArrayHint(got.value)}`);
    const a = got.value as NdArray, history = a.shape.length === 4;
    if (first && first.history !== history) {
      throw new ObservationError(`${got.key}: ${history ? `a frame history (shape ${shapeText(a.shape)})` : 'one 3-D image'} while ${first.key} ${first.history ? 'carries a frame history' : 'is one 3-D image'}: send a history (4-D, oldest first) for every camera or for none`);
    }
    first ??= { key: got.key, history };
    images[cam] = cameraFrames(a, got.key, oh, ow, cfg.history).map((rgb) => ({ rgb, depth: EMPTY_DEPTH }));
  }

  const width = cfg.stateLayout.proprio[embodiment]!;
  const joints = width - 8;
  const s = lookup(m, keyMap.state);
  if (!s) throw new ObservationError(`the observation has no state (keys tried: ${keyMap.state.join(', ')}; it has: ${keysOf(m)})`);
  if (isNdArray(s.value) && s.value.data.length !== width) {
    throw new ObservationError(`${s.key}: state has ${s.value.data.length} components, embodiment '${embodiment}' expects ${width} (${stateLayoutText(joints)})${s.value.data.length === 8 ? '; an 8-D LIBERO state (EE pos, axis-angle, finger joints) has no arm joint positions' : ''}`);
  }
  const state = vector(s.value, s.key, width, `state of '${embodiment}' (${stateLayoutText(joints)})`);

  const wr = lookup(m, keyMap.wrench), tc = lookup(m, keyMap.touch);
  const wrench = wr ? vector(wr.value, wr.key, cfg.stateLayout.wrench, 'wrench (force 3, torque 3)') : new Array<number>(cfg.stateLayout.wrench).fill(0);
  const touch = tc ? vector(tc.value, tc.key, cfg.stateLayout.touch, 'touch (left, right)') : new Array<number>(cfg.stateLayout.touch).fill(0);

  const observation: Observation = {
    embodiment, instruction, images,
    proprio: {
      jointPos: Float64Array.from(state.slice(0, joints)), jointVel: new Float64Array(joints),
      eePos: [state[joints]!, state[joints + 1]!, state[joints + 2]!],
      eeQuat: [state[joints + 3]!, state[joints + 4]!, state[joints + 5]!, state[joints + 6]!],
      gripper: state[joints + 7]!,
    },
    wrench: { force: [wrench[0] ?? 0, wrench[1] ?? 0, wrench[2] ?? 0], torque: [wrench[3] ?? 0, wrench[4] ?? 0, wrench[5] ?? 0] },
    touch: [touch[0] ?? 0, touch[1] ?? 0],
    time: 0,
  };
  return { observation, reset };
}
