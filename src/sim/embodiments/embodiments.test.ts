// Embodiments as data: a Menagerie-style arm needs only a description (inline, registered, or a JSON file), which
// is validated; its MJCF folder goes through the VFS, and a missing mesh is named.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { embodiment, loadEmbodimentFile, registerEmbodiment, resolveEmbodiment, type EmbodimentInput } from './index.ts';
import { WIDOWX_FOLDER } from './widowx250.ts';
import { assembleWorld } from '../world.ts';
import { compileMjcf, mujoco } from '../mujoco.ts';
import { Env } from '../env.ts';

// The WidowX again, written out as plain data the way a contributor would describe a new arm.
const description: EmbodimentInput = {
  id: 'wx250s_contrib', maker: 'a contributor',
  mjcf: { folder: WIDOWX_FOLDER, file: 'wx250s.xml' },
  armJoints: ['waist', 'shoulder', 'elbow', 'forearm_roll', 'wrist_angle', 'wrist_rotate'],
  armActuators: ['waist', 'shoulder', 'elbow', 'forearm_roll', 'wrist_angle', 'wrist_rotate'],
  home: [0, -0.5, 0.8, 0, 1.2, 0],
  endEffector: { body: 'wx250s/gripper_link', pos: [0.1, 0, 0] },
  gripper: {
    actuator: 'gripper', open: 0.037, closed: 0.015, joints: ['left_finger', 'right_finger'],
    fingerBodies: ['wx250s/left_finger_link', 'wx250s/right_finger_link'], padPos: [[0.042, -0.009, 0], [0.042, 0.009, 0]], padSize: [0.012, 0.006, 0.016],
  },
  wrist: { body: 'wx250s/gripper_link', cameraPos: [0.02, 0, 0.055], cameraLookAt: [0.2, 0, 0] },
  workspace: { center: [0.3, 0, 0], halfExtent: [0.04, 0.08, 0] },
};

describe('embodiments as data', () => {
  it('an inline description drives an env (no code), and moves where the common action says', async () => {
    const env = await Env.create({ embodiment: description, width: 0, height: 0 });
    const p0 = env.reset(0).observation.proprio.eePos;
    let o;
    for (let i = 0; i < 20; i++) o = env.step([i < 5 ? 0.01 : 0, 0, 0, 0, 0, 0, 0]).observation;
    expect(o!.embodiment).toBe('wx250s_contrib');
    expect(Math.abs(o!.proprio.eePos[0] - p0[0] - 0.05)).toBeLessThan(0.002);
    env.dispose();
  });

  it('a JSON file with a relative MJCF folder loads; registering makes the id usable everywhere', () => {
    const dir = mkdtempSync(join(tmpdir(), 'karakuri-emb-'));
    const file = join(dir, 'arm.json');
    writeFileSync(file, JSON.stringify({ ...description, mjcf: { folder: relative(dir, WIDOWX_FOLDER), file: 'wx250s.xml' } }));
    const e = loadEmbodimentFile(file);
    expect(e.mjcf).toEqual({ folder: WIDOWX_FOLDER, file: 'wx250s.xml' });
    registerEmbodiment(e);
    expect(embodiment('wx250s_contrib').home).toEqual(description.home);
    expect(() => registerEmbodiment({ ...e, home: [0, 0, 0, 0, 0, 0] })).toThrow(/already registered/);
    writeFileSync(file, '{ not json');
    expect(() => loadEmbodimentFile(file)).toThrow(/arm\.json/);
  });

  it('descriptions are validated, naming the field', () => {
    expect(() => resolveEmbodiment({ ...description, armActuators: ['waist'] })).toThrow(/armActuators/);
    expect(() => resolveEmbodiment({ ...description, wrist: { body: 'x', cameraPos: [0, 0, 0] } })).toThrow(/cameraLookAt and cameraXyaxes/);
    expect(() => resolveEmbodiment({ ...description, gripper: { ...description.gripper, fingerBodies: ['a'] } })).toThrow(/gripper\.fingerBodies/);
  });

  it('names what is missing: the MJCF file, a mesh file, a joint', async () => {
    expect(() => assembleWorld({ embodiment: resolveEmbodiment({ ...description, mjcf: { folder: '/nonexistent', file: 'arm.xml' } }), objects: [] }))
      .toThrow(/\/nonexistent\/arm\.xml does not exist/);
    const mj = await mujoco();
    const w = assembleWorld({ embodiment: resolveEmbodiment(description), objects: [] });
    const files = new Map(w.files);
    expect(files.delete('assets/wx250s_7_gripper.stl')).toBe(true);
    expect(() => compileMjcf(mj, w.xml, files)).toThrow(/wx250s_7_gripper\.stl/);
    await expect(Env.create({ embodiment: { ...description, armJoints: [...description.armJoints.slice(0, 5), 'wrist_twist'] } }))
      .rejects.toThrow(/no joint named 'wrist_twist'/);
  });
});
