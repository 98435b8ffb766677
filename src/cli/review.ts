// `karakuri review`: the annual stage-gate review of a model version against a gate's milestones file
// (src/review/run.ts): suites with pinned seeds, latency, shield interventions, data breadth; GO / CONDITIONAL /
// NO-GO per milestone and overall; a baseline comparison; the report (HTML, Markdown, JSON).
import type { Command } from 'commander';
import { z } from 'zod';
import { commaList, parseOptions } from './options.ts';
import { progressBar } from './progress.ts';

export function registerReviewCommand(program: Command): void {
  program
    .command('review')
    .description('stage-gate review of a model version against a gate\'s milestones (GO / CONDITIONAL / NO-GO, report); exit status 2 on NO-GO')
    .requiredOption('--model <version|dir>', 'registered version (fy2026.1) or model version directory')
    .requiredOption('--gate <id|file>', 'gate id (gates/<id>.yaml) or milestones file')
    .option('--baseline <version|dir>', 'the version to compare with per task (significance tests, regressions)')
    .option('--episodes <n>', 'override episodes per cell (small runs; the review is then marked indicative)')
    .option('--tasks <ids>', 'override the suite\'s tasks (comma-separated)')
    .option('--embodiments <ids>', 'override the suite\'s arms (comma-separated)')
    .option('--max-steps <n>', 'override the tasks\' time limits (small runs)')
    .option('--latency-iterations <n>', 'override the number of timed batch-1 calls')
    .option('--workers <n>', 'simulator worker threads', '2')
    .option('--videos <n>', 'failure videos per cell', '0')
    .option('--out <dir>', 'report folder', 'out/review')
    .option('--no-shield', 'run without the safety shield (its milestone is then not measured: FAIL)')
    .option('--screenshot', 'also render review.html to review.png with headless Chromium')
    .option('--registry <dir>', 'registry root (default: $KARAKURI_REGISTRY, else ./registry)')
    .action(async (raw: unknown) => {
      const int = (min: number) => z.coerce.number().int().min(min);
      const o = parseOptions(z.object({
        model: z.string().min(1), gate: z.string().min(1), baseline: z.string().min(1).optional(), episodes: int(1).max(100000).optional(),
        tasks: commaList.optional(), embodiments: commaList.optional(), maxSteps: int(1).optional(), latencyIterations: int(1).optional(),
        workers: int(1).max(64), videos: int(0), out: z.string().min(1), screenshot: z.boolean().optional(), shield: z.boolean(), registry: z.string().min(1).optional(),
      }), raw, 'karakuri review');
      const { runReview } = await import('../review/run.ts');
      const { executiveSummary, summaryLines } = await import('../review/report.ts');
      const bar = progressBar(' {bar} {value} episodes | {who} {phrasing} | {cell} | {ok} successful');
      let n = 0, ok = 0;
      bar.start(0, 0, { who: '', phrasing: '', cell: '', ok: 0 });
      let r;
      try {
        r = await runReview({
          model: o.model, gate: o.gate, baseline: o.baseline, registry: o.registry, out: o.out, episodes: o.episodes, tasks: o.tasks, embodiments: o.embodiments,
          maxSteps: o.maxSteps, latencyIterations: o.latencyIterations, workers: o.workers, videos: o.videos, ...(o.shield ? {} : { shield: null }),
          onEpisode: (who, phrasing, c, e) => { n++; if (e.success) ok++; bar.setTotal(n); bar.update(n, { who, phrasing, cell: `${c.task}/${c.embodiment}`, ok }); },
          log: (l) => bar.update(n, { who: l.split(':')[0]!, phrasing: '', cell: l.split(':').slice(1).join(':').trim().slice(0, 50) }),
        });
      } finally { bar.stop(); }
      console.log(`\n${summaryLines(executiveSummary(r)).join('\n')}`);
      console.log(`\nreport: ${o.out}/review.html, ${o.out}/review.md, ${o.out}/review.json`);
      if (o.screenshot) {
        const { screenshot } = await import('../review/screenshot.ts');
        console.log(`screenshot: ${await screenshot(`${o.out}/review.html`, `${o.out}/review.png`)}`);
      }
      if (r.decision.overall === 'NO-GO') process.exitCode = 2;
    });
}
