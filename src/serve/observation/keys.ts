// Which message keys feed which model input: a key map (zod-validated, every field optional over the defaults). Each
// entry lists candidate keys, tried in order; the first one present wins. A key is first looked up literally at the
// top level ('observation/image', 'observation.images.scene'), then as a '/'-separated path into nested maps
// ('images/cam_high' reads msg.images.cam_high: the ALOHA layout). Defaults cover LIBERO-style openpi clients and
// Karakuri's own LeRobot feature names.
import { z } from 'zod';
import { parseWith } from '../../validation.ts';

const Candidates = z.array(z.string().min(1)).min(1);

export const KeyMap = z.strictObject({
  /** Per model camera (ModelConfig.cameras), the message keys of its image. */
  images: z.record(z.string().min(1), Candidates).default({
    scene: ['observation.images.scene', 'observation/image'],
    wrist: ['observation.images.wrist', 'observation/wrist_image'],
  }),
  /** Proprioception in Karakuri's layout: joint positions, EE position (3), EE quaternion w,x,y,z (4), gripper (1). */
  state: Candidates.default(['observation.state', 'observation/state']),
  /** Wrist force and torque (6); zeros when absent. */
  wrench: Candidates.default(['observation.wrench']),
  /** Finger-pad touch (2); zeros when absent. */
  touch: Candidates.default(['observation.touch']),
  prompt: Candidates.default(['prompt', 'task']),
  embodiment: Candidates.default(['embodiment']),
  /** A true value clears this connection's frame history before the observation is used (openpi has no reset message). */
  reset: Candidates.default(['reset']),
});
export type KeyMap = z.output<typeof KeyMap>;
export type KeyMapInput = z.input<typeof KeyMap>;

export const DEFAULT_KEY_MAP: KeyMap = KeyMap.parse({});

/** A validated key map from JSON-like input (e.g. a --key-map file); errors name the field. */
export function parseKeyMap(input: unknown, where = 'key map'): KeyMap {
  return parseWith(KeyMap, input, where, 'key map');
}

/** The value under the first candidate key present in `msg`, and that key; undefined when none is. */
export function lookup(msg: Record<string, unknown>, candidates: readonly string[]): { key: string; value: unknown } | undefined {
  for (const key of candidates) {
    if (Object.hasOwn(msg, key)) return { key, value: msg[key] };
    if (!key.includes('/')) continue;
    let v: unknown = msg;
    for (const part of key.split('/')) {
      if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v) || !Object.hasOwn(v, part)) { v = undefined; break; }
      v = (v as Record<string, unknown>)[part];
    }
    if (v !== undefined) return { key, value: v };
  }
  return undefined;
}
