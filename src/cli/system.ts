// `karakuri doctor` and `karakuri demo`: what this machine runs Karakuri with, and a short end-to-end demo.
import type { Command } from 'commander';

export function registerSystemCommands(program: Command): void {
  program.command('doctor').description('print versions, threads and the BLAS in use');
}
