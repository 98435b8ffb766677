// Camera mounts against the live simulator: the wrist camera's pose, taken once in the end effector's frame, gives
// MuJoCo's own camera pose at every later step from the end-effector pose alone, while the arm moves and turns.
import { describe, expect, it } from 'vitest';
import { matFromQuat, quatFromMat } from '../control/rotation.ts';
import { eeCameraMounts, worldCameraPoses } from '../rollout.ts';
import { createTaskEnv } from '../tasks/registry.ts';
import { seededRandom } from '../random.ts';
import { cameraNames, modelCameraPose, resolveCamera } from './camera.ts';
import { mountedPose, mountOf } from './camera-mount.ts';

describe('camera mounts', () => {
  it('matFromQuat inverts quatFromMat', () => {
    const q = [0.3, -0.5, 0.7, 0.2], n = Math.hypot(...q), u = q.map((v) => v / n);
    const back = quatFromMat(matFromQuat(u));
    back.forEach((v, i) => expect(v).toBeCloseTo(u[i]!, 12));
    const m = matFromQuat(u); // orthonormal: rows have unit length and are perpendicular
    expect(m[0]! * m[0]! + m[1]! * m[1]! + m[2]! * m[2]!).toBeCloseTo(1, 12);
    expect(m[0]! * m[3]! + m[1]! * m[4]! + m[2]! * m[5]!).toBeCloseTo(0, 12);
  });

  for (const arm of ['kara6', 'kara7']) {
    it(`${arm}: the wrist mount taken at reset gives the live wrist camera pose at every step`, async () => {
      const { env } = await createTaskEnv('cup-on-tray', { embodiment: arm, width: 8, height: 8 });
      try {
        env.reset(3);
        const mounts = eeCameraMounts(env);
        expect(Object.keys(mounts)).toEqual(['wrist']); // the scene camera hangs on the world, not on the hand
        expect(Object.keys(worldCameraPoses(env))).toEqual(['scene']);
        const wrist = resolveCamera(cameraNames(env.model), 'wrist'), rng = seededRandom(7);
        let moved = 0;
        const first = modelCameraPose(env.model, env.data, wrist);
        for (let t = 0; t < 30; t++) {
          env.step([0.03 * (rng() - 0.5), 0.03 * (rng() - 0.5), 0.02 * (rng() - 0.5), 0.2 * (rng() - 0.5), 0.2 * (rng() - 0.5), 0.2 * (rng() - 0.5), rng() < 0.5 ? 0 : 1]);
          const ee = env.eePose(), live = modelCameraPose(env.model, env.data, wrist), got = mountedPose(mounts.wrist!, ee.pos, ee.quat);
          got.pos.forEach((v, j) => expect(v).toBeCloseTo(live.pos[j]!, 7));
          got.xmat.forEach((v, j) => expect(v).toBeCloseTo(live.xmat[j]!, 7));
          expect(got.fovy).toBe(live.fovy);
          moved = Math.max(moved, Math.hypot(...live.pos.map((v, j) => v - first.pos[j]!)));
        }
        expect(moved).toBeGreaterThan(0.03); // the hand (and its camera) really moved
        // mountOf inverts mountedPose
        const ee = env.eePose(), m = mountOf(ee, modelCameraPose(env.model, env.data, wrist));
        m.offset.forEach((v, j) => expect(v).toBeCloseTo(mounts.wrist!.offset[j]!, 7));
      } finally {
        env.dispose();
      }
    });
  }
});
