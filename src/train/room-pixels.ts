// Where the room target lies in the first camera's image, for the pointer loss. Each sample's
// privileged.target_position is projected with the camera pose its episode was recorded with (domain randomization
// moves the scene camera a little per episode), then moved with the sample's crop/shift augmentation. The pose is read
// from the episode's meta, karakuri/camera_poses, where the recorder stored it; episodes recorded before that name
// their task, arm and seed (karakuri/task_id, karakuri/embodiment, karakuri/seed), and resetting that task's env on
// the seed gives the same pose (slower: one reset per episode). Episodes with neither (real robots) get NaN: no
// pointer loss.
import { z } from 'zod';
import { Dataset } from '../data/lerobot/dataset.ts';
import type { Batch } from '../data/loader/assemble.ts';
import { cameraNames, modelCameraPose, projectPoint, resolveCamera, type CameraPose } from '../sim/render/camera.ts';
import { createTaskEnv, TASKS } from '../sim/tasks/registry.ts';
import type { Env } from '../sim/env.ts';
import type { ImageGeometry } from './augment.ts';

const Pose = z.object({ pos: z.tuple([z.number(), z.number(), z.number()]), xmat: z.array(z.number()).length(9), fovy: z.number().gt(0).lt(180) }).strict();
const Poses = z.record(z.string(), Pose);

/** The recorded pose of `camera` in an episode's meta (null: not recorded); a malformed record is an error naming it. */
function recordedPose(meta: Record<string, unknown>, camera: string, where: string): CameraPose | null {
  const raw = meta['karakuri/camera_poses'];
  if (raw === undefined || raw === null) return null;
  let json: unknown;
  try { json = JSON.parse(String(raw)); } catch (e) { throw new Error(`${where}: karakuri/camera_poses is not JSON (${(e as Error).message})`); }
  const r = Poses.safeParse(json);
  if (!r.success) throw new Error(`${where}: karakuri/camera_poses is malformed: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data[camera] ?? null;
}

/** Per dataset: episode row ranges [from, to) in order, each with its camera pose (null: not a known sim task). */
type Spans = { from: number; to: number; pose: CameraPose | null }[];

export class RoomPixels {
  private constructor(private readonly spans: Spans[], readonly unknownEpisodes: number) {}

  /**
   * Reads every dataset's episode meta and each simulated episode's camera pose (recorded, or else one env per task
   * and arm, reset on each episode's seed). `camera` is the model's first camera (its name in the simulator, e.g.
   * 'scene').
   */
  static async open(dirs: readonly string[], camera: string): Promise<RoomPixels> {
    const envs = new Map<string, Env | null>();
    const spans: Spans[] = [];
    let unknown = 0;
    try {
      for (const dir of dirs) {
        const ds = await Dataset.open(dir);
        const list: Spans = [];
        for (const e of ds.episodes) {
          const task = e.meta['karakuri/task_id'], arm = e.meta['karakuri/embodiment'], seed = e.meta['karakuri/seed'];
          let pose = recordedPose(e.meta, camera, `${dir} episode ${e.index}`);
          if (!pose && typeof task === 'string' && typeof arm === 'string' && typeof seed === 'number' && Number.isInteger(seed)) {
            const key = `${task}/${arm}`;
            if (!envs.has(key)) envs.set(key, TASKS.get(task)?.embodiments.includes(arm) ? (await createTaskEnv(task, { embodiment: arm, width: 8, height: 8 })).env : null);
            const env = envs.get(key);
            if (env) {
              env.reset(seed);
              pose = modelCameraPose(env.model, env.data, resolveCamera(cameraNames(env.model), camera));
            }
          }
          if (!pose) unknown++;
          list.push({ from: e.from, to: e.to, pose });
        }
        spans.push(list.sort((a, b) => a.from - b.from));
      }
    } finally {
      for (const env of envs.values()) env?.dispose();
    }
    return new RoomPixels(spans, unknown);
  }

  /**
   * The target's pixel (u, v) in each sample's first-camera image [B * 2], at the batch's image size: NaN where the
   * episode's camera is unknown, the target is unknown or behind the camera. `geometry` (per sample, the first
   * camera's augmentation) maps it into the augmented image.
   */
  pixels(b: Batch, targets: Float32Array, geometry?: readonly ImageGeometry[]): Float32Array {
    const [H, W] = b.imageShape, out = new Float32Array(b.size * 2).fill(NaN);
    for (let i = 0; i < b.size; i++) {
      const pose = this.poseOf(b.dataset[i]!, b.frame[i]!);
      const p = [targets[3 * i]!, targets[3 * i + 1]!, targets[3 * i + 2]!] as const;
      if (!pose || !p.every(Number.isFinite)) continue;
      const q = projectPoint(pose, p, W, H);
      if (!(q.depth > 0)) continue;
      const g = geometry?.[i];
      out[2 * i] = g ? (q.u - g.x0) / g.scale : q.u;
      out[2 * i + 1] = g ? (q.v - g.y0) / g.scale : q.v;
    }
    return out;
  }

  private poseOf(dataset: number, frame: number): CameraPose | null {
    const list = this.spans[dataset];
    if (!list) return null;
    let lo = 0, hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1, s = list[mid]!;
      if (frame < s.from) hi = mid - 1;
      else if (frame >= s.to) lo = mid + 1;
      else return s.pose;
    }
    return null;
  }
}
