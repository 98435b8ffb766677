// From a simulator rollout to a dataset episode: the rollout's columns under the dataset's feature keys (state packed
// as joints + end-effector pose + gripper), the camera frames as video features, and the provenance of the episode
// (task, sector, embodiment, seed, success, and as JSON the fixed cameras' poses and the wrist camera's mount) for meta/episodes.
import type { Rollout } from '../../sim/rollout.ts';
import type { EpisodeData } from '../features.ts';
import { SIM_KEYS } from './sim-features.ts';

export interface EpisodeProvenance { taskId: string; sector: string }

export function rolloutToEpisode(r: Rollout, p: EpisodeProvenance, o: { depth: boolean }): EpisodeData {
  const T = r.length, n = r.jointPos.length / Math.max(1, T);
  const state = new Float32Array(T * (n + 8));
  for (let t = 0; t < T; t++) {
    const row = state.subarray(t * (n + 8), (t + 1) * (n + 8));
    row.set(r.jointPos.subarray(t * n, (t + 1) * n), 0);
    row.set(r.eePos.subarray(3 * t, 3 * t + 3), n);
    row.set(r.eeQuat.subarray(4 * t, 4 * t + 4), n + 3);
    row[n + 7] = r.gripper[t]!;
  }
  const videos: EpisodeData['videos'] = {};
  const depth: NonNullable<EpisodeData['depth']> = {};
  for (const [cam, c] of Object.entries(r.cameras)) {
    videos[SIM_KEYS.image(cam)] = c.rgb;
    if (o.depth) depth[SIM_KEYS.depth(cam)] = c.depth;
  }
  return {
    length: T, task: r.instruction,
    columns: {
      [SIM_KEYS.state]: state, [SIM_KEYS.velocity]: r.jointVel, [SIM_KEYS.wrench]: r.wrench, [SIM_KEYS.touch]: r.touch,
      [SIM_KEYS.action]: r.action, [SIM_KEYS.jointAction]: r.jointAction, [SIM_KEYS.targetPos]: r.targetPos, [SIM_KEYS.goalPos]: r.goalPos,
    },
    videos, ...(o.depth ? { depth } : {}),
    meta: { // the writer stores them as karakuri/<key>
      task_id: p.taskId, sector: p.sector, embodiment: r.embodiment, seed: r.seed, success: r.success,
      ...(Object.keys(r.cameraPoses).length ? { camera_poses: JSON.stringify(r.cameraPoses) } : {}),
      ...(Object.keys(r.cameraMounts).length ? { camera_mounts: JSON.stringify(r.cameraMounts) } : {}),
    },
  };
}
