// bench/model compare: two evaluations of the same seeds (e.g. two recipes' eval/results.json) compared episode by
// episode: per task each version's successes, the episodes only one of them solved, and the exact McNemar p
// (src/review/paired.ts), then the same over all tasks. What BENCHMARKS.md quotes as "N succeed only with ...".
//   npx tsx bench/model/compare.ts --a out/recipe-v10/eval/results.json --b out/recipe-v11/eval/results.json
import { parseArgs } from 'node:util';
import { readEvalResults } from '../../src/eval/run.ts';
import { pairedComparison, type PairedRow } from '../../src/review/paired.ts';

const { values: o } = parseArgs({ options: { a: { type: 'string' }, b: { type: 'string' } } });
if (!o.a || !o.b) throw new Error('compare: --a FILE and --b FILE (two eval results.json) are required');
const c = pairedComparison(readEvalResults(o.a), readEvalResults(o.b));
const p = (x: number) => (x < 0.001 ? x.toExponential(1) : x.toFixed(3));
const line = (r: PairedRow) => `| ${r.task} | ${r.n} | ${r.a} | ${r.b} | ${r.onlyA} | ${r.onlyB} | ${r.both} | ${p(r.p)} |`;
console.log(`a: ${o.a}\nb: ${o.b}\n${c.unmatched.a || c.unmatched.b ? `(episodes with no counterpart, left out: ${c.unmatched.a} of a, ${c.unmatched.b} of b)\n` : ''}`);
console.log('| task | episodes | a succeeds | b succeeds | only a | only b | both | McNemar p |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of c.rows) console.log(line(r));
console.log(line(c.overall).replace('| all |', '| **all** |'));
