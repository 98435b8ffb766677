// `karakuri models` and `karakuri review` through the real command line: register, list, promote, show; a tampered
// version and a bad milestones file are refused with the file / key named and a non-zero exit.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../../bin/karakuri.js');
function karakuri(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile('node', [BIN, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (e, out, err) => resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out, err }));
  });
}

describe('karakuri models / review (CLI)', () => {
  it('register, list, promote, show; a tampered version is flagged and refused; a bad gate file is named', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'karakuri-models-cli-'));
    const src = join(tmp, 'run');
    mkdirSync(src);
    for (const f of ['config.json', 'normalization.json', 'tokenizer.json']) writeFileSync(join(src, f), '{}');
    writeFileSync(join(src, 'lineage.json'), JSON.stringify({ datasets: [{ dir: '/data/x', robotType: 'kara6', contentHash: 'c'.repeat(64) }], git: { commit: 'abc', dirty: false }, seed: 3 }));
    writeFileSync(join(src, 'weights.safetensors'), 'w');
    writeFileSync(join(src, 'MODEL_CARD.md'), '# Model card: run\n');
    const env = { KARAKURI_REGISTRY: join(tmp, 'reg'), KARAKURI_USER: 'tester' };

    const reg = await karakuri(['models', 'register', src, '--year', 'fy2026', '--note', 'first build'], env);
    expect(reg.err).toBe('');
    expect(reg.out).toMatch(/^registered fy2026\.1: .*reg\/versions\/fy2026\.1\ncontent hash [0-9a-f]{64} \(6 files\)/);
    const pro = await karakuri(['models', 'promote', 'fy2026.1', '--gate', 'fy2026', '--why', 'review GO'], env);
    expect(pro.out).toMatch(/^fy2026\.1 is in service for fy2026; recorded .* by tester/);
    const list = await karakuri(['models', 'list'], env);
    expect(list.out).toMatch(/^fy2026\.1 +[0-9a-f]{16} .* in service: fy2026\n$/);
    const show = await karakuri(['models', 'show', 'fy2026.1', '--registry', join(tmp, 'reg')]);
    expect(show.out).toMatch(/verified: 6 files intact/);
    expect(show.out).toMatch(/dataset \/data\/x \(kara6\) c{16}/);
    expect(show.out).toMatch(/promotions:\n {2}\S+ fy2026 by tester: review GO/);

    // tamper with the registered weights: list flags it (exit 1), show and review refuse it naming the file
    const w = join(tmp, 'reg', 'versions', 'fy2026.1', 'weights.safetensors');
    chmodSync(w, 0o644);
    writeFileSync(w, 'W');
    const bad = await karakuri(['models', 'list'], env);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/TAMPERED[\s\S]*altered file weights\.safetensors/);
    const refused = await karakuri(['review', '--model', 'fy2026.1', '--gate', 'fy2026'], env);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/karakuri: model version fy2026\.1 .* is refused: altered file weights\.safetensors/);
    for (const cmd of [['eval', '--model', 'fy2026.1', '--episodes', '1', '--out', join(tmp, 'ev')], ['serve', '--model', 'fy2026.1', '--port', '0']]) {
      const r = await karakuri(cmd, env); // eval and serve load a registered version only after verifying it
      expect(r.code, cmd[0]).toBe(1);
      expect(r.err).toMatch(/is refused: altered file weights\.safetensors/);
    }

    // a milestones file with an impossible threshold: named by key path, before anything runs
    const gate = readFileSync(join(import.meta.dirname, '../../gates/fy2026.yaml'), 'utf8').replace('meanSuccess: { min: 0.75 }', 'meanSuccess: { min: 75 }');
    writeFileSync(join(tmp, 'bad.yaml'), gate);
    const badGate = await karakuri(['review', '--model', src, '--gate', join(tmp, 'bad.yaml')], env);
    expect(badGate.code).toBe(1);
    expect(badGate.err).toMatch(/bad\.yaml: invalid milestones file: milestones\.meanSuccess\.min: min must be a rate in \[0, 1\] \(not a percentage\) \(got 75\)/);
  }, 90_000);
});
