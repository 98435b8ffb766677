// The safety shield as the review applies it during its rollouts: every action of every env passes through the
// shield of its arm before it is executed (as on a served robot), and the review counts the actions the shield
// changed (interventions per 1,000 actions). The shield itself is src/serve/shield/ (a pure function over actions
// with per-env state); this file keeps one state per (task, arm, env), starting afresh with each episode.
import type { ActContext } from '../eval/rollout.ts';
import type { Observation } from '../sim/observation.ts';

/** One arm's shield for the review: a fresh per-env state at step 0, then each action in, the action to execute out. */
export interface ReviewShield {
  /** What it is (goes into the report), e.g. limits and their hash. */
  describe: Record<string, unknown>;
  /** A fresh state for a new episode. */
  start(obs: Observation): unknown;
  /** Filters one action; `changed` is true when the shield intervened (the action differs or the arm was stopped). */
  step(state: unknown, action: number[], obs: Observation): { action: number[]; state: unknown; changed: boolean; reasons: string[] };
}

export type ShieldFactory = (embodiment: string) => Promise<ReviewShield>;

export interface ShieldTally { actions: number; intervened: number; reasons: Record<string, number> }

/** The run's filterAction hook over shields by arm, with the tally it fills. */
export function shieldHook(shields: ReadonlyMap<string, ReviewShield>, tally: ShieldTally) {
  const states = new Map<string, unknown>();
  return (cell: { task: string; embodiment: string }, ctx: ActContext, action: number[], obs: Observation): number[] => {
    const sh = shields.get(cell.embodiment);
    if (!sh) throw new Error(`review: no shield for embodiment '${cell.embodiment}'`);
    const key = `${cell.task}/${cell.embodiment}/${ctx.env}`;
    if (ctx.step === 0 || !states.has(key)) states.set(key, sh.start(obs));
    const r = sh.step(states.get(key), action, obs);
    states.set(key, r.state);
    tally.actions++;
    if (r.changed) { tally.intervened++; for (const k of new Set(r.reasons)) tally.reasons[k] = (tally.reasons[k] ?? 0) + 1; }
    return r.action;
  };
}
