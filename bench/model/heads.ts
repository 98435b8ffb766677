// The action head by closed-loop success at small scale: chunk regression with an L1 or Huber loss vs flow matching,
// on the same demonstrations (one task on kara6), the same model and training budget, only `head` / `regressionLoss`
// differ; each model is evaluated on its training seeds and on unseen seeds. Prints a table and writes
// bench/results/heads.json.
//   npx tsx bench/model/heads.ts [--task nurse-call] [--demos 20] [--steps 1500] [--eval 20] [--variants l1,huber,flow]
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { collect } from '../../src/data/collect.ts';
import { train } from '../../src/train/train.ts';
import { runEval } from '../../src/eval/run.ts';

const { values: a } = parseArgs({ options: { task: { type: 'string', default: 'nurse-call' }, demos: { type: 'string', default: '20' }, steps: { type: 'string', default: '1500' }, eval: { type: 'string', default: '20' }, variants: { type: 'string', default: 'l1,huber,flow' } } });
const demos = Number(a.demos), steps = Number(a.steps), nEval = Number(a.eval), task = a.task!;
const root = mkdtempSync(join(tmpdir(), 'heads-'));
const t0 = performance.now();
await collect({ tasks: [task], embodiment: 'kara6', episodes: demos, out: join(root, 'data'), size: 64 });
const rows: Record<string, unknown>[] = [];
const VARIANTS = { l1: { head: 'l1', regressionLoss: 'l1' }, huber: { head: 'l1', regressionLoss: 'huber' }, flow: { head: 'flow' } } as const;
const variants = a.variants!.split(',').map((v) => {
  if (!(v in VARIANTS)) throw new Error(`--variants: unknown '${v}' (known: ${Object.keys(VARIANTS).join(', ')})`);
  return v as keyof typeof VARIANTS;
});
for (const head of variants) {
  const ts = performance.now();
  const r = await train({
    datasets: [{ dir: join(root, 'data') }], out: join(root, head), batchSize: 16, steps, lr: 2e-3, minLr: 1e-5, warmupSteps: 50, seed: 0, checkpointEvery: steps,
    augmentation: { image: { shift: 2, brightness: 0.1, contrast: 0.1, saturation: 0.1 }, instruction: 'off' },
    model: { dim: 64, heads: 4, layers: 2, ...VARIANTS[head], text: { layers: 1 }, vision: { channels: [16, 32, 64], imageSize: [64, 64], tokensPerImage: 16, groups: 4, stemStride: 4, keypoints: 16 } },
  }, { resume: false, progressBar: false });
  const trainS = (performance.now() - ts) / 1000;
  const seen = await runEval({ model: r.versionDir, tasks: [task], embodiments: ['kara6'], episodes: Math.min(demos, nEval), seedStart: 0, out: join(root, `${head}-seen`), videos: 0, updateCard: false });
  const unseen = await runEval({ model: r.versionDir, tasks: [task], embodiments: ['kara6'], episodes: nEval, seedStart: 100_000, out: join(root, `${head}-unseen`), videos: 0, updateCard: false });
  const row = { head, trainSeconds: Math.round(trainS), finalLoss: r.finalLoss, seen: seen.overall, unseen: unseen.overall, roomErrorCm: unseen.cells[0]!.roomErrorCm };
  rows.push(row);
  console.log(`${head.padEnd(5)} train ${trainS.toFixed(0)} s  training seeds ${seen.overall.successes}/${seen.overall.n}  unseen seeds ${unseen.overall.successes}/${unseen.overall.n} (95% CI ${(100 * unseen.overall.lo).toFixed(0)}-${(100 * unseen.overall.hi).toFixed(0)}%)  room error ${row.roomErrorCm?.toFixed(1)} cm`);
}
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/heads.json', JSON.stringify({ task, demos, steps, rows, seconds: (performance.now() - t0) / 1000 }, null, 1));
console.log(`${((performance.now() - t0) / 60000).toFixed(1)} min; ${task}, ${demos} demonstrations on kara6, ${steps} steps of batch 16`);
