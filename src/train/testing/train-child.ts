// A training run in a child process for the kill-and-resume test: `tsx train-child.ts <config.json>`. Each step
// sleeps a little after reporting progress (numbers unaffected) so the parent can kill it mid-run.
import { loadTrainConfig } from '../config.ts';
import { train } from '../train.ts';

const [path, delay = '150'] = process.argv.slice(2);
const sleep = new Int32Array(new SharedArrayBuffer(4));
await train(loadTrainConfig(path!), { progressBar: false, onProgress: (p) => { process.stdout.write(`step ${p.step}\n`); Atomics.wait(sleep, 0, 0, Number(delay)); } });
