// For the robot client's tests: a policy server in a child process (so that a test can kill it like a crashed
// machine). argv: model directory, port (0: any), then 'shield' to put the default shield hook in front. Prints
// "LISTENING <port>" when it accepts connections; stops on SIGTERM.
import * as torch from '../../torch/index.ts';
import { startPolicyServer } from '../server/server.ts';
import { createShieldHook } from '../server/shield-hook.ts';

const [dir, port, shield] = process.argv.slice(2);
torch.setNumThreads(1);
const server = await startPolicyServer({
  model: dir!, port: Number(port ?? 0), host: '127.0.0.1',
  ...(shield === 'shield' ? { shield: await createShieldHook(['kara6']) } : {}),
});
process.stdout.write(`LISTENING ${server.port}\n`);
process.on('SIGTERM', () => { void server.close().then(() => process.exit(0)); });
