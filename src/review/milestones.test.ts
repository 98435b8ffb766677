// The milestones schema: gates/fy2026.yaml is valid with the programme's thresholds; bad files are refused with the
// key path and the problem named (unknown keys, wrong types, impossible thresholds, inconsistent suites, bad YAML).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { gatePath } from './run.ts';
import { loadGate, parseGate } from './milestones.ts';

const fy2026 = loadGate(gatePath('fy2026'));

const fy2026Text = readFileSync(fy2026.path, 'utf8');

/** The fy2026 document with one change at a path (undefined deletes the key). */
function variant(path: (string | number)[], value: unknown): string {
  const doc = YAML.parse(fy2026Text);
  let o = doc;
  for (const k of path.slice(0, -1)) o = o[k];
  if (value === undefined) delete o[path.at(-1)!]; else o[path.at(-1)!] = value;
  return YAML.stringify(doc);
}

describe('gates/fy2026.yaml', () => {
  it('parses with the programme thresholds and defaults', () => {
    const g = fy2026.gate;
    expect(g.gate).toBe('fy2026');
    expect(g.milestones.meanSuccess).toEqual({ min: 0.75, rule: 'lower-bound' });
    expect(Object.keys(g.milestones.embodimentFloors)).toEqual(['kara6', 'kara7', 'widowx250']);
    expect(Object.keys(g.milestones.sectorFloors).sort()).toEqual(['care', 'food-factory', 'restaurant']);
    expect(g.milestones.latencyP99).toEqual({ maxMs: 50, rule: 'upper-bound' });
    expect(g.suite.seedStart).toBeGreaterThanOrEqual(100000);
    expect(g.suite.phrasings).toEqual(['train', 'heldout']);
    expect(g.comparison).toEqual({ test: 'fisher', alpha: 0.05, correction: 'holm', onRegression: 'conditional' });
    expect(fy2026.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('bad milestones files', () => {
  const bad: [string, string, RegExp][] = [
    ['an unknown key (typo)', variant(['milestones', 'meanSucess'], { min: 0.7 }), /milestones: Unrecognized key: "meanSucess"/],
    ['an unknown key inside a milestone', variant(['milestones', 'meanSuccess', 'minimum'], 0.7), /milestones\.meanSuccess: Unrecognized key: "minimum"/],
    ['a wrong type', variant(['suite', 'episodesPerCell'], 'fifty'), /suite\.episodesPerCell: .*number.*\(got "fifty"\)/],
    ['success 1.3', variant(['milestones', 'meanSuccess', 'min'], 1.3), /milestones\.meanSuccess\.min: min must be a rate in \[0, 1\] \(not a percentage\) \(got 1\.3\)/],
    ['a percentage as a floor', variant(['milestones', 'embodimentFloors', 'widowx250', 'min'], 60), /milestones\.embodimentFloors\.widowx250\.min: min must be a rate in \[0, 1\]/],
    ['a negative latency', variant(['milestones', 'latencyP99', 'maxMs'], -5), /milestones\.latencyP99\.maxMs: maxMs must be > 0 \(ms\) \(got -5\)/],
    ['a negative room error', variant(['milestones', 'roomError', 'maxCm'], 0), /milestones\.roomError\.maxCm: maxCm must be > 0/],
    ['a gap over 100 points', variant(['milestones', 'heldoutGap', 'maxPoints'], 150), /milestones\.heldoutGap\.maxPoints: maxPoints is in percentage points/],
    ['interventions over 1000 per 1000', variant(['milestones', 'shieldInterventions', 'maxPer1000'], 2000), /maxPer1000 counts per 1,000 actions/],
    ['fractional contributors', variant(['milestones', 'dataBreadth', 'minContributors'], 2.5), /milestones\.dataBreadth\.minContributors: minContributors must be a whole number/],
    ['more sectors than exist', variant(['milestones', 'dataBreadth', 'minSectors'], 4), /minSectors cannot exceed the 3 sectors/],
    ['training seeds', variant(['suite', 'seedStart'], 0), /suite\.seedStart: seedStart must be >= 100000: training collects from seed 0 up/],
    ['a lower-bound rule on a ceiling', variant(['milestones', 'latencyP99', 'rule'], 'lower-bound'), /milestones\.latencyP99\.rule: rule of a ceiling .* must be 'upper-bound' or 'point'/],
    ['an unknown rule on a floor', variant(['milestones', 'meanSuccess', 'rule'], 'median'), /milestones\.meanSuccess\.rule: rule of a floor \(min\) must be 'lower-bound' or 'point'/],
    ['an unknown sector', variant(['milestones', 'sectorFloors', 'hospital'], { min: 0.5 }), /milestones\.sectorFloors: Unrecognized key: "hospital"/],
    ['a floor for an arm the suite does not run', variant(['suite', 'embodiments'], ['kara6', 'kara7']), /milestones\.embodimentFloors\.widowx250: a floor for 'widowx250', which the suite does not run/],
    ['an unknown arm', variant(['suite', 'embodiments'], ['kara6', 'kara7', 'widowx250', 'ur5e']), /suite\.embodiments\.3: unknown embodiment 'ur5e'/],
    ['an unknown task', variant(['suite', 'tasks'], ['cup-on-tray', 'juggle']), /suite\.tasks\.1: unknown task 'juggle'/],
    ['a sector floor no task is in', variant(['suite', 'tasks'], ['cup-on-tray', 'nurse-call']), /milestones\.sectorFloors\.food-factory: a floor for sector 'food-factory', which none of the suite's tasks is in/],
    ['a gap without held-out phrasings', variant(['suite', 'phrasings'], ['train']), /milestones\.heldoutGap: needs 'heldout' in suite\.phrasings/],
    ['a missing threshold', variant(['milestones', 'meanSuccess'], undefined), /milestones\.meanSuccess: .*(required|expected object)/i],
    ['the wrong format', variant(['format'], 'karakuri-gate/9'), /format: format must be 'karakuri-gate\/1'/],
  ];
  it.each(bad)('%s', (_what, text, message) => {
    expect(() => parseGate(text, 'test.yaml')).toThrow(message);
    expect(() => parseGate(text, 'test.yaml')).toThrow(/^test\.yaml: invalid milestones file: /);
  });
  it('YAML syntax errors and duplicate keys are named with the file', () => {
    expect(() => parseGate('gate: [fy2026', 'broken.yaml')).toThrow(/^broken\.yaml: not valid YAML/);
    expect(() => parseGate('gate: a\ngate: b\n', 'dup.yaml')).toThrow(/^dup\.yaml: not valid YAML: .*unique/i);
    const dir = mkdtempSync(join(tmpdir(), 'gate-'));
    writeFileSync(join(dir, 'g.yaml'), variant(['milestones', 'meanSuccess', 'min'], 1.3));
    expect(() => loadGate(join(dir, 'g.yaml'))).toThrow(new RegExp(`^${join(dir, 'g.yaml')}: invalid milestones file: milestones\\.meanSuccess\\.min`));
    expect(() => loadGate(join(dir, 'none.yaml'))).toThrow(/cannot read it \(ENOENT\)/);
  });
});
