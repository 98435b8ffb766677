// The dataset features of an episode recorded in Karakuri's simulator, per embodiment: every camera as an AV1 video
// (and optionally its metric depth as a depth video), the robot state, joint velocities, wrist force/torque, finger
// touch, the common end-effector action and the joint action it amounted to, and the privileged target/goal
// positions (supervision for the model's "reads the room" head, never a policy input). Keys follow LeRobot's naming.
import type { EmbodimentSpec } from '../../sim/embodiments/schema.ts';
import type { Features } from '../features.ts';
import { rgbVideoInfo, depthVideoInfo } from '../video/encode.ts';

/** Feature keys of simulator recordings (LeRobot-style names). */
export const SIM_KEYS = {
  image: (cam: string) => `observation.images.${cam}`,
  depth: (cam: string) => `observation.depth.${cam}`,
  state: 'observation.state',
  velocity: 'observation.velocity',
  wrench: 'observation.wrench',
  touch: 'observation.touch',
  action: 'action',
  jointAction: 'action.joint',
  targetPos: 'privileged.target_position',
  goalPos: 'privileged.goal_position',
} as const;

export interface SimFeatureOptions {
  cameras: readonly string[];
  width: number;
  height: number;
  fps: number;
  /** Record each camera's depth too. */
  depth: boolean;
}

const short = (j: string) => j.split('/').at(-1)!;

export function simFeatures(e: EmbodimentSpec, o: SimFeatureOptions): Features {
  const joints = e.armJoints.map(short);
  const f: Features = {};
  for (const cam of o.cameras) {
    f[SIM_KEYS.image(cam)] = { dtype: 'video', shape: [o.height, o.width, 3], names: ['height', 'width', 'channels'], info: rgbVideoInfo({ width: o.width, height: o.height, fps: o.fps }) };
    if (o.depth) f[SIM_KEYS.depth(cam)] = { dtype: 'video', shape: [o.height, o.width, 1], names: ['height', 'width', 'channels'], info: depthVideoInfo({ width: o.width, height: o.height, fps: o.fps }) };
  }
  f[SIM_KEYS.state] = { dtype: 'float32', shape: [joints.length + 8], names: [...joints, 'ee_x', 'ee_y', 'ee_z', 'ee_qw', 'ee_qx', 'ee_qy', 'ee_qz', 'gripper'] };
  f[SIM_KEYS.velocity] = { dtype: 'float32', shape: [joints.length], names: joints };
  f[SIM_KEYS.wrench] = { dtype: 'float32', shape: [6], names: ['fx', 'fy', 'fz', 'tx', 'ty', 'tz'] };
  f[SIM_KEYS.touch] = { dtype: 'float32', shape: [2], names: ['left', 'right'] };
  f[SIM_KEYS.action] = { dtype: 'float32', shape: [7], names: ['dx', 'dy', 'dz', 'drx', 'dry', 'drz', 'gripper'] };
  f[SIM_KEYS.jointAction] = { dtype: 'float32', shape: [joints.length + 1], names: [...joints, 'gripper'] };
  f[SIM_KEYS.targetPos] = { dtype: 'float32', shape: [3], names: ['x', 'y', 'z'] };
  f[SIM_KEYS.goalPos] = { dtype: 'float32', shape: [3], names: ['x', 'y', 'z'] };
  return f;
}
