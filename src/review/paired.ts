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

/** Per task, each episode's success keyed by arm, phrasing and seed. */
function outcomes(r: EvalResults): Map<string, Map<string, boolean>> {
  const m = new Map<string, Map<string, boolean>>();
  for (const c of r.cells) {
    if (!m.has(c.task)) m.set(c.task, new Map());
    for (const e of c.episodes) m.get(c.task)!.set(episodeKey(c.embodiment, c.phrasing, e.seed), e.success);
  }
  return m;
}

/** The key an episode is matched on: its arm, phrasing and seed. */
export const episodeKey = (arm: string, phrasing: string, seed: number) => `${arm}\u0000${phrasing}\u0000${seed}`;

/** The episodes both ran, as [success in a, success in b] pairs. */
export function matchOutcomes(a: ReadonlyMap<string, boolean>, b: ReadonlyMap<string, boolean>): Array<[boolean, boolean]> {
  const pairs: Array<[boolean, boolean]> = [];
  for (const [k, x] of a) { const y = b.get(k); if (y !== undefined) pairs.push([x, y]); }
  return pairs;
}

/** Successes, discordant episodes and the exact McNemar p of matched pairs. */
export function discordance(task: string, pairs: ReadonlyArray<readonly [boolean, boolean]>): PairedRow {
  let onlyA = 0, onlyB = 0, both = 0, a = 0, b = 0;
  for (const [x, y] of pairs) { a += +x; b += +y; if (x && y) both++; else if (x) onlyA++; else if (y) onlyB++; }
  return { task, n: pairs.length, a, b, onlyA, onlyB, both, p: mcnemarExact(onlyA, onlyB) };
}

/** Compares evaluation b against a on the episodes both ran; throws when they share none. */
export function pairedComparison(a: EvalResults, b: EvalResults): PairedComparison {
  const ma = outcomes(a), mb = outcomes(b);
  const byTask = [...ma].map(([task, m]) => [task, matchOutcomes(m, mb.get(task) ?? new Map())] as const).filter(([, v]) => v.length);
  const matched = byTask.reduce((s, [, v]) => s + v.length, 0);
  if (!matched) throw new Error('pairedComparison: the two evaluations share no episode (same task, arm, phrasing and seed): compare evaluations run on the same seeds');
  const size = (m: Map<string, Map<string, boolean>>) => [...m.values()].reduce((s, x) => s + x.size, 0);
  return {
    rows: byTask.map(([t, v]) => discordance(t, v)),
    overall: discordance('all', byTask.flatMap(([, v]) => v)),
    unmatched: { a: size(ma) - matched, b: size(mb) - matched },
  };
}
