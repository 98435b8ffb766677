// The `karakuri` command line: parses flags with commander and calls into the layers below. Keep it thin.
import { Command } from 'commander';

const program = new Command();
program.name('karakuri').description('Karakuri: an open physical-AI stack (data, simulation, VLA, evaluation, serving)');

await program.parseAsync(process.argv);
