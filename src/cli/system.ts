// `karakuri doctor` and `karakuri demo`: what this machine runs Karakuri with, and a short end-to-end demo.
import type { Command } from 'commander';
import { z } from 'zod';
import { parseOptions } from './options.ts';

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
    .command('demo')
    .description('the main job on embedded defaults: doctor, then train a small network with a progress bar')
    .option('--seconds <s>', 'how long to train', '8')
    .option('--out <dir>', 'where to write the training curve (JSON + PNG)', 'out/demo')
    .action(async (raw: unknown) => {
      const opts = parseOptions(z.object({ seconds: z.coerce.number().positive().max(3600), out: z.string().min(1) }), raw, 'karakuri demo');
      const { doctorReport, formatDoctor } = await import('./doctor.ts');
      console.log(formatDoctor(await doctorReport()));
      const { runDemo } = await import('./demo.ts');
      await runDemo(opts);
    });
}
