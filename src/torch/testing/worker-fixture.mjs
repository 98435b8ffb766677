// Worker-thread fixture for tests: registers the TypeScript loader in the new thread, loads the tensor library,
// computes (forward, backward) and leaves tensors undisposed, so tests can check that worker teardown (terminate or
// process.exit inside the worker) frees them without crashing the process.
import { register } from 'tsx/esm/api';
import { parentPort, workerData } from 'node:worker_threads';

register();
const torch = await import(new URL('../index.ts', import.meta.url).href);
const undisposed = [];
for (let i = 0; i < 200; i++) undisposed.push(torch.randn([16, 16]).matmul(torch.randn([16, 16])));
const w = torch.randn([4]).requiresGrad_();
const loss = w.mul(w).sum();
if (workerData.backward) loss.backward();
torch.tidy(() => torch.F.conv2d(torch.randn([2, 3, 8, 8]), torch.randn([4, 3, 3, 3])));
parentPort.postMessage({ live: torch.liveTensors().tensors, grad: workerData.backward ? w.grad.toNumbers().length : 0 });
if (workerData.exit) process.exit(0);
setInterval(() => {}, 1000); // stays alive until terminated
