// `karakuri sim ...`: simulation commands (snapshots of cameras, task listings).
import type { Command } from 'commander';

export function registerSimCommands(program: Command): void {
  program.command('sim').description('simulation: worlds, embodiments, cameras');
}
