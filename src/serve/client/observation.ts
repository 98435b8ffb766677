// A robot's Observation as the observation message the policy server reads, in Karakuri's key map
// (src/serve/observation/keys.ts defaults): the newest frame per camera as uint8 H x W x 3, the state in Karakuri's
// proprio layout (joint positions, EE position, EE quaternion w x y z, gripper opening), wrench (6), touch (2),
// the instruction under 'prompt', the embodiment, and 'reset' on an episode's first message (the server clears the
// connection's frame history; openpi itself has no reset message).
import type { Observation } from '../../sim/observation.ts';
import { ndarray } from '../protocol/ndarray.ts';

/** `size` is the frames' [height, width] (default: square frames, as Karakuri's envs render). */
export function observationMessage(o: Observation, opts: { reset?: boolean; cameras?: readonly string[]; size?: [number, number] } = {}): Record<string, unknown> {
  const msg: Record<string, unknown> = {};
  for (const cam of opts.cameras ?? Object.keys(o.images)) {
    const frames = o.images[cam];
    const f = frames?.at(-1);
    if (!f) throw new Error(`observationMessage: the observation has no '${cam}' frame`);
    const side = Math.round(Math.sqrt(f.rgb.length / 3));
    const [h, w] = opts.size ?? [side, side];
    if (h * w * 3 !== f.rgb.length) throw new Error(`observationMessage: camera '${cam}' frame of ${f.rgb.length} bytes is not H x W x 3`);
    msg[`observation.images.${cam}`] = ndarray(f.rgb, [h, w, 3]);
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
