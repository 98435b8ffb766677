// RobotClient: one robot's control loop against a policy server, step by step. act(observation) returns the action to
// send to the robot now: it asks the server for a chunk when the executor wants one (PolicyClient, lock-step, in the
// background), takes this step's action from the chunks (all of each, k of H, or temporal ensembling), passes it through
// the shield again on the client side with the measured state, and falls back to a hold when no valid action is
// there: it waits for a pending answer only until the watchdog's deadline (default 200 ms since the last valid
// action), then holds position (zero EE delta, gripper unchanged) and reports a 'hold' event; 'resume' when valid
// actions come again. A timer reports a hold even while the caller's loop is blocked.
import type { Observation } from '../../sim/observation.ts';
import type { ShieldLimits } from '../shield/limits.ts';
import { holdStep, initialShieldState, resetShield, robotStateFromObservation, shieldAction, type Intervention, type RobotState, type ShieldState } from '../shield/shield.ts';
import { ActionExecutor, type ChunkMode } from './executor.ts';
import { observationMessage } from './observation.ts';
import type { PolicyClient } from './policy-client.ts';
import { Watchdog, type WatchdogEvent } from './watchdog.ts';

export interface RobotClientOptions {
  client: PolicyClient;
  /** The robot's shield limits (defaultShieldLimits(embodiment) unless told otherwise). */
  limits: ShieldLimits;
  /** How the server's chunks are executed: default 'whole' (every action, then a new chunk), as `karakuri eval` judges a model. */
  chunk?: ChunkMode;
  /** Watchdog deadline (ms). */
  deadlineMs?: number;
  onEvent?: (e: WatchdogEvent) => void;
  onIntervention?: (i: Intervention) => void;
  /** The observation message (default: observationMessage, Karakuri's key map). */
  message?: (o: Observation, first: boolean) => Record<string, unknown>;
}

export interface StepDecision {
  action: Float64Array;
  /** Held: by the watchdog (no valid action in time), or by the shield (stop, invalid action or state). */
  held: boolean;
  source: 'policy' | 'watchdog' | 'shield';
  interventions: Intervention[];
  events: WatchdogEvent[];
}

const sleep = (ms: number) => new Promise<void>((r) => { const t = setTimeout(r, ms); t.unref?.(); });

export class RobotClient {
  readonly events: WatchdogEvent[] = [];
  private readonly executor: ActionExecutor;
  private readonly watchdog: Watchdog;
  private shield: ShieldState;
  private step = 0;
  private first = true;
  private inflight: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private fresh: WatchdogEvent[] = [];
  /** Bumped at reset: answers to an older episode's observations are dropped. */
  private episode = 0;

  constructor(private readonly o: RobotClientOptions) {
    this.executor = new ActionExecutor(o.chunk ?? 'whole');
    this.watchdog = new Watchdog(o.deadlineMs ?? 200);
    this.shield = initialShieldState(o.limits);
  }

  /** The shield's state (its intervention counts). */
  get shieldState(): ShieldState { return this.shield; }

  /** A new episode: chunks forgotten, the shield from rest (and a latched stop cleared: the world was reset), the watchdog restarted. */
  reset(): void {
    this.episode++;
    this.executor.reset();
    this.shield = resetShield(this.shield, this.o.limits);
    this.shield = { ...this.shield, last: null };
    this.step = 0;
    this.first = true;
    this.watchdog.restart();
    this.stopTimer();
  }

  /** Stops the watchdog's timer (the loop is over). */
  stop(): void { this.stopTimer(); }

  /** The action for the robot now, given what it observes (and the state the shield checks; default: from the observation). */
  async act(obs: Observation, robot: RobotState = robotStateFromObservation(obs)): Promise<StepDecision> {
    this.startTimer();
    const t = this.step++;
    const { client } = this.o;
    if (this.executor.wants(t) && !this.inflight) {
      if (client.connected) this.request(t, obs);
      else this.watchdog.problem(`not connected to ${client.options.url}`);
    }
    let a = this.executor.action(t);
    if (!a && this.inflight) {
      const wait = Math.max(0, this.watchdog.remainingMs());
      await Promise.race([this.inflight, sleep(wait)]);
      a = this.executor.action(t);
    }
    const dim = this.o.limits.mode === 'ee' ? 7 : this.o.limits.joint.lower.length + 1;
    if (a && !(a.length === dim && a.every(Number.isFinite))) { this.watchdog.problem(`the server's action for step ${t} is not ${dim} finite numbers`); a = null; }
    if (a) {
      const ev = this.watchdog.feed();
      if (ev) this.report(ev);
      const r = shieldAction(a, robot, this.o.limits, this.shield);
      this.shield = r.state;
      for (const i of r.interventions) this.o.onIntervention?.(i);
      return { action: r.action, held: r.held, source: r.held ? 'shield' : 'policy', interventions: r.interventions, events: this.drain() };
    }
    const ev = this.watchdog.check();
    if (ev) this.report(ev);
    const h = holdStep(robot, this.o.limits, this.shield);
    this.shield = h.state;
    return { action: h.action, held: true, source: 'watchdog', interventions: [], events: this.drain() };
  }

  private request(t: number, obs: Observation): void {
    const episode = this.episode;
    const msg = (this.o.message ?? ((x, first) => observationMessage(x, { reset: first })))(obs, this.first);
    this.first = false;
    this.inflight = this.o.client.infer(msg).then(
      (r) => { if (episode === this.episode) this.executor.add(t, r.actions); },
      (e: Error) => { this.watchdog.problem(e.message); },
    ).finally(() => { this.inflight = null; });
  }

  private report(e: WatchdogEvent): void {
    this.events.push(e);
    this.fresh.push(e);
    this.o.onEvent?.(e);
  }

  private drain(): WatchdogEvent[] { const f = this.fresh; this.fresh = []; return f; }

  private startTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => { const ev = this.watchdog.check(); if (ev) this.report(ev); }, Math.max(5, this.watchdog.deadlineMs / 8));
    this.timer.unref?.();
  }

  private stopTimer(): void { if (this.timer) clearInterval(this.timer); this.timer = null; }
}
