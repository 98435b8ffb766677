// The karakuri command as a user runs it: doctor, the demo job, and bad flags.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    const r = run('demo', '--seconds', '1.5', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/steps\/s/);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as { steps: number; finalLoss: number };
    expect(result.steps).toBeGreaterThan(10);
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

  it('bad flags and unknown commands fail with a message naming them', () => {
    const bad = run('demo', '--seconds', 'soon');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--seconds: .*\(got 'soon'\)/);
    const unknown = run('frobnicate');
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
  });
});
