// kara7: Karakuri's 7-DoF redundant arm of another layout (yaw, shoulder pitch, upper-arm roll, elbow pitch, forearm
// roll, wrist pitch, flange roll; 0.36 m upper arm, 0.32 m forearm, taller base), with a parallel-jaw gripper.
import { ownArmMjcf } from './own-arm.ts';
import { parseEmbodiment } from './schema.ts';

const Z: [number, number, number] = [0, 0, 1], Y: [number, number, number] = [0, 1, 0];

export const kara7 = parseEmbodiment({
  id: 'kara7', maker: 'Karakuri (design B)',
  mjcf: { xml: ownArmMjcf({ id: 'kara7', baseHeight: 0.14, color: [0.15, 0.45, 0.85], links: [
    { pos: [0, 0, 0], axis: Z, range: [-3.1, 3.1], length: 0.06, radius: 0.05, kp: 400 },
    { pos: [0, 0, 0.06], axis: Y, range: [-2.0, 2.0], length: 0.18, radius: 0.045, kp: 500 },
    { pos: [0, 0, 0.18], axis: Z, range: [-3.1, 3.1], length: 0.18, radius: 0.04, kp: 300 },
    { pos: [0, 0, 0.18], axis: Y, range: [-2.6, 2.6], length: 0.16, radius: 0.035, kp: 300 },
    { pos: [0, 0, 0.16], axis: Z, range: [-3.1, 3.1], length: 0.16, radius: 0.032, kp: 150 },
    { pos: [0, 0, 0.16], axis: Y, range: [-2.2, 2.2], length: 0.06, radius: 0.03, kp: 100 },
    { pos: [0, 0, 0.06], axis: Z, range: [-3.1, 3.1], length: 0.03, radius: 0.028, kp: 60 },
  ] }) },
  armJoints: ['kara7/j1', 'kara7/j2', 'kara7/j3', 'kara7/j4', 'kara7/j5', 'kara7/j6', 'kara7/j7'],
  armActuators: ['kara7/a1', 'kara7/a2', 'kara7/a3', 'kara7/a4', 'kara7/a5', 'kara7/a6', 'kara7/a7'],
  home: [0, 0.35, 0, 1.85, 0, 0.95, 0],
  endEffector: { site: 'kara7/tcp' },
  gripper: {
    actuator: 'kara7/gripper', open: 0.045, closed: 0, joints: ['kara7/left_finger', 'kara7/right_finger'],
    fingerBodies: ['kara7/left_finger', 'kara7/right_finger'], padPos: [[0, 0.006, 0.03], [0, -0.006, 0.03]], padSize: [0.013, 0.008, 0.031],
  },
  wrist: { body: 'kara7/hand', cameraPos: [0.05, 0, 0], cameraLookAt: [0, 0, 0.16], cameraUp: [1, 0, 0], fovy: 80 },
  orientationWeight: 0.5,
}, 'kara7');
