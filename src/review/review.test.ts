// A small stage-gate review end to end, with real components: two random-init tiny model versions registered, one
// cell (nurse-call on kara6) x 2 episodes x {train, held-out} phrasings in the simulator behind the real safety shield,
// latency on libtorch, lineage read for data breadth, the baseline compared. The report files are written and
// self-contained, every input is named, the registered versions are untouched, and the same review run twice gives
// identical numbers. Then the HTML is rendered by headless Chromium (when installed) to a PNG that is not blank.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { openVersion, registerVersion, promote } from '../registry/registry.ts';
import { contentHash, fileEntries } from '../registry/manifest.ts';
import { runReview, reproducibleView, type Review } from './run.ts';
import { tinyGate, writeGate, writeTinyVersion } from './testing.ts';
import { chromiumPath, screenshot } from './screenshot.ts';

const tmp = mkdtempSync(join(tmpdir(), 'karakuri-review-'));
const root = join(tmp, 'registry');
let gateFile: string;
let first: Review, second: Review;
afterAll(() => { execFileSync('chmod', ['-R', 'u+w', tmp]); rmSync(tmp, { recursive: true, force: true }); });

beforeAll(async () => {
  const ds = join(tmp, 'data', 'care-kara6');
  mkdirSync(join(ds, 'meta'), { recursive: true });
  writeFileSync(join(ds, 'meta', 'info.json'), JSON.stringify({ robot_type: 'kara6', karakuri: { contributor: 'acme-robotics', sectors: 'care,restaurant', embodiment: 'kara6' } }));
  const lineage = { datasets: [{ dir: ds, robotType: 'kara6', contentHash: 'a'.repeat(64) }, { dir: join(tmp, 'data', 'gone'), robotType: 'kara7', contentHash: 'b'.repeat(64) }] };
  registerVersion(root, writeTinyVersion(join(tmp, 'runs', 'v0'), 2, lineage), { year: 'fy2026' });
  registerVersion(root, writeTinyVersion(join(tmp, 'runs', 'v1'), 1, lineage), { year: 'fy2026' });
  gateFile = writeGate(join(tmp, 'test-gate.yaml'), tinyGate());
  const run = (out: string) => runReview({ model: 'fy2026.2', baseline: 'fy2026.1', gate: gateFile, registry: root, out: join(tmp, out), maxSteps: 25, workers: 1, envsPerWorker: 2 });
  first = await run('review-1');
  second = await run('review-2');
}, 180_000);

describe('karakuri review (small)', () => {
  it('decides every milestone from real rollouts, latency, shield counts and lineage', () => {
    const r = first;
    expect(r.cells.map((c) => `${c.task}/${c.embodiment}/${c.phrasing} ${c.episodes}`)).toEqual(['nurse-call/kara6/train 2', 'nurse-call/kara6/heldout 2']);
    expect(r.baselineCells!.map((c) => `${c.phrasing} ${c.episodes}`)).toEqual(['train 2']);
    expect(r.decision.milestones.map((m) => m.id)).toEqual(['meanSuccess', 'sectorFloors.care', 'embodimentFloors.kara6', 'heldoutGap', 'roomError', 'latencyP99', 'shieldInterventions',
      'dataBreadth.contributors', 'dataBreadth.embodiments', 'dataBreadth.sectors']);
    // a random-init model does not press the button in 25 steps: NO-GO, and the report says why
    expect(r.decision.overall).toBe('NO-GO');
    expect(r.decision.milestones.find((m) => m.id === 'meanSuccess')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^0\/2 episodes/) });
    // every step of both phrasings went through the shield: 2 phrasings x 2 episodes x 25 steps
    expect(r.shield!.actions).toBe(100);
    expect(r.shield!.intervened).toBeGreaterThan(0); // random 3 cm steps exceed the 12.5 mm/step speed limit
    expect(r.shield!.reasons.speed).toBeGreaterThan(0);
    expect(r.decision.milestones.find((m) => m.id === 'shieldInterventions')!.value).toBeCloseTo(10 * r.shield!.intervened, 10);
    expect(r.latency!.samplesMs).toHaveLength(40);
    expect(r.latency!.threads).toBe(1);
    const room = r.decision.milestones.find((m) => m.id === 'roomError')!;
    expect(room.value).toBeGreaterThan(0);
    // breadth: the provenance's contributor, and the dataset that is gone counted as a source by its hash
    expect(r.breadth.contributors).toEqual(['acme-robotics', `source ${'b'.repeat(12)}`]);
    expect(r.breadth.embodiments).toEqual(['kara6', 'kara7']);
    expect(r.breadth.sectors).toEqual(['care', 'restaurant']);
    expect(r.breadth.notes.join()).toMatch(/gone is not on disk/);
    expect(r.comparison!.tasks.map((t) => t.task)).toEqual(['nurse-call']);
    expect(r.official).toBe(false);
    expect(r.unofficial).toEqual(['the suite was overridden (maxSteps=25)']);
    expect(r.inputs.overrides).toEqual({ maxSteps: 25 });
  });

  it('names every input: model and baseline content hashes, the milestones file sha256, seeds, code commit', () => {
    const i = first.inputs;
    expect(i.model).toMatchObject({ ref: 'fy2026.2', name: 'fy2026.2', registered: true, contentHash: openVersion(root, 'fy2026.2').manifest.contentHash });
    expect(i.baseline!.contentHash).toBe(contentHash(fileEntries(join(tmp, 'runs', 'v0'))));
    expect(i.gate.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(i.suite.seeds).toEqual([100000, 100001]);
    expect(i.code.commit ?? i.code.note).toBeTruthy();
    expect(Object.keys(i.shield!)).toEqual(['kara6']);
    const md = readFileSync(join(tmp, 'review-1', 'review.md'), 'utf8');
    for (const s of [i.model.contentHash, i.baseline!.contentHash, i.gate.sha256, 'seeds 100000..100001', i.code.commit ?? '']) expect(md).toContain(s);
  });

  it('the same review twice gives identical numbers', () => {
    expect(reproducibleView(second)).toEqual(reproducibleView(first));
    expect(second.createdAt).not.toBe(first.createdAt); // it really ran again
  });

  it('writes review.json / .md / .html; the HTML opens offline (inline SVG, no external references); the versions stay intact', () => {
    const out = join(tmp, 'review-1');
    const json = JSON.parse(readFileSync(join(out, 'review.json'), 'utf8'));
    expect(json.decision.overall).toBe('NO-GO');
    const html = readFileSync(join(out, 'review.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('Executive summary');
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(4);
    expect(html.replaceAll('xmlns="http://www.w3.org/2000/svg"', '')).not.toMatch(/<script|<link|<img|<iframe|src=|href=|url\(|https?:\/\//);
    const md = readFileSync(join(out, 'review.md'), 'utf8');
    expect(md).toMatch(/^# Stage-gate review: fy2026\.2 at test-gate — NO-GO/);
    expect(md).toMatch(/- Failed:\n {2}- mean success over the suite: lower bound 0\.0% against a floor of 75\.0% \(short by 75\.0 pts; point estimate 0\.0%\)/);
    expect(existsSync(join(out, 'eval-train', 'report.html'))).toBe(true);
    // nothing was written into the registered versions (their manifests verify; the card has no evaluation)
    for (const v of ['fy2026.1', 'fy2026.2']) expect(readFileSync(join(openVersion(root, v).dir, 'MODEL_CARD.md'), 'utf8')).toContain('Not evaluated yet.');
    // a promotion resting on this review is refused: NO-GO, and not official (the time limit was overridden)
    expect(() => promote(root, 'fy2026.2', 'test-gate', { why: 'passed', review: join(out, 'review.json') })).toThrow(/does not support promoting to test-gate: it is not an official review \(the suite was overridden \(maxSteps=25\)\); its decision is NO-GO/);
    expect(() => promote(root, 'fy2026.1', 'test-gate', { why: 'passed', review: join(out, 'review.json') })).toThrow(/it reviewed content \w+, not this version's/);
    // an official GO review of this content is accepted and its sha256 recorded (a consistency check for audit, not a
    // signature: here the GO is edited in)
    const forged = { ...json, official: true, unofficial: [], decision: { ...json.decision, overall: 'GO' } };
    writeFileSync(join(tmp, 'forged.json'), JSON.stringify(forged));
    expect(promote(root, 'fy2026.2', 'test-gate', { why: 'test', review: join(tmp, 'forged.json') }).review).toMatchObject({ decision: 'GO', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('a suite arm the model was not trained on is not run: its cells count as failed episodes, named', async () => {
    const g = tinyGate({ tasks: ['hand-over'], embodiments: ['kara6', 'widowx250'], episodesPerCell: 1, phrasings: ['train'] });
    const { heldoutGap: _h, ...milestones } = g.milestones;
    const file = writeGate(join(tmp, 'arms.yaml'), { ...g, milestones: { ...milestones, embodimentFloors: { kara6: { min: 0.5 }, widowx250: { min: 0.5 } } } });
    const r = await runReview({ model: 'fy2026.2', gate: file, registry: root, out: join(tmp, 'review-arms'), maxSteps: 5, latencyIterations: 5, workers: 1 });
    expect(r.cells.map((c) => [c.embodiment, c.episodes, c.notRun ?? null])).toEqual([
      ['kara6', 1, null], ['widowx250', 1, 'not run: fy2026.2 has no normalization statistics for widowx250 (it knows kara6, kara7); counted as 1 failed episodes']]);
    expect(r.decision.milestones.find((m) => m.id === 'embodimentFloors.widowx250')!.detail).toMatch(/^0\/1 episodes \(1 cell not run, counted as failed: widowx250 unknown to the model\)/);
    expect(r.shield!.actions).toBe(5);
  }, 60_000);

  it('headless Chromium renders the report to a non-blank PNG', async (ctx) => {
    if (!chromiumPath()) { console.warn('skipped: chromium is not installed (apt-get install -y chromium)'); ctx.skip(); return; }
    const png = await screenshot(join(tmp, 'review-1', 'review.html'), join(tmp, 'review-1', 'review.png'), [1200, 1600]);
    const img = PNG.sync.read(readFileSync(png));
    expect([img.width, img.height]).toEqual([1200, 1600]);
    const colours = new Set<number>();
    let dark = 0;
    for (let i = 0; i < img.data.length; i += 4 * 7) {
      const [r, g, b] = [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!];
      colours.add((r << 16) | (g << 8) | b);
      if (r + g + b < 200) dark++;
    }
    expect(colours.size).toBeGreaterThan(20); // text, the NO-GO badge, table row colours, chart bars
    expect(dark).toBeGreaterThan(1000);       // text was drawn
    // the NO-GO badge's red is there
    let red = 0;
    for (let i = 0; i < img.data.length; i += 4) if (img.data[i]! > 190 && img.data[i + 1]! < 60 && img.data[i + 2]! < 70) red++;
    expect(red).toBeGreaterThan(500);
  }, 60_000);
});
