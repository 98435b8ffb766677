// The watchdog when the server dies: a simulated kara6 runs a 20 Hz real-time loop through RobotClient against a
// policy server in a child process (random-init model, shield on); the child is killed with SIGKILL mid-episode. The
// client must hold position (zero EE delta, gripper unchanged) within the 200 ms deadline (+ slack for one control
// period and timer jitter), report the hold with its time and reason, keep the arm still while holding, then
// reconnect by itself when a new server comes up on the same port, report 'resume' and drive again.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { Env } from '../../sim/env.ts';
import { defaultShieldLimits } from '../shield/limits.ts';
import { writeTestModel } from '../server/test-model.ts';
import { PolicyClient, type ClientEvent } from './policy-client.ts';
import { RobotClient, type StepDecision } from './robot-client.ts';
import type { WatchdogEvent } from './watchdog.ts';

const childScript = new URL('./test-server-child.ts', import.meta.url).pathname;
const children: ChildProcess[] = [];
afterAll(() => { for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL'); });

/** Starts the server child; resolves with its port once it listens. */
function startChild(dir: string, port: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, dir, String(port), 'shield'], {
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '', err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); const m = /LISTENING (\d+)/.exec(out); if (m) resolve({ child, port: Number(m[1]) }); });
    child.once('exit', (code) => reject(new Error(`server child exited (${code}) before listening: ${err}`)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('RobotClient watchdog against a dying server', () => {
  it('holds within the deadline when the server is killed, reports it, and resumes after reconnecting', async () => {
    const { dir, cfg } = writeTestModel();
    const size = cfg.vision.imageSize[0];
    const first = await startChild(dir, 0);
    const clientEvents: ClientEvent[] = [];
    const client = new PolicyClient({ url: `ws://127.0.0.1:${first.port}`, backoff: { initialMs: 50, maxMs: 400, factor: 2, jitter: 0.1 } });
    client.on((e) => clientEvents.push(e));
    await client.ready(10_000);
    const limits = await defaultShieldLimits('kara6');
    const watchdog: WatchdogEvent[] = [];
    const robot = new RobotClient({ client, limits, chunk: { execute: 2 }, deadlineMs: 200, onEvent: (e) => watchdog.push(e) });
    const env = await Env.create({ embodiment: 'kara6', width: size, height: size, history: 1, instruction: 'put the red cup on the tray', maxSteps: 100_000 });
    const log: { at: number; d: StepDecision; ee: number[] }[] = [];
    try {
      let obs = env.reset(0).observation;
      robot.reset();
      let killedAt = 0, restarted = false;
      const restart: { error: Error | null } = { error: null };
      const t0 = Date.now();
      // 20 Hz in real time: kill at 1.2 s, start a new server once the hold is reported (it takes a few seconds to come up), stop 1 s after 'resume'
      for (let k = 0; ; k++) {
        const tick = t0 + 50 * k;
        if (Date.now() < tick) await sleep(tick - Date.now());
        if (!killedAt && Date.now() - t0 > 1200) { first.child.kill('SIGKILL'); killedAt = Date.now(); }
        if (killedAt && !restarted && watchdog.some((e) => e.type === 'hold' && e.time >= killedAt)) { restarted = true; startChild(dir, first.port).catch((e: Error) => { restart.error = e; }); }
        const d = await robot.act(obs);
        obs = env.step(d.action).observation;
        log.push({ at: Date.now(), d, ee: [...obs.proprio.eePos] });
        const resumed = killedAt ? watchdog.find((e) => e.type === 'resume' && e.time > killedAt) : undefined;
        if (resumed && Date.now() - resumed.time > 1000) break;
        if (restart.error || Date.now() - t0 > 30_000) throw new Error(`no resume within 30 s (${restart.error?.message ?? 'server restarted'}); watchdog events: ${JSON.stringify(watchdog)}; client events: ${JSON.stringify(clientEvents.map((e) => e.type))}`);
      }
      robot.stop();
      const before = log.filter((l) => l.at < killedAt);
      expect(before.length).toBeGreaterThan(20);
      // with the server up, the policy drives every step once the first chunk is in (it may come late: warm-up)
      const firstPolicy = before.findIndex((l) => l.d.source === 'policy');
      expect(firstPolicy).toBeGreaterThanOrEqual(0);
      expect(before.slice(firstPolicy).filter((l) => l.d.source === 'watchdog').map((l) => l.at - t0), JSON.stringify(watchdog)).toEqual([]);
      const hold = watchdog.find((e) => e.type === 'hold' && e.time >= killedAt)!;
      expect(hold, JSON.stringify(watchdog)).toBeDefined();
      // the last valid action can come up to one control period after the kill (the plan in hand), then 200 ms
      expect(hold.time - killedAt).toBeLessThanOrEqual(200 + 50 + 100);
      expect(hold.reason).toMatch(/no valid action for \d+ ms \(deadline 200 ms\)/);
      expect(hold.sinceValidMs).toBeGreaterThanOrEqual(200);
      const resume = watchdog.find((e) => e.type === 'resume' && e.time > hold.time)!;
      expect(resume).toBeDefined();
      expect(clientEvents.some((e) => e.type === 'connected' && e.attempt > 0)).toBe(true);
      expect(clientEvents.some((e) => e.type === 'disconnected')).toBe(true);
      // while held: zero EE delta with the gripper unchanged, and the arm stays where it was
      const held = log.filter((l) => l.at > hold.time + 60 && l.at < resume.time);
      expect(held.length).toBeGreaterThan(10);
      const lastG = log.filter((l) => l.at <= hold.time && l.d.source !== 'watchdog').at(-1)!.d.action[6]; // the last valid action's gripper
      for (const l of held) {
        expect(l.d.held).toBe(true);
        expect(Array.from(l.d.action)).toEqual([0, 0, 0, 0, 0, 0, lastG]);
      }
      const drift = Math.hypot(...held.at(-1)!.ee.map((v, i) => v - held[0]!.ee[i]!));
      expect(drift).toBeLessThan(0.002);
      // after the resume: the policy drives again
      const after = log.filter((l) => l.at > resume.time);
      expect(after.filter((l) => l.d.source === 'policy').length).toBeGreaterThan(after.length * 0.8);
      console.log(`watchdog: killed at +${killedAt - t0} ms, hold reported ${hold.time - killedAt} ms after the kill (${Math.round(hold.sinceValidMs)} ms after the last valid action), resumed ${resume.time - killedAt} ms after the kill; ${held.length} held steps, drift ${(drift * 1000).toFixed(2)} mm`);
    } finally {
      robot.stop();
      env.dispose();
      await client.close();
    }
  }, 60_000);
});
