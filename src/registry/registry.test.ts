// The registry on real files: register copies a version directory as fy2026.1, .2 (read-only, manifest of sha256s);
// opening it verifies every file, and a byte altered, a file deleted or added, or an edited manifest is refused with
// the file named; promotions append to a history with who / when / why; eval never writes into a registered version.
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listVersions, openVersion, promote, promotions, inServiceAll, registerVersion, resolveModel, fiscalYear } from './registry.ts';
import { contentHash, fileEntries, MANIFEST, verifyVersion } from './manifest.ts';
import { addEvaluationToCard } from '../train/card-evaluations.ts';
import { runEval } from '../eval/run.ts';

const tmp = mkdtempSync(join(tmpdir(), 'karakuri-registry-'));
afterAll(() => { chmodTree(tmp); rmSync(tmp, { recursive: true, force: true }); });

/** Makes a tree writable again (registered versions are read-only). */
function chmodTree(dir: string): void {
  if (!existsSync(dir)) return;
  chmodSync(dir, 0o755);
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, f.name);
    if (f.isDirectory()) chmodTree(p); else chmodSync(p, 0o644);
  }
}

/** A version directory with the six files (contents need not be a real model for the registry). */
function fakeVersion(dir: string, tag: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'weights.safetensors'), Buffer.from(`weights ${tag} `.repeat(100)));
  for (const f of ['config.json', 'normalization.json', 'tokenizer.json', 'lineage.json']) writeFileSync(join(dir, f), JSON.stringify({ file: f, tag }));
  writeFileSync(join(dir, 'MODEL_CARD.md'), `# Model card: ${tag}\n\n## Evaluation\n\nNot evaluated yet.\n\n## Limits\n\n- none\n`);
  writeFileSync(join(dir, 'loss.png'), Buffer.from([137, 80, 78, 71, 1, 2, 3]));
  return dir;
}

/** Runs fn on a writable copy of the version's permissions (as a non-root user would have to), then restores them. */
function tamper(dir: string, fn: () => void): void {
  chmodTree(dir);
  fn();
}

describe('registry', () => {
  const root = join(tmp, 'reg');

  it('registers versions as fy2026.1, fy2026.2: a copy with a manifest of every file, read-only', () => {
    const a = registerVersion(root, fakeVersion(join(tmp, 'run-a'), 'a'), { year: 'fy2026', by: 'lead', note: 'first' });
    const b = registerVersion(root, fakeVersion(join(tmp, 'run-b'), 'b'), { year: 'fy2026', by: 'lead' });
    expect([a.name, b.name]).toEqual(['fy2026.1', 'fy2026.2']);
    expect(a.manifest.files.map((f) => f.path)).toEqual(['MODEL_CARD.md', 'config.json', 'lineage.json', 'loss.png', 'normalization.json', 'tokenizer.json', 'weights.safetensors']);
    expect(a.manifest.contentHash).toBe(contentHash(fileEntries(join(tmp, 'run-a')))); // the content, wherever it lies
    expect(a.manifest.contentHash).not.toBe(b.manifest.contentHash);
    expect(readFileSync(join(a.dir, 'weights.safetensors'))).toEqual(readFileSync(join(tmp, 'run-a', 'weights.safetensors')));
    for (const f of [...a.manifest.files.map((x) => x.path), MANIFEST]) expect(statSync(join(a.dir, f)).mode & 0o777).toBe(0o444);
    expect(statSync(a.dir).mode & 0o777).toBe(0o555);
    expect(openVersion(root, 'fy2026.1').manifest.note).toBe('first');
    expect(listVersions(root).map((v) => [v.name, v.problem])).toEqual([['fy2026.1', null], ['fy2026.2', null]]);
    // another year starts at .1; an incomplete directory is refused naming what it lacks
    expect(registerVersion(root, join(tmp, 'run-a'), { year: 'fy2027' }).name).toBe('fy2027.1');
    unlinkSync(join(tmp, 'run-b', 'lineage.json'));
    expect(() => registerVersion(root, join(tmp, 'run-b'), { year: 'fy2026' })).toThrow(/missing lineage\.json/);
    expect(() => openVersion(root, 'fy2026.9')).toThrow(/no model version 'fy2026.9'.*it has: fy2026.1, fy2026.2, fy2027.1/);
    expect(fiscalYear(new Date('2027-02-10T00:00:00Z'))).toBe('fy2026');
    expect(fiscalYear(new Date('2026-04-01T00:00:00Z'))).toBe('fy2026');
  });

  it('refuses an altered byte, a deleted file, an added file and an edited manifest, naming the file', () => {
    const name = registerVersion(root, join(tmp, 'run-a'), { year: 'fy2030' }).name, dir = openVersion(root, name).dir;
    tamper(dir, () => { const p = join(dir, 'weights.safetensors'), b = readFileSync(p); b[17] ^= 1; writeFileSync(p, b); });
    expect(() => openVersion(root, name)).toThrow(/refused: altered file weights\.safetensors/);
    expect(listVersions(root).find((v) => v.name === name)!.problem).toMatch(/altered file weights\.safetensors/);
    tamper(dir, () => { const p = join(dir, 'weights.safetensors'), b = readFileSync(p); b[17] ^= 1; writeFileSync(p, b); }); // undo
    expect(openVersion(root, name).name).toBe(name);
    tamper(dir, () => unlinkSync(join(dir, 'tokenizer.json')));
    expect(() => openVersion(root, name)).toThrow(/missing file tokenizer\.json/);
    tamper(dir, () => writeFileSync(join(dir, 'tokenizer.json'), readFileSync(join(tmp, 'run-a', 'tokenizer.json'))));
    tamper(dir, () => { mkdirSync(join(dir, 'extra')); writeFileSync(join(dir, 'extra', 'notes.txt'), 'x'); });
    expect(() => openVersion(root, name)).toThrow(/extra file extra\/notes\.txt \(not in the manifest\)/);
    tamper(dir, () => rmSync(join(dir, 'extra'), { recursive: true }));
    expect(verifyVersion(dir).name).toBe(name);
    // a manifest edited to hide a change: its own content hash no longer matches its list
    tamper(dir, () => {
      writeFileSync(join(dir, 'config.json'), '{"file":"config.json","tag":"evil"}');
      const m = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8'));
      const e = m.files.find((f: { path: string }) => f.path === 'config.json');
      e.bytes = statSync(join(dir, 'config.json')).size;
      e.sha256 = fileEntries(dir).find((f) => f.path === 'config.json')!.sha256;
      writeFileSync(join(dir, MANIFEST), JSON.stringify(m));
    });
    expect(() => openVersion(root, name)).toThrow(/MANIFEST\.json: its content hash does not match its file list/);
    // resolveModel verifies a registered directory given by path too
    expect(() => resolveModel(dir, root)).toThrow(/refused/);
  });

  it('promotes a verified version for a gate; the history is append-only JSONL with who, when, why and the previous one', () => {
    const p1 = promote(root, 'fy2026.1', 'fy2026', { why: 'review out/review-1 GO', by: 'committee' });
    const p2 = promote(root, 'fy2026.2', 'fy2026', { why: 'review out/review-2 GO', by: 'committee' });
    expect(p1.previous).toBeNull();
    expect(p2.previous).toBe('fy2026.1');
    expect(p2.contentHash).toBe(openVersion(root, 'fy2026.2').manifest.contentHash);
    expect(promotions(root).map((p) => [p.version, p.gate, p.by, p.why])).toEqual([['fy2026.1', 'fy2026', 'committee', 'review out/review-1 GO'], ['fy2026.2', 'fy2026', 'committee', 'review out/review-2 GO']]);
    expect(inServiceAll(root).fy2026!.version).toBe('fy2026.2');
    expect(listVersions(root).find((v) => v.name === 'fy2026.2')!.inService).toEqual(['fy2026']);
    expect(() => promote(root, 'fy2026.1', 'fy2026', { why: ' ' })).toThrow(/say why/);
    expect(() => promote(root, 'fy2030.1', 'fy2026', { why: 'x' })).toThrow(/refused/); // the tampered one
    appendFileSync(join(root, 'promotions.jsonl'), '{"at":1}\n');
    expect(() => promotions(root)).toThrow(/promotions\.jsonl line 3: invalid promotion: at:/);
  });

  it('an unregistered directory gets the same content hash, a missing file is refused', () => {
    const dir = fakeVersion(join(tmp, 'run-c'), 'c');
    const r = resolveModel(dir, root);
    expect(r.registered).toBe(false);
    expect(r.contentHash).toBe(contentHash(fileEntries(dir)));
    unlinkSync(join(dir, 'weights.safetensors'));
    expect(() => resolveModel(dir, root)).toThrow(/missing file weights\.safetensors/);
    expect(() => resolveModel('fy2031.4', root)).toThrow(/no model version 'fy2031.4'/);
  });

  it('eval never writes into a registered version: no card update, no report inside it', async () => {
    const v = openVersion(root, 'fy2026.1');
    expect(() => addEvaluationToCard(v.dir, { createdAt: 'now', phrasing: 'train', seedOffset: 100000, episodesPerCell: 1, chunk: 'x', cells: [] })).toThrow(/registered model version \(immutable\)/);
    await expect(runEval({ model: v.dir, episodes: 1, out: join(v.dir, 'eval') })).rejects.toThrow(/inside the registered model version/);
    expect(verifyVersion(v.dir).name).toBe('fy2026.1');
  });
});
