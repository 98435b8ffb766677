// `karakuri doctor` and `karakuri demo`: what this machine runs Karakuri with, and a short end-to-end demo.
import type { Command } from 'commander';
import { z } from 'zod';
import { commaList, parseOptions } from './options.ts';

export function registerSystemCommands(program: Command): void {
  program
    .command('doctor')
    .description('print versions, threads and the BLAS in use')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const { doctorReport, formatDoctor } = await import('./doctor.ts');
      const report = await doctorReport();
      console.log(opts.json ? JSON.stringify(report, null, 2) : formatDoctor(report));
    });

  program
    .command('pipeline')
    .description('the npm start job: record expert demonstrations, train the VLA briefly, evaluate it in closed loop, write the report')
    .option('--out <dir>', 'where datasets, the model version and the report go', 'out/pipeline')
    .option('--episodes <n>', 'demonstrations per task and arm', '4')
    .option('--steps <n>', 'training steps', '400')
    .option('--batch-size <n>', 'training batch size', '16')
    .option('--eval-episodes <n>', 'evaluation episodes per task and arm', '2')
    .option('--tasks <ids>', 'comma-separated task ids (default all)')
    .option('--embodiments <ids>', 'arms', 'kara6,kara7')
    .action(async (raw: unknown) => {
      const ids = commaList;
      const n = z.coerce.number().int().min(1).max(1_000_000);
      const o = parseOptions(z.object({ out: z.string().min(1), episodes: n, steps: n, batchSize: n, evalEpisodes: n, tasks: ids.optional(), embodiments: ids }), raw, 'karakuri pipeline');
      const { doctorReport, formatDoctor } = await import('./doctor.ts');
      console.log(formatDoctor(await doctorReport()));
      const { runPipeline } = await import('./pipeline.ts');
      await runPipeline(o);
    });

  program
    .command('recipe')
    .description('run a training recipe file end to end: record demonstrations, train, evaluate (training and held-out phrasings), per-task table; several files run in turn as one chain (e.g. a model, then expert takeovers of its policy)')
    .argument('<files...>', 'recipe JSON files (e.g. recipes/vla-v1.json), all checked before the first runs')
    .action(async (files: string[]) => {
      const { loadRecipe } = await import('../eval/recipe.ts');
      const recipes = files.map((f) => loadRecipe(f));
      const { runWithProgress } = await import('./pipeline.ts');
      const t0 = performance.now();
      for (const [i, recipe] of recipes.entries()) {
        if (recipes.length > 1) console.log(`\n=== recipe ${i + 1}/${recipes.length}: ${files[i]} (${recipe.name}) ===`);
        await runWithProgress(recipe);
      }
      if (recipes.length > 1) console.log(`\nThe chain of ${recipes.length} recipes took ${((performance.now() - t0) / 60000).toFixed(1)} min in all.`);
    });

  program
    .command('demo')
    .description('the main job on embedded defaults: doctor, then train a small network with a progress bar')
    .option('--seconds <s>', 'how long to train', '8')
    .option('--min-steps <n>', 'train at least this many steps, however long they take', '0')
    .option('--out <dir>', 'where to write the training curve (JSON + PNG)', 'out/demo')
    .action(async (raw: unknown) => {
      const opts = parseOptions(z.object({ seconds: z.coerce.number().positive().max(3600), minSteps: z.coerce.number().int().min(0).max(1_000_000), out: z.string().min(1) }), raw, 'karakuri demo');
      const { doctorReport, formatDoctor } = await import('./doctor.ts');
      console.log(formatDoctor(await doctorReport()));
      const { runDemo } = await import('./demo.ts');
      await runDemo(opts);
    });
}
