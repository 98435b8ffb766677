// `karakuri train` and `karakuri eval`: train the Karakuri VLA from a validated config file into a model version
// directory, and judge a model version in closed loop in the simulator (Wilson intervals, report, failure videos).
import type { Command } from 'commander';
import { z } from 'zod';
import { commaList, parseOptions } from './options.ts';

const list = commaList;

export function registerModelCommands(program: Command): void {
  program
    .command('train')
    .description('train the Karakuri VLA from a JSON config (datasets, model, optimizer, schedule); resumes a killed run')
    .requiredOption('--config <file>', 'training config (JSON; see src/train/config.ts)')
    .option('--fresh', 'start over instead of resuming from the run folder\'s checkpoint')
    .option('--init <model>', "fine-tune from a model version (a registry name such as fy2026.1, verified against its manifest, or a directory); replaces the config's init")
    .action(async (raw: unknown) => {
      const o = parseOptions(z.object({ config: z.string().min(1), fresh: z.boolean().optional(), init: z.string().min(1).optional() }), raw, 'karakuri train');
      const { loadTrainConfig } = await import('../train/config.ts');
      const { train } = await import('../train/train.ts');
      const config = loadTrainConfig(o.config);
      if (o.init) {
        const { resolveModel, registryRoot } = await import('../registry/registry.ts');
        config.init = resolveModel(o.init, registryRoot()).dir;
      }
      const r = await train(config, { resume: !o.fresh, progressBar: true, log: (l) => console.log(l) });
      console.log(`\n${r.steps} steps in ${r.seconds.toFixed(0)} s${r.resumedFrom !== null ? ` (resumed from step ${r.resumedFrom})` : ''}, final loss ${r.finalLoss?.toFixed(4) ?? '-'}`);
      console.log(`model version: ${r.versionDir}\nmetrics: ${r.metricsPath}`);
    });

  program
    .command('eval')
    .description('closed-loop evaluation of a model version on the sector tasks (seeds disjoint from training)')
    .requiredOption('--model <dir>', 'model version: a registry name (fy2026.1, verified against its manifest) or a directory (from karakuri train)')
    .option('--suite <ids>', "task ids, comma-separated, or 'all'", 'all')
    .option('--embodiments <ids>', 'arms (default: those the model was trained on)')
    .option('--episodes <n>', 'episodes per task and arm', '50')
    .option('--seed-start <n>', 'first evaluation seed (training seeds start at 0)', '100000')
    .option('--phrasing <set>', "instruction templates: 'train' or 'heldout'", 'train')
    .option('--chunk <whole|k|ensemble>', "execute every action of each chunk ('whole'), the first k, or 'ensemble' (temporal ensembling)", 'whole')
    .option('--workers <n>', 'simulator worker threads', '1')
    .option('--videos <n>', 'failure videos per task and arm', '3')
    .option('--out <dir>', 'report folder', 'out/eval')
    .action(async (raw: unknown) => {
      const o = parseOptions(z.object({
        model: z.string().min(1), suite: list, embodiments: list.optional(), episodes: z.coerce.number().int().min(1).max(100000),
        seedStart: z.coerce.number().int().min(0), phrasing: z.enum(['train', 'heldout']),
        chunk: z.union([z.literal('whole'), z.literal('ensemble'), z.coerce.number().int().min(1)], { error: "give 'whole', 'ensemble' or a whole number of actions >= 1" }), workers: z.coerce.number().int().min(1).max(64),
        videos: z.coerce.number().int().min(0), out: z.string().min(1),
      }), raw, 'karakuri eval');
      const { runEval } = await import('../eval/run.ts');
      const { resolveModel, registryRoot } = await import('../registry/registry.ts');
      const r = await runEval({
        model: resolveModel(o.model, registryRoot()).dir, tasks: o.suite.length === 1 && o.suite[0] === 'all' ? undefined : o.suite, embodiments: o.embodiments,
        episodes: o.episodes, seedStart: o.seedStart, phrasing: o.phrasing, chunk: typeof o.chunk === 'number' ? { execute: o.chunk } : o.chunk,
        workers: o.workers, videos: o.videos, out: o.out,
        onEpisode: (c, e) => process.stdout.write(`${c.task}/${c.embodiment} seed ${e.seed}: ${e.success ? 'success' : 'failure'}\n`),
      });
      for (const c of r.cells) console.log(`${c.task.padEnd(18)} ${c.embodiment.padEnd(10)} ${c.success.successes}/${c.success.n} (${(100 * c.success.rate).toFixed(0)}%, 95% CI ${(100 * c.success.lo).toFixed(0)}-${(100 * c.success.hi).toFixed(0)}%)${c.roomErrorCm !== null ? `  room error ${c.roomErrorCm.toFixed(1)} cm` : ''}`);
      console.log(`\noverall ${r.overall.successes}/${r.overall.n} (${(100 * r.overall.rate).toFixed(1)}%) in ${r.seconds.toFixed(0)} s\nreport: ${o.out}/report.md, ${o.out}/report.html, ${o.out}/results.json`);
    });
}
