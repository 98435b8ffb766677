// The robot client's watchdog: when no valid action has arrived within the deadline (default 200 ms) the robot must
// hold position (stop category 2: zero EE delta, gripper unchanged); it reports each change (hold, resume) with its
// time and reason. Plain state over a clock; RobotClient feeds it and also checks it from a timer, so that a hold
// is reported even while the robot's loop is blocked waiting.
export interface WatchdogEvent {
  type: 'hold' | 'resume';
  /** Wall-clock time (ms since the epoch) of the event. */
  time: number;
  /** ms since the last valid action when it happened. */
  sinceValidMs: number;
  reason: string;
}

export class Watchdog {
  private lastValid: number;
  private holding = false;
  /** Why the last action was not valid (server down, bad answer...), for the hold's reason. */
  private why = 'no action yet';

  constructor(readonly deadlineMs = 200, private readonly now: () => number = () => performance.now(), private readonly wall: () => number = () => Date.now()) {
    if (!(deadlineMs > 0)) throw new RangeError(`watchdog deadline must be positive, got ${deadlineMs}`);
    this.lastValid = now();
  }

  get held(): boolean { return this.holding; }

  /** ms left before the deadline (negative when past it). */
  remainingMs(): number { return this.deadlineMs - (this.now() - this.lastValid); }

  /** A valid action arrived; returns the 'resume' event if the robot was holding. */
  feed(): WatchdogEvent | null {
    const since = this.now() - this.lastValid;
    this.lastValid = this.now();
    if (!this.holding) return null;
    this.holding = false;
    return { type: 'resume', time: this.wall(), sinceValidMs: since, reason: 'valid actions again' };
  }

  /** Records why actions are missing (used in the next hold's reason). */
  problem(reason: string): void { this.why = reason; }

  /** Restarts the clock (a new episode begins: the first chunk is due within the deadline from now). */
  restart(): void { this.lastValid = this.now(); this.holding = false; this.why = 'no action yet'; }

  /** Returns the 'hold' event when the deadline has just passed. */
  check(): WatchdogEvent | null {
    const since = this.now() - this.lastValid;
    if (this.holding || since <= this.deadlineMs) return null;
    this.holding = true;
    return { type: 'hold', time: this.wall(), sinceValidMs: since, reason: `no valid action for ${Math.round(since)} ms (deadline ${this.deadlineMs} ms): ${this.why}` };
  }
}
