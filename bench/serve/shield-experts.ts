// How often the shield's default limits intervene on the scripted experts' own actions, and whether the experts still
// succeed behind the shield. Per task x arm, `--episodes` seeds, cameras off:
//   open loop: the expert drives the env unchanged; every action is also passed through shieldAction (with the state
//     measured before it) and the interventions are counted by kind, as the robot client would see them;
//   shielded: the env's step is wrapped so that the expert's actions go through the shield first (closed loop);
//     success and episode length are compared with the open-loop run.
//   npx tsx bench/serve/shield-experts.ts [--episodes 3] [--tasks nurse-call,hand-over]
import { parseArgs } from 'node:util';
import { TASKS, createTaskEnv } from '../../src/sim/tasks/registry.ts';
import { defaultShieldLimits } from '../../src/serve/shield/limits.ts';
import { initialShieldState, robotStateFromObservation, shieldAction, type InterventionKind, type RobotState } from '../../src/serve/shield/shield.ts';

const { values } = parseArgs({ options: { episodes: { type: 'string', default: '3' }, tasks: { type: 'string', default: '' } } });
const episodes = Number(values.episodes);
const only = values.tasks ? values.tasks.split(',') : [...TASKS.keys()];

interface Row { task: string; arm: string; steps: number; touched: number; kinds: Partial<Record<InterventionKind, number>>; fastSteps: number; ok: number; okShielded: number; len: number; lenShielded: number }
const rows: Row[] = [];
const t0 = performance.now();
for (const id of only) {
  const def = TASKS.get(id)!;
  for (const arm of def.embodiments) {
    const limits = await defaultShieldLimits(arm);
    const row: Row = { task: id, arm, steps: 0, touched: 0, kinds: {}, fastSteps: 0, ok: 0, okShielded: 0, len: 0, lenShielded: 0 };
    for (const shielded of [false, true]) {
      const { env, task } = await createTaskEnv(id, { embodiment: arm, width: 0, height: 0 });
      const rawStep = env.step.bind(env);
      for (let seed = 0; seed < episodes; seed++) {
        const start = env.reset(seed);
        let state = initialShieldState(limits), robot: RobotState = robotStateFromObservation(start.observation);
        env.step = (action) => {
          const r = shieldAction(action, robot, limits, state);
          state = r.state;
          if (!shielded) {
            row.steps++;
            if (r.interventions.length) row.touched++;
            for (const i of r.interventions) row.kinds[i.kind] = (row.kinds[i.kind] ?? 0) + 1;
            if (Math.hypot(action[0]!, action[1]!, action[2]!) > limits.ee.translation.maxSpeed / limits.controlHz) row.fastSteps++;
          }
          const out = rawStep(shielded ? r.action : action);
          robot = robotStateFromObservation(out.observation);
          return out;
        };
        const res = task.expert(env, start, { maxSteps: def.maxSteps });
        if (shielded) { row.okShielded += +res.success; row.lenShielded += res.steps; } else { row.ok += +res.success; row.len += res.steps; }
      }
      env.dispose();
    }
    rows.push(row);
    console.log(`${id.padEnd(18)} ${arm.padEnd(10)} steps ${String(row.steps).padStart(4)}  shield touched ${(100 * row.touched / row.steps).toFixed(0).padStart(3)}%  faster than 250 mm/s ${(100 * row.fastSteps / row.steps).toFixed(0).padStart(3)}%  success ${row.ok}/${episodes} -> shielded ${row.okShielded}/${episodes}  mean length ${(row.len / episodes).toFixed(0)} -> ${(row.lenShielded / episodes).toFixed(0)}  ${JSON.stringify(row.kinds)}`);
  }
}
const sum = (f: (r: Row) => number) => rows.reduce((a, r) => a + f(r), 0);
const kinds: Record<string, number> = {};
for (const r of rows) for (const [k, v] of Object.entries(r.kinds)) kinds[k] = (kinds[k] ?? 0) + v!;
console.log(`\nall: ${sum((r) => r.steps)} expert actions; the default shield changed ${(100 * sum((r) => r.touched) / sum((r) => r.steps)).toFixed(1)}% of them; ${(100 * sum((r) => r.fastSteps) / sum((r) => r.steps)).toFixed(1)}% ask for more than 250 mm/s`);
console.log(`interventions by kind: ${JSON.stringify(kinds)}`);
console.log(`expert success ${sum((r) => r.ok)}/${rows.length * episodes} unshielded, ${sum((r) => r.okShielded)}/${rows.length * episodes} behind the shield; mean length ${(sum((r) => r.len) / (rows.length * episodes)).toFixed(1)} -> ${(sum((r) => r.lenShielded) / (rows.length * episodes)).toFixed(1)} steps`);
console.log(`${((performance.now() - t0) / 1000).toFixed(0)} s; command: npx tsx bench/serve/shield-experts.ts --episodes ${episodes}${values.tasks ? ` --tasks ${values.tasks}` : ''}`);
