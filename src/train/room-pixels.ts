// Where the room target lies in the cameras' images, for the pointer loss. Each sample's
// privileged.target_position is projected with the camera pose its episode was recorded with, then moved with the
// sample's crop/shift augmentation.
// - The first camera (the scene camera) is fixed for an episode; domain randomization moves it a little per episode.
//   Its pose is read from the episode's meta, karakuri/camera_poses, where the recorder stored it.
// - A mounted camera (the wrist camera, optional) moves with the end effector: its mount (its pose in the end
//   effector's frame, karakuri/camera_mounts) and each frame's end-effector pose (observation.state's ee_* components)
//   give its pose at that frame.
// Episodes recorded before those meta existed name their task, arm and seed (karakuri/task_id, karakuri/embodiment,
// karakuri/seed): resetting that task's env on the seed gives the same poses (slower: one reset per episode).
// Episodes with neither (real robots) get NaN: no pointer loss.
import { z } from 'zod';
import { Dataset } from '../data/lerobot/dataset.ts';
import type { Batch } from '../data/loader/assemble.ts';
import { SIM_KEYS } from '../data/record/sim-features.ts';
import { cameraNames, modelCameraPose, projectPoint, resolveCamera, type CameraPose } from '../sim/render/camera.ts';
import { mountedPose, type CameraMount } from '../sim/render/camera-mount.ts';
import { eeCameraMounts } from '../sim/rollout.ts';
import { createTaskEnv, TASKS } from '../sim/tasks/registry.ts';
import type { Env } from '../sim/env.ts';
import type { ImageGeometry } from './augment.ts';

const Vec3 = z.tuple([z.number(), z.number(), z.number()]);
const Pose = z.object({ pos: Vec3, xmat: z.array(z.number()).length(9), fovy: z.number().gt(0).lt(180) }).strict();
const Mount = z.object({ offset: Vec3, xmat: z.array(z.number()).length(9), fovy: z.number().gt(0).lt(180) }).strict();
/** The end-effector pose's components in observation.state, by name (sim-features.ts). */
const EE_NAMES = ['ee_x', 'ee_y', 'ee_z', 'ee_qw', 'ee_qx', 'ee_qy', 'ee_qz'];

/** `camera`'s entry in an episode's JSON meta `key` (null: not recorded); a malformed record is an error naming it. */
function recorded<T>(meta: Record<string, unknown>, key: string, schema: z.ZodType<T>, camera: string, where: string): T | null {
  const raw = meta[`karakuri/${key}`];
  if (raw === undefined || raw === null) return null;
  let json: unknown;
  try { json = JSON.parse(String(raw)); } catch (e) { throw new Error(`${where}: karakuri/${key} is not JSON (${(e as Error).message})`); }
  const r = z.record(z.string(), schema).safeParse(json);
  if (!r.success) throw new Error(`${where}: karakuri/${key} is malformed: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data[camera] ?? null;
}

/** One episode's rows [from, to), its first camera's pose, and its mounted camera's mount with the rows' end-effector poses (7 per row). */
interface Span { from: number; to: number; pose: CameraPose | null; mount: CameraMount | null; ee: Float32Array | null }

export class RoomPixels {
  private constructor(private readonly spans: Span[][], readonly unknownEpisodes: number, readonly unmountedEpisodes: number) {}

  /**
   * Reads every dataset's episode meta and each simulated episode's camera poses (recorded, or else one env per task
   * and arm, reset on each episode's seed). `camera` is the model's first camera (its name in the simulator, e.g.
   * 'scene'); `o.mounted` names a camera on the end effector (e.g. 'wrist') whose pixels mountedPixels gives.
   */
  static async open(dirs: readonly string[], camera: string, o: { mounted?: string } = {}): Promise<RoomPixels> {
    const envs = new Map<string, Env | null>();
    const spans: Span[][] = [];
    let unknown = 0, unmounted = 0;
    try {
      for (const dir of dirs) {
        const ds = await Dataset.open(dir);
        const stateNames = ds.features[SIM_KEYS.state]?.names;
        const eeAt = Array.isArray(stateNames) ? EE_NAMES.map((n) => (stateNames as string[]).indexOf(n)) : [];
        const list: Span[] = [];
        for (const e of ds.episodes) {
          const where = `${dir} episode ${e.index}`;
          const task = e.meta['karakuri/task_id'], arm = e.meta['karakuri/embodiment'], seed = e.meta['karakuri/seed'];
          let pose: CameraPose | null = recorded(e.meta, 'camera_poses', Pose, camera, where);
          let mount: CameraMount | null = o.mounted ? recorded(e.meta, 'camera_mounts', Mount, o.mounted, where) : null;
          const needEnv = !pose || (o.mounted && !mount);
          if (needEnv && typeof task === 'string' && typeof arm === 'string' && typeof seed === 'number' && Number.isInteger(seed)) {
            const key = `${task}/${arm}`;
            if (!envs.has(key)) envs.set(key, TASKS.get(task)?.embodiments.includes(arm) ? (await createTaskEnv(task, { embodiment: arm, width: 8, height: 8 })).env : null);
            const env = envs.get(key);
            if (env) {
              env.reset(seed);
              pose ??= modelCameraPose(env.model, env.data, resolveCamera(cameraNames(env.model), camera));
              if (o.mounted && !mount) {
                resolveCamera(cameraNames(env.model), o.mounted); // an unknown name is an error, not silence
                mount = eeCameraMounts(env)[o.mounted] ?? null;
              }
            }
          }
          let ee: Float32Array | null = null;
          if (mount && eeAt.length && eeAt.every((i) => i >= 0)) {
            const s = (await ds.episode(e.index))[SIM_KEYS.state] as Float32Array, d = stateNames!.length;
            ee = new Float32Array(e.length * 7);
            for (let t = 0; t < e.length; t++) eeAt.forEach((i, j) => { ee![7 * t + j] = s[t * d + i]!; });
          }
          if (!pose) unknown++;
          if (o.mounted && !(mount && ee)) unmounted++;
          list.push({ from: e.from, to: e.to, pose, mount: ee ? mount : null, ee });
        }
        spans.push(list.sort((a, b) => a.from - b.from));
      }
    } finally {
      for (const env of envs.values()) env?.dispose();
    }
    return new RoomPixels(spans, unknown, unmounted);
  }

  /**
   * The target's pixel (u, v) in each sample's first-camera image [B * 2], at the batch's image size: NaN where the
   * episode's camera is unknown, the target is unknown or behind the camera. `geometry` (per sample, the first
   * camera's augmentation) maps it into the augmented image.
   */
  pixels(b: Batch, targets: Float32Array, geometry?: readonly ImageGeometry[]): Float32Array {
    return this.project(b, targets, geometry, (s) => s.pose);
  }

  /** The same in the mounted camera's image (opened with `mounted`), posed at each sample's own frame. */
  mountedPixels(b: Batch, targets: Float32Array, geometry?: readonly ImageGeometry[]): Float32Array {
    return this.project(b, targets, geometry, (s, frame) => {
      if (!s.mount || !s.ee) return null;
      const t = frame - s.from;
      return mountedPose(s.mount, s.ee.subarray(7 * t, 7 * t + 3), s.ee.subarray(7 * t + 3, 7 * t + 7));
    });
  }

  private project(b: Batch, targets: Float32Array, geometry: readonly ImageGeometry[] | undefined, poseOf: (s: Span, frame: number) => CameraPose | null): Float32Array {
    const [H, W] = b.imageShape, out = new Float32Array(b.size * 2).fill(NaN);
    for (let i = 0; i < b.size; i++) {
      const span = this.spanOf(b.dataset[i]!, b.frame[i]!), pose = span && poseOf(span, b.frame[i]!);
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

  private spanOf(dataset: number, frame: number): Span | null {
    const list = this.spans[dataset];
    if (!list) return null;
    let lo = 0, hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1, s = list[mid]!;
      if (frame < s.from) hi = mid - 1;
      else if (frame >= s.to) lo = mid + 1;
      else return s;
    }
    return null;
  }
}
