// Worker-thread entry in plain JavaScript: registers the TypeScript loader (tsx) inside the new thread, whose module
// hooks the parent's do not cover, then loads the worker proper.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.module);
