// Which frames training draws more often. Closed-loop policies fail at the approach and the grasp (the eval funnel:
// grasps 2.6-3.4 cm off centre), yet those frames are about a third of a pick-and-place demonstration (the rest is
// holding, carrying and placing: bench numbers in BENCHMARKS.md). sampling.beforeGrasp gives every frame of an
// episode up to and including its first gripper-close command that weight, the others 1; the loader's sampler then
// draws frames by weight (src/data/loader/sampler.ts). An episode whose gripper closes at once (nurse-call presses
// with closed fingers) has its first frame weighted only; one that never closes it keeps weight 1 throughout.
import { Dataset } from '../data/lerobot/dataset.ts';
import { SIM_KEYS } from '../data/record/sim-features.ts';

/** A gripper command above this closes the gripper (the common action space: 0 open, 1 closed). */
const CLOSE = 0.5;

/** One weight per frame of the dataset at `dir` (its frame order): `weight` up to each episode's first close, else 1. */
export async function beforeGraspWeights(dir: string, weight: number): Promise<Float64Array> {
  if (!(weight >= 1 && Number.isFinite(weight))) throw new RangeError(`sampling.beforeGrasp must be a finite number >= 1, got ${weight}`);
  const ds = await Dataset.open(dir);
  const names = ds.features[SIM_KEYS.action]?.names;
  const g = Array.isArray(names) ? (names as string[]).indexOf('gripper') : -1;
  if (g < 0) throw new Error(`dataset ${dir}: its '${SIM_KEYS.action}' feature names no 'gripper' component, so sampling.beforeGrasp cannot find the grasps`);
  const A = (names as string[]).length;
  const out = new Float64Array(ds.episodes.reduce((n, e) => Math.max(n, e.to), 0)).fill(1);
  for (const e of ds.episodes) {
    const action = (await ds.episode(e.index))[SIM_KEYS.action] as Float32Array;
    let close = -1;
    for (let t = 0; t < e.length && close < 0; t++) if (action[t * A + g]! > CLOSE) close = t;
    if (close >= 0) out.fill(weight, e.from, e.from + close + 1);
  }
  return out;
}
