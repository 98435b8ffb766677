// `karakuri sim ...`: simulation commands. `sim snapshot` writes a PNG of every camera (RGB and depth) so people
// can look at a world; `sim embodiments` lists the arms Karakuri can drive.
import type { Command } from 'commander';
import { z } from 'zod';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { parseOptions } from './options.ts';
import { registerTaskCommands } from './sim-tasks.ts';

export function registerSimCommands(program: Command): void {
  const sim = program.command('sim').description('simulation: worlds, embodiments, cameras, sector tasks');
  registerTaskCommands(sim);

  sim
    .command('snapshot')
    .description('write PNGs (RGB and depth) of every camera of a freshly reset world')
    .option('--embodiment <id|file.json>', 'arm to put in the world: an id (see `karakuri sim embodiments`) or a JSON description', 'kara6')
    .option('--task <id>', 'a sector task\'s scene (see `karakuri sim tasks`) instead of the bare table')
    .option('--seed <n>', 'reset seed (object placement)', '0')
    .option('--size <px>', 'image width and height in pixels', '96')
    .option('--out <dir>', 'output folder', 'out/snapshots')
    .action(async (raw: unknown) => {
      const o = parseOptions(z.object({
        embodiment: z.string(), task: z.string().min(1).optional(), seed: z.coerce.number().int().min(0), size: z.coerce.number().int().min(8).max(2048), out: z.string().min(1),
      }), raw, 'karakuri sim snapshot');
      const { Env } = await import('../sim/env.ts');
      const { writeRgbPng, writeDepthPng } = await import('../sim/render/png.ts');
      const { loadEmbodimentFile } = await import('../sim/embodiments/index.ts');
      const arm = o.embodiment.endsWith('.json') ? loadEmbodimentFile(o.embodiment) : o.embodiment;
      const cams = { width: o.size, height: o.size, history: 1 };
      const env = o.task
        ? (await (await import('../sim/tasks/registry.ts')).createTaskEnv(o.task, { embodiment: arm, ...cams })).env
        : await Env.create({ embodiment: arm, ...cams });
      mkdirSync(o.out, { recursive: true });
      try {
        const { observation } = env.reset(o.seed);
        if (observation.instruction) console.log(`"${observation.instruction}"`);
        for (const [cam, frames] of Object.entries(observation.images)) {
          const f = frames.at(-1)!;
          const base = join(o.out, `${o.task ? `${o.task}-` : ''}${env.embodiment.id}-seed${o.seed}-${cam}`);
          writeRgbPng(`${base}.png`, f.rgb, o.size, o.size);
          writeDepthPng(`${base}-depth.png`, f.depth, o.size, o.size);
          console.log(`${base}.png  ${base}-depth.png`);
        }
      } finally {
        env.dispose();
      }
    });

  sim
    .command('embodiments')
    .description('list the arms Karakuri can drive')
    .action(async () => {
      const { EMBODIMENTS } = await import('../sim/embodiments/index.ts');
      for (const e of EMBODIMENTS.values()) console.log(`${e.id.padEnd(11)} ${String(e.armJoints.length)}-DoF  ${e.maker}`);
    });
}
