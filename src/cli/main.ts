// The `karakuri` command line: parses flags with commander and calls into the layers below. Keep it thin:
// each layer's commands are registered from their own file in src/cli/.
import { Command } from 'commander';
import { registerSystemCommands } from './system.ts';
import { registerSimCommands } from './sim.ts';
import { registerDataCommands } from './data.ts';
import { registerModelCommands } from './model.ts';
import { registerModelsCommands } from './models.ts';
import { registerServeCommands } from './serve.ts';

// output piped into head & co: a closed pipe ends the command quietly instead of crashing it
for (const stream of [process.stdout, process.stderr]) stream.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw e; });

const program = new Command();
program
  .name('karakuri')
  .description('Karakuri: an open physical-AI stack (data, simulation, VLA, evaluation, serving)')
  .showHelpAfterError();
registerSystemCommands(program);
registerSimCommands(program);
registerDataCommands(program);
registerModelCommands(program);
registerModelsCommands(program);
registerServeCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  console.error(`karakuri: ${(err as Error).message}`);
  process.exitCode = 1;
}
