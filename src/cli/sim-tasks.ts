// `karakuri sim tasks | experts | video`: the sector-task suite from the command line: list the tasks, run the
// scripted experts' success table (progress bar, JSON + Markdown out), and film one expert episode as an MP4.
import type { Command } from 'commander';
import { z } from 'zod';
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { commaList, parseOptions } from './options.ts';
import { progressBar } from './progress.ts';

const list = commaList;

export function registerTaskCommands(sim: Command): void {
  sim
    .command('tasks')
    .description('list the sector tasks (id, sector, arms, time limit, what to do)')
    .option('--json', 'print JSON')
    .action(async (raw: { json?: boolean }) => {
      const { TASKS } = await import('../sim/tasks/registry.ts');
      const rows = [...TASKS.values()].map((t) => ({
        id: t.id, sector: t.sector, embodiments: [...t.embodiments], maxSteps: t.maxSteps, summary: t.summary,
        templates: { train: t.templates.train.length, heldout: t.templates.heldout.length },
      }));
      if (raw.json) { console.log(JSON.stringify(rows, null, 2)); return; }
      const w = Math.max(...rows.map((r) => r.id.length));
      for (const r of rows) {
        console.log(`${r.id.padEnd(w)}  ${r.sector.padEnd(12)}  ${r.embodiments.join(',').padEnd(23)}  ${String(r.maxSteps).padStart(3)} steps  ${r.summary}`);
      }
    });

  sim
    .command('experts')
    .description('run the scripted experts: success, mean length and episodes/min per task x embodiment')
    .option('--tasks <ids>', 'comma-separated task ids (default all)')
    .option('--embodiments <ids>', 'comma-separated embodiments (default: each task\'s own)')
    .option('--episodes <n>', 'episodes per cell', '100')
    .option('--seed-start <n>', 'first seed', '0')
    .option('--workers <n>', 'worker threads (default one per core)')
    .option('--min-success <rate>', 'exit non-zero when a cell is below this success rate', '0')
    .option('--out <dir>', 'also write experts.json and experts.md here')
    .action(async (raw: unknown) => {
      const o = parseOptions(z.object({
        tasks: list.optional(), embodiments: list.optional(), episodes: z.coerce.number().int().min(1).max(100000),
        seedStart: z.coerce.number().int().min(0), workers: z.coerce.number().int().min(1).max(64).optional(),
        minSuccess: z.coerce.number().min(0).max(1), out: z.string().min(1).optional(),
      }), raw, 'karakuri sim experts');
      const { runExpertSuite, suiteCells, expertTableText, expertTableMarkdown } = await import('../sim/tasks/suite.ts');
      const cells = suiteCells(o);
      const total = cells.length * o.episodes;
      const bar = progressBar(' {bar} {value}/{total} episodes | {rate} ep/min | {cell} | ETA {eta_formatted}', 200);
      const t0 = performance.now();
      let done = 0;
      bar.start(total, 0, { rate: '0', cell: '' });
      const result = await runExpertSuite({
        ...o,
        onEpisode: (c) => { done++; bar.update(done, { rate: (done / ((performance.now() - t0) / 60000)).toFixed(0), cell: `${c.task} on ${c.embodiment}` }); },
      }).finally(() => bar.stop());
      console.log(`\nScripted experts, seeds ${o.seedStart}..${o.seedStart + o.episodes - 1}, cameras off, ${result[0]?.workers ?? 0} workers\n`);
      console.log(expertTableText(result));
      if (o.out) {
        mkdirSync(o.out, { recursive: true });
        writeFileSync(join(o.out, 'experts.json'), JSON.stringify({ seeds: [o.seedStart, o.seedStart + o.episodes - 1], cells: result }, null, 2));
        writeFileSync(join(o.out, 'experts.md'), expertTableMarkdown(result) + '\n');
        console.log(`\n${join(o.out, 'experts.json')}  ${join(o.out, 'experts.md')}`);
      }
      const low = result.filter((c) => c.successRate < o.minSuccess);
      if (low.length) {
        console.error(`\n${low.length} cell(s) below ${(100 * o.minSuccess).toFixed(0)}%: ${low.map((c) => `${c.task} on ${c.embodiment} ${(100 * c.successRate).toFixed(0)}% (failed seeds ${c.failedSeeds.slice(0, 10).join(', ')})`).join('; ')}`);
        process.exitCode = 1;
      }
    });

  sim
    .command('gallery')
    .description('for every task: a picture of its scene (scene | wrist camera) and an MP4 of one expert episode, with an index.md')
    .option('--tasks <ids>', 'comma-separated task ids (default all)')
    .option('--embodiment <id>', 'arm (default: the first each task is offered on)')
    .option('--seed <n>', 'episode seed', '0')
    .option('--size <px>', 'height of each camera view (even)', '160')
    .option('--out <dir>', 'output folder', 'out/gallery')
    .action(async (raw: unknown) => {
      const o = parseOptions(z.object({
        tasks: list.optional(), embodiment: z.string().optional(), seed: z.coerce.number().int().min(0),
        size: z.coerce.number().int().min(16).max(1024).refine((n) => n % 2 === 0, 'must be even (yuv420p video)'), out: z.string().min(1),
      }), raw, 'karakuri sim gallery');
      const { TASKS, task } = await import('../sim/tasks/registry.ts');
      const { expertFilmstrip } = await import('../sim/tasks/filmstrip.ts');
      const { openVideo } = await import('../data/video.ts');
      const { writeRgbPng } = await import('../sim/render/png.ts');
      mkdirSync(o.out, { recursive: true });
      const rows: string[] = [];
      for (const id of o.tasks ?? [...TASKS.keys()]) {
        const def = task(id);
        const film = await expertFilmstrip(id, { embodiment: o.embodiment ?? def.embodiments[0]!, seed: o.seed, size: o.size });
        const base = `${id}-${film.embodiment}-seed${film.seed}`;
        writeRgbPng(join(o.out, `${base}.png`), film.frames[0]!, film.width, film.height);
        const video = openVideo(join(o.out, `${base}.mp4`), { width: film.width, height: film.height, fps: film.fps });
        for (const f of film.frames) await video.push(f);
        await video.close();
        rows.push(`| \`${id}\` | ${def.sector} | ${film.embodiment} | "${film.instruction}" | ${film.success ? 'success' : 'failure'} in ${film.steps} steps | ![${id}](${base}.png) | [${base}.mp4](${base}.mp4) |`);
        console.log(`${id.padEnd(20)} "${film.instruction}" -> ${film.success ? 'success' : 'failure'} in ${film.steps} steps  ${join(o.out, base)}.{png,mp4}`);
      }
      writeFileSync(join(o.out, 'index.md'), [
        '# Karakuri sector tasks', '',
        `One episode of each task's scripted expert (seed ${o.seed}); pictures are the first frame, scene camera left, wrist camera right.`,
        'Made by `karakuri sim gallery`.', '',
        '| task | sector | arm | instruction | expert | first frame | episode |', '| --- | --- | --- | --- | --- | --- | --- |', ...rows, '',
      ].join('\n'));
      console.log(join(o.out, 'index.md'));
    });

  sim
    .command('video')
    .description('film one scripted-expert episode of a task as an MP4 (scene and wrist cameras side by side)')
    .requiredOption('--task <id>', 'task id (see `karakuri sim tasks`)')
    .option('--embodiment <id>', 'arm', 'kara6')
    .option('--seed <n>', 'episode seed', '0')
    .option('--size <px>', 'height of each camera view (even)', '160')
    .option('--out <dir>', 'output folder', 'out/videos')
    .action(async (raw: unknown) => {
      const o = parseOptions(z.object({
        task: z.string().min(1), embodiment: z.string(), seed: z.coerce.number().int().min(0),
        size: z.coerce.number().int().min(16).max(1024).refine((n) => n % 2 === 0, 'must be even (yuv420p video)'), out: z.string().min(1),
      }), raw, 'karakuri sim video');
      const { expertFilmstrip } = await import('../sim/tasks/filmstrip.ts');
      const { openVideo } = await import('../data/video.ts');
      const film = await expertFilmstrip(o.task, { embodiment: o.embodiment, seed: o.seed, size: o.size });
      const path = join(o.out, `${film.task}-${film.embodiment}-seed${film.seed}.mp4`);
      const video = openVideo(path, { width: film.width, height: film.height, fps: film.fps });
      for (const f of film.frames) await video.push(f);
      const { frames } = await video.close();
      console.log(`"${film.instruction}" -> ${film.success ? 'success' : 'failure'} in ${film.steps} steps`);
      console.log(`${path}  (${frames} frames, ${film.width}x${film.height}, ${film.fps} fps)`);
    });
}
