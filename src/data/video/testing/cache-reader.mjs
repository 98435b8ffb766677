// Worker-thread / child-process fixture for the FrameCache tests, in plain JavaScript: registers tsx, opens the
// cache given in workerData (or argv), reads every frame of every key and reports a checksum per key.
import { register } from 'tsx/esm/api';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createHash } from 'node:crypto';

register();
const { FrameCache } = await import('../cache.ts');
const { file, sources } = isMainThread ? JSON.parse(process.argv[2]) : workerData;
const cache = await FrameCache.open(file, sources);
const sums = {};
for (const key of cache.keys) {
  const h = createHash('sha1');
  const n = cache.info(key).frames, out = new Uint8Array(cache.info(key).width * cache.info(key).height * 3);
  for (let i = 0; i < n; i++) h.update(cache.get(key, { frame: i }, out));
  sums[key] = h.digest('hex');
}
const result = { sums, decoded: cache.decoded };
cache.close();
if (isMainThread) console.log(JSON.stringify(result)); else parentPort.postMessage(result);
