// bench/model wrist-view: how often a dataset's target lies inside the wrist camera's image, per task: the frames
// on which wristPointer's loss can teach pointer 0 (src/train/room-pixels.ts mountedPixels; behind the camera or
// outside the image gives no loss).
//   npx tsx bench/model/wrist-view.ts --data out/recipe-v6/data/kara6 [--episodes 300] [--size 64]
import { parseArgs } from 'node:util';
import { Dataset } from '../../src/data/lerobot/dataset.ts';
import type { Batch } from '../../src/data/loader/assemble.ts';
import { RoomPixels } from '../../src/train/room-pixels.ts';

const { values: a } = parseArgs({ options: { data: { type: 'string' }, episodes: { type: 'string', default: '300' }, size: { type: 'string', default: '64' } } });
if (!a.data) throw new Error('wrist-view: --data DIR (a simulated recording) is required');
const S = Number(a.size), ds = await Dataset.open(a.data);
const px = await RoomPixels.open([a.data], 'scene', { mounted: 'wrist' });
const rows = new Map<string, { frames: number; inside: number; behind: number; episodes: number }>();
for (const e of ds.episodes.slice(0, Number(a.episodes))) {
  const t = (await ds.episode(e.index))['privileged.target_position'] as Float32Array;
  const frame = Int32Array.from({ length: e.length }, (_, i) => e.from + i);
  const p = px.mountedPixels({ size: e.length, dataset: new Int32Array(e.length), frame, imageShape: [S, S] } as unknown as Batch, t);
  const k = String(e.meta['karakuri/task_id'] ?? 'unknown'), r = rows.get(k) ?? { frames: 0, inside: 0, behind: 0, episodes: 0 };
  r.episodes++;
  for (let i = 0; i < e.length; i++) {
    const u = p[2 * i]!, v = p[2 * i + 1]!;
    r.frames++;
    if (Number.isNaN(u)) r.behind++;
    else if (u >= 0 && u <= S && v >= 0 && v <= S) r.inside++;
  }
  rows.set(k, r);
}
console.log(`${a.data}: ${px.unmountedEpisodes} episodes without a wrist mount\n`);
console.log('| task | episodes | frames | target inside the wrist image | unknown or behind the camera |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [k, r] of rows) console.log(`| ${k} | ${r.episodes} | ${r.frames} | ${((100 * r.inside) / r.frames).toFixed(0)}% | ${((100 * r.behind) / r.frames).toFixed(0)}% |`);
