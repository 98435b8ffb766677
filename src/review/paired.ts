// Two evaluations of the same episodes compared episode by episode: the episodes are matched by task, arm, phrasing
// and seed, each task's discordant episodes (solved by one version alone) counted, and the exact McNemar test
// applied per task and overall. On the same seeds this is the honest test of "is version B better than A": layouts
// that are hard for both cancel out, so it sees differences that a test of the two rates misses.
import type { EvalResults } from '../eval/run.ts';
import { mcnemarExact } from './stats.ts';

export interface PairedRow {
  task: string;
  /** Episodes found in both evaluations. */
  n: number;
  /** Successes of each among those episodes. */
  a: number; b: number;
  onlyA: number; onlyB: number; both: number;
  /** Two-sided exact McNemar p. */
  p: number;
}

export interface PairedComparison {
  rows: PairedRow[];
  overall: PairedRow;
  /** Episodes of each evaluation with no counterpart in the other (other seeds, arms or phrasings). */
  unmatched: { a: number; b: number };
}

const key = (task: string, arm: string, phrasing: string, seed: number) => `${task}\u0000${arm}\u0000${phrasing}\u0000${seed}`;

function outcomes(r: EvalResults): Map<string, { task: string; success: boolean }> {
  const m = new Map<string, { task: string; success: boolean }>();
  for (const c of r.cells) for (const e of c.episodes) m.set(key(c.task, c.embodiment, c.phrasing, e.seed), { task: c.task, success: e.success });
  return m;
}

function row(task: string, pairs: Array<[boolean, boolean]>): PairedRow {
  let onlyA = 0, onlyB = 0, both = 0, a = 0, b = 0;
  for (const [x, y] of pairs) { a += +x; b += +y; if (x && y) both++; else if (x) onlyA++; else if (y) onlyB++; }
  return { task, n: pairs.length, a, b, onlyA, onlyB, both, p: mcnemarExact(onlyA, onlyB) };
}

/** Compares evaluation b against a on the episodes both ran; throws when they share none. */
export function pairedComparison(a: EvalResults, b: EvalResults): PairedComparison {
  const ma = outcomes(a), mb = outcomes(b);
  const byTask = new Map<string, Array<[boolean, boolean]>>();
  for (const [k, x] of ma) {
    const y = mb.get(k);
    if (!y) continue;
    if (!byTask.has(x.task)) byTask.set(x.task, []);
    byTask.get(x.task)!.push([x.success, y.success]);
  }
  const matched = [...byTask.values()].reduce((s, v) => s + v.length, 0);
  if (!matched) throw new Error('pairedComparison: the two evaluations share no episode (same task, arm, phrasing and seed): compare evaluations run on the same seeds');
  const rows = [...byTask].map(([t, v]) => row(t, v));
  return { rows, overall: row('all', [...byTask.values()].flat()), unmatched: { a: ma.size - matched, b: mb.size - matched } };
}
