// kara6: Karakuri's 6-DoF arm (yaw, shoulder pitch, elbow pitch, forearm roll, wrist pitch, wrist roll; 0.30 m upper
// arm, 0.28 m forearm), with a parallel-jaw gripper. Zero pose points straight up.
import { ownArmMjcf } from './own-arm.ts';
import { parseEmbodiment } from './schema.ts';

const Z: [number, number, number] = [0, 0, 1], Y: [number, number, number] = [0, 1, 0];

export const kara6 = parseEmbodiment({
  id: 'kara6', maker: 'Karakuri (design A)',
  mjcf: { xml: ownArmMjcf({ id: 'kara6', baseHeight: 0.1, color: [0.9, 0.45, 0.1], links: [
    { pos: [0, 0, 0], axis: Z, range: [-3.1, 3.1], length: 0.08, radius: 0.045, kp: 300 },
    { pos: [0, 0, 0.08], axis: Y, range: [-2.0, 2.0], length: 0.3, radius: 0.04, kp: 400 },
    { pos: [0, 0, 0.3], axis: Y, range: [-2.6, 2.6], length: 0.28, radius: 0.035, kp: 300 },
    { pos: [0, 0, 0.28], axis: Z, range: [-3.1, 3.1], length: 0.05, radius: 0.03, kp: 100 },
    { pos: [0, 0, 0.05], axis: Y, range: [-2.2, 2.2], length: 0.05, radius: 0.03, kp: 100 },
    { pos: [0, 0, 0.05], axis: Z, range: [-3.1, 3.1], length: 0.03, radius: 0.028, kp: 60 },
  ] }) },
  armJoints: ['kara6/j1', 'kara6/j2', 'kara6/j3', 'kara6/j4', 'kara6/j5', 'kara6/j6'],
  armActuators: ['kara6/a1', 'kara6/a2', 'kara6/a3', 'kara6/a4', 'kara6/a5', 'kara6/a6'],
  home: [0, 0.45, 1.75, 0, 0.92, 0],
  endEffector: { body: 'kara6/hand', pos: [0, 0, 0.085] },
  gripper: {
    actuator: 'kara6/gripper', open: 0.045, closed: 0, joints: ['kara6/left_finger', 'kara6/right_finger'],
    fingerBodies: ['kara6/left_finger', 'kara6/right_finger'], padPos: [[0, 0.006, 0.03], [0, -0.006, 0.03]], padSize: [0.013, 0.008, 0.031],
  },
  wrist: { body: 'kara6/hand', cameraPos: [0.05, 0, 0], cameraLookAt: [0, 0, 0.16], cameraUp: [1, 0, 0], fovy: 80 },
  orientationWeight: 0.5,
}, 'kara6');
