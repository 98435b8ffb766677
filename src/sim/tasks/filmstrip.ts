// One expert episode as pictures: runs a task's scripted expert with cameras on and collects, per control step, the
// scene and wrist views side by side (for MP4s people watch: `karakuri sim video`).
import { createTaskEnv, type TaskEnvOptions } from './registry.ts';

export interface Filmstrip {
  task: string; embodiment: string; seed: number; instruction: string;
  success: boolean; steps: number;
  /** Frames, each (2 * size) x size x 3 uint8: scene camera left, wrist camera right; the first is the reset view. */
  frames: Uint8Array[];
  width: number; height: number; fps: number;
}

/** Side-by-side composite of equally sized RGB images. */
export function sideBySide(images: Uint8Array[], w: number, h: number): Uint8Array {
  const out = new Uint8Array(images.length * w * h * 3);
  const row = w * 3, outRow = row * images.length;
  images.forEach((img, k) => {
    for (let y = 0; y < h; y++) out.set(img.subarray(y * row, (y + 1) * row), y * outRow + k * row);
  });
  return out;
}

export async function expertFilmstrip(id: string, opts: { embodiment: TaskEnvOptions['embodiment']; seed: number; size: number; phrasing?: 'train' | 'heldout' }): Promise<Filmstrip> {
  const { env, task, definition } = await createTaskEnv(id, { embodiment: opts.embodiment, width: opts.size, height: opts.size, history: 1, phrasing: opts.phrasing });
  try {
    const frame = (imgs: Record<string, { rgb: Uint8Array }[]>) => sideBySide(env.cameraNames.map((c) => imgs[c]!.at(-1)!.rgb), opts.size, opts.size);
    const start = env.reset(opts.seed);
    const frames = [frame(start.observation.images)];
    const r = task.expert(env, start, { maxSteps: definition.maxSteps, onStep: (s) => frames.push(frame(s.observation.images)) });
    return {
      task: id, embodiment: env.embodiment.id, seed: opts.seed, instruction: start.observation.instruction,
      success: r.success, steps: r.steps, frames, width: 2 * opts.size, height: opts.size, fps: env.config.controlHz,
    };
  } finally {
    env.dispose();
  }
}
