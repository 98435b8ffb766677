// One data-loader worker: opens the datasets' in-memory sources (numeric columns + frame caches) once, then
// assembles the batches it is asked for and transfers them back.
import { parentPort } from 'node:worker_threads';
import { assembleBatch, batchTransfer, type DatasetView } from './assemble.ts';
import { openSource } from './source.ts';
import type { LoaderReply, LoaderRequest } from './protocol.ts';

if (!parentPort) throw new Error('src/data/loader/worker.ts must run as a worker thread');
const port = parentPort;
let views: DatasetView[] = [];
let spec: Extract<LoaderRequest, { type: 'init' }>['spec'] | null = null;

port.on('message', async (req: LoaderRequest & { batch: number }) => {
  try {
    if (req.type === 'init') {
      spec = req.spec;
      const sources = await Promise.all(req.dirs.map((d) => openSource(d, req.spec)));
      views = sources.map((source, i) => ({ source, ...req.norms[i]! }));
      port.postMessage({ batch: req.batch, ok: true, value: null as never } satisfies LoaderReply);
      return;
    }
    if (!spec) throw new Error('data loader worker: batch before init');
    const b = assembleBatch(views, req.refs, spec);
    port.postMessage({ batch: req.batch, ok: true, value: b } satisfies LoaderReply, batchTransfer(b));
  } catch (e) {
    port.postMessage({ batch: req.batch, ok: false, error: e instanceof Error ? e.message : String(e) } satisfies LoaderReply);
  }
});
