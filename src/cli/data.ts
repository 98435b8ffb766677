// `karakuri collect`, `karakuri takeover` and `karakuri data ...`: record LeRobot v3.0 datasets from the sector tasks'
// experts (from a reset, or taking over from a model's policy), and validate, repair or describe a dataset directory
// (v3.0 or v2.1).
import type { Command } from 'commander';
import { z } from 'zod';
import { commaList, parseOptions } from './options.ts';
import { progressBar } from './progress.ts';

const list = commaList;

export function registerDataCommands(program: Command): void {
  program
    .command('collect')
    .description('record scripted-expert episodes of sector tasks (or wander episodes for the room head) into a LeRobot v3.0 dataset (worker threads, AV1 video)')
    .requiredOption('--task <ids>', "task id(s), comma-separated, or 'all' (see `karakuri sim tasks`)")
    .option('--embodiment <id>', 'arm', 'kara6')
    .option('--episodes <n>', 'episodes per task', '10')
    .requiredOption('--out <dir>', 'dataset directory (must not exist or be empty)')
    .option('--seed-start <n>', 'first simulator seed', '0')
    .option('--workers <n>', 'worker threads (default one per core)')
    .option('--size <px>', 'camera width and height (>= 64 for AV1)', '96')
    .option('--depth', 'record metric depth of every camera as depth videos')
    .option('--only-success', 'drop failed episodes (default: keep them, flagged in meta/episodes)')
    .option('--action-noise <m>', 'DART: std (m) of noise on the executed end-effector deltas; recorded actions stay the expert\'s', '0')
    .option('--jolts <rate,min,max>', "sparse DART pushes: a share 'rate' of the executed end-effector deltas is pushed by min..max m (e.g. 0.05,0.01,0.03)")
    .option('--policy <who>', "who moves the arm: 'expert' (demonstrations) or 'wander' (random motion among the objects: perception data for the room head, not demonstrations)", 'expert')
    .option('--wander-steps <n>', 'steps of a wander episode', '16')
    .option('--contributor <name>', 'who contributes the data (provenance)', 'karakuri-sim')
    .option('--license <spdx>', 'licence of the data', 'Apache-2.0')
    .action(async (raw: unknown) => {
      const o = parseOptions(z.object({
        task: list, embodiment: z.string().min(1), episodes: z.coerce.number().int().min(1).max(100000), out: z.string().min(1),
        seedStart: z.coerce.number().int().min(0), workers: z.coerce.number().int().min(1).max(64).optional(),
        size: z.coerce.number().int().min(64).max(1024), depth: z.boolean().optional(), onlySuccess: z.boolean().optional(),
        actionNoise: z.coerce.number().min(0).max(0.02), contributor: z.string().min(1), license: z.string().min(1),
        policy: z.enum(['expert', 'wander']), wanderSteps: z.coerce.number().int().min(1).max(1000),
        jolts: z.string().regex(/^[^,]+,[^,]+,[^,]+$/, 'must be rate,min,max (e.g. 0.05,0.01,0.03)')
          .transform((x) => x.split(',').map(Number))
          .pipe(z.tuple([z.number().min(0).max(1), z.number().min(0).max(0.05), z.number().min(0).max(0.05)]).refine(([, lo, hi]) => lo <= hi, 'min must not exceed max'))
          .optional(),
      }).refine((x) => !(x.policy === 'wander' && x.onlySuccess), { message: "--only-success needs --policy expert (a wander episode never succeeds)", path: ['onlySuccess'] }), raw, 'karakuri collect');
      const { TASKS } = await import('../sim/tasks/registry.ts');
      const tasks = o.task.length === 1 && o.task[0] === 'all' ? [...TASKS.values()].filter((t) => t.embodiments.includes(o.embodiment)).map((t) => t.id) : o.task;
      const { collect } = await import('../data/collect.ts');
      const total = tasks.length * o.episodes;
      const bar = progressBar(' {bar} {value}/{total} episodes | {rate} episodes/s | {ok} successful | {cell} | ETA {eta_formatted}');
      const t0 = performance.now();
      let done = 0, ok = 0;
      bar.start(total, 0, { rate: '0', ok: 0, cell: '' });
      const { jolts, ...rest } = o;
      const s = await collect({
        ...rest, tasks, ...(jolts ? { actionJolts: { rate: jolts[0], min: jolts[1], max: jolts[2] } } : {}),
        onEpisode: (e) => { done++; ok += +e.success; bar.update(done, { rate: (done / ((performance.now() - t0) / 1000)).toFixed(2), ok, cell: `${e.task} seed ${e.seed}` }); },
      }).finally(() => bar.stop());
      console.log(`\n${s.episodes} episodes (${s.successes} successful), ${s.frames} frames in ${s.seconds.toFixed(1)} s (${(s.frames / s.seconds).toFixed(0)} frames/s) -> ${s.dir}`);
    });

  program
    .command('takeover')
    .description("record expert takeovers (DAgger-style corrections): a model version's policy acts until a handover step, then the task's expert finishes; its successful parts go into a LeRobot v3.0 dataset")
    .requiredOption('--model <dir>', 'model version whose policy acts until the handover: a registry name (fy2026.1, verified against its manifest) or a directory')
    .requiredOption('--task <ids>', "task id(s), comma-separated, or 'all'")
    .option('--embodiment <id>', 'arm', 'kara6')
    .option('--episodes <n>', 'seeds tried per task', '10')
    .option('--handover <lo,hi>', 'the handover step of each seed is drawn uniformly from lo..hi (control steps since reset)', '10,60')
    .option('--seed-start <n>', 'first simulator seed (keep it away from training and evaluation seeds)', '2000000')
    .option('--workers <n>', 'worker threads (default one per core)')
    .requiredOption('--out <dir>', 'dataset directory (must not exist or be empty)')
    .action(async (raw: unknown) => {
      const o = parseOptions(z.object({
        model: z.string().min(1), task: list, embodiment: z.string().min(1), episodes: z.coerce.number().int().min(1).max(100000),
        handover: z.string().regex(/^\d+,\d+$/, 'must be lo,hi (e.g. 10,60)').transform((x) => x.split(',').map(Number) as [number, number]).refine(([lo, hi]) => lo >= 1 && lo <= hi, 'needs 1 <= lo <= hi'),
        seedStart: z.coerce.number().int().min(0), workers: z.coerce.number().int().min(1).max(64).optional(), out: z.string().min(1),
      }), raw, 'karakuri takeover');
      const { TASKS } = await import('../sim/tasks/registry.ts');
      const tasks = o.task.length === 1 && o.task[0] === 'all' ? [...TASKS.values()].filter((t) => t.embodiments.includes(o.embodiment)).map((t) => t.id) : o.task;
      const { collectTakeovers } = await import('../eval/takeover.ts');
      const { resolveModel, registryRoot } = await import('../registry/registry.ts');
      const model = resolveModel(o.model, registryRoot()).dir;
      const bar = progressBar(' {bar} {value}/{total} seeds | {rate} seeds/s | {kept} recorded | {cell} | ETA {eta_formatted}');
      const t0 = performance.now();
      let done = 0, kept = 0;
      bar.start(tasks.length * o.episodes, 0, { rate: '0', kept: 0, cell: '' });
      const s = await collectTakeovers({
        ...o, model, tasks,
        onEpisode: (e) => { done++; kept += +(e.kind === 'taken-over' && e.success); bar.update(done, { rate: (done / ((performance.now() - t0) / 1000)).toFixed(2), kept, cell: `${e.task} seed ${e.seed}` }); },
      }).finally(() => bar.stop());
      console.log(`\n${s.recorded} takeovers recorded of ${s.tried} seeds (the policy ended ${s.policyEnded} before the handover, the expert failed ${s.expertFailed}), ${s.frames} frames in ${s.seconds.toFixed(1)} s -> ${s.dir}`);
    });

  const data = program.command('data').description('datasets: validate, repair, describe');

  data
    .command('validate')
    .argument('<dir>', 'dataset directory (LeRobot v3.0 or v2.1)')
    .description('check a dataset against its metadata; lists every problem with its file and episode; exits 1 on any')
    .option('--json', 'print the problems as JSON')
    .action(async (dir: string, raw: { json?: boolean }) => {
      const { validateDataset } = await import('../data/lerobot/validate.ts');
      const r = await validateDataset(dir);
      if (raw.json) console.log(JSON.stringify(r, null, 2));
      else if (r.problems.length === 0) console.log(`${dir}: valid`);
      else {
        for (const p of r.problems) console.log(`${p.file}${p.episode !== undefined ? ` (episode ${p.episode})` : ''}: ${p.message}`);
        const eps = [...new Set(r.problems.flatMap((p) => (p.episode === undefined ? [] : [p.episode])))].sort((a, b) => a - b);
        const list = eps.length > 12 ? `${eps.slice(0, 12).join(', ')}, ...` : eps.join(', ');
        console.log(`\n${r.problems.length} problem(s) in ${dir}${eps.length ? `, in ${eps.length} episode(s): ${list}` : ''}`);
      }
      if (r.problems.length) process.exitCode = 1;
    });

  data
    .command('repair')
    .argument('<dir>', 'a dataset directory whose recording was interrupted')
    .description('finish an interrupted recording: keep every finished episode, drop an unfinished one')
    .action(async (dir: string) => {
      const { repairDataset } = await import('../data/lerobot/writer.ts');
      const r = await repairDataset(dir);
      console.log(`${dir}: kept ${r.kept} finished episode(s), dropped ${r.dropped} unfinished`);
    });

  data
    .command('info')
    .argument('<dir>', 'dataset directory (LeRobot v3.0 or v2.1)')
    .description('what a dataset holds: version, robot, fps, episodes, frames, features')
    .action(async (dir: string) => {
      const { Dataset } = await import('../data/lerobot/dataset.ts');
      const ds = await Dataset.open(dir);
      console.log(`${dir}: LeRobot ${ds.info.codebase_version}, robot ${ds.info.robot_type}, ${ds.info.fps} fps, ${ds.numEpisodes} episodes, ${ds.numFrames} frames`);
      for (const [k, f] of Object.entries(ds.features)) console.log(`  ${k.padEnd(34)} ${f.dtype.padEnd(8)} [${f.shape.join(', ')}]`);
    });
}
