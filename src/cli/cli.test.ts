// The karakuri command as a user runs it: doctor, the demo job, and bad flags.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PNG } from 'pngjs';

const bin = new URL('../../bin/karakuri.js', import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe('karakuri CLI', () => {
  it('doctor reports libtorch, threads and an optimized BLAS', () => {
    const r = run('doctor', '--json');
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { libtorch: string; threads: number; blas: string[]; mujoco: string };
    expect(report.libtorch).toMatch(/^\d+\.\d+/);
    expect(report.threads).toBeGreaterThan(0);
    expect(report.blas.join(' ')).toMatch(/openblas/i);
    expect(report.mujoco).toMatch(/3\.\d+/);
  });

  it('demo trains and writes its training curve', () => {
    const out = mkdtempSync(join(tmpdir(), 'demo-'));
    // at least 100 steps however loaded the machine is: the time budget alone made this depend on the load
    const r = run('demo', '--seconds', '1.5', '--min-steps', '100', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/steps\/s/);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as { steps: number; finalLoss: number };
    expect(result.steps).toBeGreaterThanOrEqual(100);
    expect(result.finalLoss).toBeLessThan(0.6); // learned something from ln(2) = 0.69
    expect(existsSync(join(out, 'training-curve.html'))).toBe(true);
    expect(PNG.sync.read(readFileSync(join(out, 'training-curve.png'))).width).toBe(640);
  });

  it('sim snapshot writes an RGB and a depth PNG of every camera; bad embodiments are named', () => {
    const out = mkdtempSync(join(tmpdir(), 'snap-'));
    const r = run('sim', 'snapshot', '--embodiment', 'kara7', '--size', '48', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    for (const cam of ['scene', 'wrist']) {
      for (const suffix of ['', '-depth']) {
        const png = PNG.sync.read(readFileSync(join(out, `kara7-seed0-${cam}${suffix}.png`)));
        expect([png.width, png.height]).toEqual([48, 48]);
      }
    }
    const bad = run('sim', 'snapshot', '--embodiment', 'ur5', '--out', out);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/unknown embodiment 'ur5'/);
  });

  it('sim tasks lists the nine tasks with their sectors', () => {
    const r = run('sim', 'tasks', '--json');
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { id: string; sector: string; embodiments: string[] }[];
    expect(rows).toHaveLength(9);
    expect(new Set(rows.map((t) => t.sector))).toEqual(new Set(['restaurant', 'food-factory', 'care']));
    const text = run('sim', 'tasks');
    for (const t of rows) expect(text.stdout).toContain(t.id);
  });

  it('sim experts prints the table and writes it; sim snapshot --task and sim video show a task', () => {
    const out = mkdtempSync(join(tmpdir(), 'experts-'));
    const r = run('sim', 'experts', '--tasks', 'bedside-table', '--embodiments', 'kara7', '--episodes', '2', '--workers', '1', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/bedside-table\s+care\s+kara7\s+\d\/2/);
    const json = JSON.parse(readFileSync(join(out, 'experts.json'), 'utf8')) as { cells: { episodes: number }[] };
    expect(json.cells[0]!.episodes).toBe(2);
    expect(readFileSync(join(out, 'experts.md'), 'utf8')).toMatch(/\| bedside-table \| care \| kara7 \|/);

    const snap = run('sim', 'snapshot', '--task', 'cup-on-tray', '--seed', '4', '--size', '40', '--out', out);
    expect(snap.status, snap.stderr).toBe(0);
    expect(snap.stdout).toMatch(/^".+"$/m); // the episode's instruction
    expect(PNG.sync.read(readFileSync(join(out, 'cup-on-tray-kara6-seed4-wrist.png'))).width).toBe(40);

    const vid = run('sim', 'video', '--task', 'cup-on-tray', '--seed', '4', '--size', '64', '--out', out);
    expect(vid.status, vid.stderr).toBe(0);
    const frames = Number(/\((\d+) frames, 128x64, 20 fps\)/.exec(vid.stdout)?.[1]);
    const steps = Number(/in (\d+) steps/.exec(vid.stdout)?.[1]);
    expect(frames).toBe(steps + 1); // the reset view and one frame per control step
    const probed = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', join(out, 'cup-on-tray-kara6-seed4.mp4')], { encoding: 'utf8' });
    expect(Number(probed.stdout.trim())).toBe(frames);
  });

  it('task commands name a bad task, arm or flag', () => {
    const bad = run('sim', 'experts', '--tasks', 'make-tea', '--episodes', '1');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/unknown task 'make-tea'/);
    const odd = run('sim', 'video', '--task', 'cup-on-tray', '--size', '33');
    expect(odd.stderr).toMatch(/--size: must be even/);
    const snap = run('sim', 'snapshot', '--task', 'nurse-call', '--embodiment', 'widowx250');
    expect(snap.status).not.toBe(0);
    expect(snap.stderr).toMatch(/task 'nurse-call' is not offered on embodiment 'widowx250'/);
  });

  it('pipeline (npm start) records, trains, evaluates and says where everything is, at the smallest scale', () => {
    const out = mkdtempSync(join(tmpdir(), 'pipeline-'));
    const r = run('pipeline', '--tasks', 'nurse-call', '--embodiments', 'kara6', '--episodes', '1', '--steps', '3', '--batch-size', '4', '--eval-episodes', '1', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\[1\/3\] recording[\s\S]*\[2\/3\] training[\s\S]*\[3\/3\] closed-loop evaluation/);
    expect(r.stdout).toMatch(/nurse-call\s+kara6\s+[01]\/1/);
    expect(existsSync(join(out, 'data/kara6/meta/info.json'))).toBe(true);
    expect(existsSync(join(out, 'run/model/weights.safetensors'))).toBe(true);
    expect(existsSync(join(out, 'run/model/MODEL_CARD.md'))).toBe(true);
    const results = JSON.parse(readFileSync(join(out, 'eval/results.json'), 'utf8')) as { cells: { task: string; success: { n: number } }[] };
    expect(results.cells).toMatchObject([{ task: 'nurse-call', success: { n: 1 } }]);
  }, 120_000);

  it('data validate reports the G1 fixture\'s 97 missing episodes and exits 1; data info still reads it', () => {
    const g1 = new URL('../../../shared/fixtures/lerobot-g1-v2.1-partial', import.meta.url).pathname;
    const v = run('data', 'validate', g1);
    expect(v.status).toBe(1);
    expect(v.stdout).toMatch(/data\/chunk-000\/episode_000000\.parquet \(episode 0\): data file is missing/);
    expect(v.stdout).toMatch(/in 97 episode\(s\): 0, 3, 5,/);
    expect(v.stdout).not.toMatch(/\(episode [124]\)/); // the three present episodes are fine
    const i = run('data', 'info', g1);
    expect(i.status, i.stderr).toBe(0);
    expect(i.stdout).toMatch(/LeRobot v2\.1, robot Unitree_G1_Inspire, 30 fps, 100 episodes/);
    const missing = run('data', 'validate', join(tmpdir(), 'no-such-dataset'));
    expect(missing.status).not.toBe(0);
    expect(missing.stdout + missing.stderr).toMatch(/info\.json/);
  });

  it('collect, train, eval and pipeline name a bad flag before doing any work', () => {
    const small = run('collect', '--task', 'cup-on-tray', '--size', '32', '--out', join(tmpdir(), 'never'));
    expect(small.status).not.toBe(0);
    expect(small.stderr).toMatch(/--size: .*(got '32')/);
    const noise = run('collect', '--task', 'cup-on-tray', '--action-noise', '0.5', '--out', join(tmpdir(), 'never'));
    expect(noise.status).not.toBe(0);
    expect(noise.stderr).toMatch(/--action-noise: .*<=0\.02 .*(got '0\.5')/);
    expect(run('collect', '--task', 'cup-on-tray', '--policy', 'teleop', '--out', join(tmpdir(), 'never')).stderr).toMatch(/--policy: .*(got 'teleop')/);
    expect(run('collect', '--task', 'cup-on-tray', '--policy', 'wander', '--only-success', '--out', join(tmpdir(), 'never')).stderr).toMatch(/--only-success: --only-success needs --policy expert/);
    expect(run('collect', '--task', 'cup-on-tray', '--policy', 'wander', '--wander-steps', '0', '--out', join(tmpdir(), 'never')).stderr).toMatch(/--wander-steps: .*(got '0')/);
    expect(run('collect', '--task', 'cup-on-tray', '--jolts', '0.05', '--out', join(tmpdir(), 'never')).stderr).toMatch(/--jolts: must be rate,min,max/);
    expect(run('collect', '--task', 'cup-on-tray', '--jolts', '0.05,0.03,0.01', '--out', join(tmpdir(), 'never')).stderr).toMatch(/--jolts: min must not exceed max/);
    expect(existsSync(join(tmpdir(), 'never'))).toBe(false);
    const task = run('collect', '--task', 'make-tea', '--out', join(tmpdir(), 'never'));
    expect(task.stderr).toMatch(/unknown task 'make-tea'/);
    expect(run('eval', '--model', 'm', '--phrasing', 'slang').stderr).toMatch(/--phrasing: .*(got 'slang')/);
    expect(run('eval', '--model', 'm', '--chunk', '0').stderr).toMatch(/--chunk: .*(got '0')/);
    expect(run('eval', '--model', 'm', '--chunk', 'sometimes').stderr).toMatch(/--chunk: give 'whole', 'ensemble' or a whole number of actions >= 1 \(got 'sometimes'\)/);
    const cfg = run('train', '--config', join(tmpdir(), 'no-such-config.json'));
    expect(cfg.status).not.toBe(0);
    expect(cfg.stderr).toMatch(/no-such-config\.json/);
    expect(run('pipeline', '--steps', '0').stderr).toMatch(/--steps: .*(got '0')/);
    expect(run('takeover', '--model', 'm', '--task', 'cup-on-tray', '--handover', '10', '--out', join(tmpdir(), 'never')).stderr).toMatch(/--handover: must be lo,hi/);
    expect(run('takeover', '--model', 'm', '--task', 'cup-on-tray', '--handover', '9,4', '--out', join(tmpdir(), 'never')).stderr).toMatch(/--handover: needs 1 <= lo <= hi/);
    const noModel = run('takeover', '--model', join(tmpdir(), 'no-such-model'), '--task', 'cup-on-tray', '--out', join(tmpdir(), 'never'));
    expect(noModel.status).not.toBe(0);
    expect(noModel.stderr).toMatch(/no-such-model/);
    expect(existsSync(join(tmpdir(), 'never'))).toBe(false);
    // --init: a registry name or a directory, checked before any training
    const cfgFile = join(mkdtempSync(join(tmpdir(), 'cli-init-')), 'run.json');
    writeFileSync(cfgFile, JSON.stringify({ datasets: [{ dir: 'ds' }], out: 'run', steps: 1, batchSize: 2, checkpointEvery: 1 }));
    const init = run('train', '--config', cfgFile, '--init', 'fy2099.9');
    expect(init.status).not.toBe(0);
    expect(init.stderr).toMatch(/fy2099\.9/);
    expect(existsSync(join(dirname(cfgFile), 'run'))).toBe(false);
    // a chain of recipes: every file is checked before the first one runs
    const chain = mkdtempSync(join(tmpdir(), 'cli-chain-'));
    const good = join(chain, 'a.json'), bad = join(chain, 'b.json');
    const recipe = (out: string, episodes: number) => ({ name: 'r', out, collect: { tasks: ['nurse-call'], embodiments: ['kara6'], episodes, size: 64 }, train: { batchSize: 2, steps: 2, checkpointEvery: 1 }, eval: { episodes: 1 } });
    writeFileSync(good, JSON.stringify(recipe(join(chain, 'out-a'), 1)));
    writeFileSync(bad, JSON.stringify(recipe(join(chain, 'out-b'), 101)));
    const chained = run('recipe', good, bad);
    expect(chained.status).not.toBe(0);
    expect(chained.stderr).toMatch(/recipe .*b\.json.*collect\.episodes/);
    expect(existsSync(join(chain, 'out-a'))).toBe(false);
    expect(run('recipe', good, join(chain, 'missing.json')).stderr).toMatch(/missing\.json: no such file/);
    expect(existsSync(join(chain, 'out-a'))).toBe(false);
  });

  it('bad flags and unknown commands fail with a message naming them', () => {
    const bad = run('demo', '--seconds', 'soon');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--seconds: .*\(got 'soon'\)/);
    const unknown = run('frobnicate');
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
  });
});
