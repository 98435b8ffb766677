// The Trossen WidowX 250 (MuJoCo Menagerie's wx250s, the arm of the Bridge dataset), described as data only: its
// MJCF folder is loaded as it is, and this description says which joints, actuators and bodies do what.
import { fileURLToPath } from 'node:url';
import { parseEmbodiment } from './schema.ts';

/** Where the Menagerie files are read from (../shared/fixtures, never copied into the repository). */
export const WIDOWX_FOLDER = process.env.KARAKURI_WIDOWX_DIR
  ?? fileURLToPath(new URL('../../../../shared/fixtures/mjcf/trossen_wx250s', import.meta.url));

export const widowx250 = parseEmbodiment({
  id: 'widowx250', maker: 'Trossen Robotics (MuJoCo Menagerie wx250s)',
  mjcf: { folder: WIDOWX_FOLDER, file: 'wx250s.xml' },
  armJoints: ['waist', 'shoulder', 'elbow', 'forearm_roll', 'wrist_angle', 'wrist_rotate'],
  armActuators: ['waist', 'shoulder', 'elbow', 'forearm_roll', 'wrist_angle', 'wrist_rotate'],
  home: [0, -0.6, 0.9, 0, 1.2, 0],
  endEffector: { body: 'wx250s/gripper_link', pos: [0.105, 0, 0] },
  gripper: {
    actuator: 'gripper', open: 0.037, closed: 0.015, joints: ['left_finger', 'right_finger'],
    fingerBodies: ['wx250s/left_finger_link', 'wx250s/right_finger_link'], padPos: [[0.032, -0.012, 0], [0.032, 0.012, 0]], padSize: [0.028, 0.008, 0.018],
  },
  wrist: { body: 'wx250s/gripper_link', cameraPos: [0.02, 0, 0.055], cameraLookAt: [0.2, 0, 0], cameraUp: [0, 0, 1], fovy: 80 },
  workspace: { center: [0.3, 0, 0], halfExtent: [0.05, 0.1, 0] },
  orientationWeight: 0.3,
}, 'widowx250');
