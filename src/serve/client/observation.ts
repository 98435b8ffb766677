// A robot's Observation as the observation message the policy server reads, in Karakuri's key map
// (src/serve/observation/keys.ts defaults): per camera the observation's frame history as uint8 T x H x W x 3
// (oldest first, one frame per control step, as the Env keeps it: the model then sees consecutive steps however many
// actions of a chunk the robot executes), or its newest frame as H x W x 3 when it has only one (or `history: false`;
// the server then keeps a history of the frames it is sent); the state in Karakuri's proprio layout (joint positions,
// EE position, EE quaternion w x y z, gripper opening), wrench (6), touch (2), the instruction under 'prompt', the
// embodiment, and 'reset' on an episode's first message (the server clears the connection's frame history; openpi
// itself has no reset message).
import type { Observation } from '../../sim/observation.ts';
import { ndarray } from '../protocol/ndarray.ts';

export interface ObservationMessageOptions {
  reset?: boolean;
  cameras?: readonly string[];
  /** The frames' [height, width] (default: square frames, as Karakuri's envs render). */
  size?: [number, number];
  /** Send every frame of the observation's history (default true); false: only the newest. */
  history?: boolean;
}

export function observationMessage(o: Observation, opts: ObservationMessageOptions = {}): Record<string, unknown> {
  const msg: Record<string, unknown> = {};
  for (const cam of opts.cameras ?? Object.keys(o.images)) {
    const all = o.images[cam] ?? [];
    if (all.length === 0) throw new Error(`observationMessage: the observation has no '${cam}' frame`);
    const frames = opts.history === false ? all.slice(-1) : all;
    const n = frames[0]!.rgb.length;
    const side = Math.round(Math.sqrt(n / 3));
    const [h, w] = opts.size ?? [side, side];
    frames.forEach((f, t) => {
      if (h * w * 3 !== f.rgb.length) throw new Error(`observationMessage: camera '${cam}' frame ${t} of ${f.rgb.length} bytes is not ${h} x ${w} x 3`);
    });
    if (frames.length === 1) { msg[`observation.images.${cam}`] = ndarray(frames[0]!.rgb, [h, w, 3]); continue; }
    const stacked = new Uint8Array(frames.length * n);
    frames.forEach((f, t) => stacked.set(f.rgb, t * n));
    msg[`observation.images.${cam}`] = ndarray(stacked, [frames.length, h, w, 3]);
  }
  const p = o.proprio;
  msg['observation.state'] = ndarray(Float32Array.from([...p.jointPos, ...p.eePos, ...p.eeQuat, p.gripper]));
  msg['observation.wrench'] = ndarray(Float32Array.from([...o.wrench.force, ...o.wrench.torque]));
  msg['observation.touch'] = ndarray(Float32Array.from(o.touch));
  msg.prompt = o.instruction;
  msg.embodiment = o.embodiment;
  if (opts.reset) msg.reset = true;
  return msg;
}
