// Recipes: the schema names bad fields (budget, seeds that overlap training or evaluation, unknown tasks, train
// fields), and a tiny recipe runs end to end, then runs again reusing its complete datasets (demonstrations, DART,
// wander data) and finished training, while a folder that holds something else is refused rather than overwritten.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRecipe, parseRecipe, runRecipe, type RecipeInput } from './recipe.ts';

const tiny = (out: string): RecipeInput => ({
  name: 'tiny', out,
  collect: { tasks: ['nurse-call'], embodiments: ['kara6'], episodes: 1, size: 64 },
  train: {
    model: { dim: 32, heads: 2, layers: 1, text: { maxTokens: 12, layers: 1 }, vision: { channels: [8, 16], stemStride: 4, tokensPerImage: 4, imageSize: [64, 64], groups: 4, keypoints: 4 } },
    batchSize: 2, steps: 2, checkpointEvery: 1,
  },
  eval: { episodes: 1, heldoutEpisodes: 1, videos: 0 },
});

describe('recipe', () => {
  it('every repo recipe validates; bad fields are named with their path', () => {
    const dir = new URL('../../recipes/', import.meta.url).pathname;
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files).toEqual(expect.arrayContaining(['vla-v1.json', 'vla-v4.json', 'vla-v9.json']));
    for (const f of files) {
      const r = loadRecipe(join(dir, f));
      expect(r.collect.episodes).toBeLessThanOrEqual(100);
      expect(r.collect.embodiments).toEqual(['kara6', 'kara7']);
    }
    const base = tiny('/tmp/x');
    expect(() => parseRecipe({ ...base, collect: { ...base.collect, episodes: 101 } })).toThrow(/collect\.episodes/);
    expect(() => parseRecipe({ ...base, collect: { ...base.collect, tasks: ['make-coffee'] } })).toThrow(/collect\.tasks\.0: unknown task 'make-coffee'/);
    expect(() => parseRecipe({ ...base, eval: { ...base.eval, seedStart: 0 } })).toThrow(/eval\.seedStart: must be above the training seeds \(0\.\.0\)/);
    expect(() => parseRecipe({ ...base, train: { ...base.train, warmupSteps: 5 } })).toThrow(/train\.warmupSteps: must not exceed steps/);
    expect(() => parseRecipe({ ...base, train: { ...base.train, datasets: [] } })).toThrow(/train.*datasets/);
    expect(() => parseRecipe({ ...base, extra: 1 })).toThrow(/extra/);
    expect(() => parseRecipe({ ...base, collect: { ...base.collect, reuse: ['/tmp/y', '/tmp/x/'] } })).toThrow(/collect\.reuse\.1: '\/tmp\/x\/' is this recipe's own out folder/);
  });

  it('runs end to end, reuses what is complete on a second run, and refuses a folder holding something else', async () => {
    const out = mkdtempSync(join(tmpdir(), 'recipe-'));
    const lines: string[] = [];
    const r = await runRecipe(parseRecipe(tiny(out)), { log: (l) => lines.push(l) });
    expect(r.rows.map((x) => x.task)).toEqual(['nurse-call']);
    expect(r.rows[0]!.perArm.kara6!.n).toBe(1);
    expect(r.rows[0]!.heldout!.n).toBe(1);
    expect(existsSync(join(out, 'eval-heldout', 'results.json'))).toBe(true);
    const md = readFileSync(join(out, 'results.md'), 'utf8');
    expect(md).toMatch(/\| nurse-call \| care \| [01]\/1 \([0-9]+%\) \|/);
    expect(md).toMatch(/held-out phrasings/);
    expect(md).toMatch(/Expert episodes per task and arm: at most 1\. This run took \d+ min: recording \d+, training \d+, evaluation \d+/);
    expect(r.seconds).toBeGreaterThanOrEqual(r.collectSeconds + r.trainSeconds + r.evalSeconds - 1);
    const model = readFileSync(join(r.model, 'weights.safetensors'));

    const again = await runRecipe(parseRecipe(tiny(out)), { log: (l) => lines.push(l) });
    expect(lines.some((l) => /kara6: 1 episodes already recorded/.test(l))).toBe(true);
    expect(readFileSync(join(again.model, 'weights.safetensors')).equals(model)).toBe(true); // the finished run, not a new one

    // the same folder asked for another camera size: its dataset is not silently reused
    const bigger = tiny(out);
    await expect(runRecipe(parseRecipe({ ...bigger, collect: { ...bigger.collect, size: 96 } }))).rejects.toThrow(/data\/kara6 holds an incomplete or different dataset/);
    // ... nor when asked for perturbed (DART) demonstrations
    await expect(runRecipe(parseRecipe({ ...bigger, collect: { ...bigger.collect, actionNoise: 0.004 } }))).rejects.toThrow(/data\/kara6 holds an incomplete or different dataset/);
    await expect(runRecipe(parseRecipe({ ...bigger, collect: { ...bigger.collect, jolts: { rate: 0.05, min: 0.01, max: 0.03 } } }))).rejects.toThrow(/data\/kara6 holds an incomplete or different dataset/);
    expect(() => parseRecipe({ ...bigger, collect: { ...bigger.collect, jolts: { rate: 0.05, min: 0.03, max: 0.01 } } })).toThrow(/collect\.jolts: min must not exceed max/);
    await expect(runRecipe(parseRecipe({ ...bigger, collect: { ...bigger.collect, onlySuccess: true } }))).rejects.toThrow(/data\/kara6 holds an incomplete or different dataset/);

    const other = mkdtempSync(join(tmpdir(), 'recipe-'));
    mkdirSync(join(other, 'data', 'kara6'), { recursive: true });
    writeFileSync(join(other, 'data', 'kara6', 'notes.txt'), 'my own data');
    await expect(runRecipe(parseRecipe(tiny(other)))).rejects.toThrow(/data\/kara6 holds an incomplete or different dataset/);
    expect(readFileSync(join(other, 'data', 'kara6', 'notes.txt'), 'utf8')).toBe('my own data');
  }, 180_000);

  it('perturbed (DART) demonstrations kept only when they succeed: recorded with that provenance, then reused as complete', async () => {
    const out = mkdtempSync(join(tmpdir(), 'recipe-dart-'));
    const base = tiny(out), lines: string[] = [];
    const dart = parseRecipe({ ...base, collect: { ...base.collect, actionNoise: 0.004, onlySuccess: true }, eval: { ...base.eval, heldoutEpisodes: 0 } });
    await runRecipe(dart, { log: (l) => lines.push(l) });
    const info = JSON.parse(readFileSync(join(out, 'data', 'kara6', 'meta', 'info.json'), 'utf8')) as { total_episodes: number; karakuri: Record<string, string> };
    expect(info.karakuri).toMatchObject({ actionNoise: '0.004', onlySuccess: 'true', seedsPerTask: '1' });
    expect(info.total_episodes).toBeLessThanOrEqual(1);
    await runRecipe(dart, { log: (l) => lines.push(l) });
    // the episodes kept, and of how many seeds when some failed
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`kara6: ${info.total_episodes} episodes already recorded in \\S+${info.total_episodes < 1 ? ' \\(the successful ones of 1 seeds\\)' : ''}, reused`)));
  }, 180_000);

  it('wander data for the room head: recorded beside the demonstrations on seeds of its own, drawn by weight, reused', async () => {
    const base = tiny('/tmp/x');
    const withWander = (out: string, wander: object) => ({ ...base, out, collect: { ...base.collect, wander }, eval: { ...base.eval, heldoutEpisodes: 0 } });
    expect(() => parseRecipe(withWander('/tmp/x', { episodes: 5, seedStart: 99_998 }))).toThrow(/collect\.wander\.seedStart: wander seeds 99998\.\.100002 overlap the evaluation seeds \(100000\.\.100000\)/);
    expect(() => parseRecipe(withWander('/tmp/x', { episodes: 1, weight: 1 }))).toThrow(/collect\.wander\.weight/);
    const out = mkdtempSync(join(tmpdir(), 'recipe-wander-'));
    const r = parseRecipe(withWander(out, { episodes: 2, steps: 5, weight: 0.25 }));
    const lines: string[] = [];
    const res = await runRecipe(r, { log: (l) => lines.push(l) });
    expect(res.datasets).toEqual([join(out, 'data', 'kara6'), join(out, 'data', 'kara6-wander')]);
    const info = JSON.parse(readFileSync(join(out, 'data', 'kara6-wander', 'meta', 'info.json'), 'utf8')) as { total_episodes: number; total_frames: number; karakuri: Record<string, string> };
    expect(info).toMatchObject({ total_episodes: 2, total_frames: 10, karakuri: { policy: 'wander', wanderSteps: '5' } });
    const lineage = JSON.parse(readFileSync(join(res.model, 'lineage.json'), 'utf8')) as { data: { weights: number[]; uses: string[] } };
    expect(lineage.data.uses).toEqual(['all', 'room']);
    expect(lineage.data.weights[0]).toBeCloseTo(0.75);
    expect(lineage.data.weights[1]).toBeCloseTo(0.25);
    await runRecipe(r, { log: (l) => lines.push(l) });
    expect(lines).toContainEqual(expect.stringMatching(/kara6 wander: 2 episodes already recorded/));
    // other wander steps: that dataset is not reused
    await expect(runRecipe(parseRecipe(withWander(out, { episodes: 2, steps: 6, weight: 0.25 })))).rejects.toThrow(/data\/kara6-wander holds an incomplete or different dataset \(want 2 wander episodes/);
  }, 180_000);

  it("expert takeovers of a model version's episodes: recorded to data/<arm>-takeover, trained on as demonstrations, reused, said in the table", async () => {
    const base = tiny('/tmp/x');
    const withTakeover = (out: string, takeover: object) => ({ ...base, out, collect: { ...base.collect, takeover }, eval: { ...base.eval, heldoutEpisodes: 0 } });
    expect(() => parseRecipe(withTakeover('/tmp/x', { model: 'm', episodes: 5, seedStart: 99_998 }))).toThrow(/collect\.takeover\.seedStart: takeover seeds 99998\.\.100002 overlap the evaluation seeds \(100000\.\.100000\)/);
    expect(() => parseRecipe(withTakeover('/tmp/x', { model: 'm', episodes: 1, handover: [9, 4] }))).toThrow(/collect\.takeover\.handover: the handover range \[lo, hi\] needs lo <= hi/);
    expect(parseRecipe(withTakeover('/tmp/x', { model: 'm', episodes: 1 })).collect.takeover).toEqual([{ model: 'm', episodes: 1, seedStart: 2_000_000, handover: [10, 60] }]);
    expect(() => parseRecipe(withTakeover('/tmp/x', [{ model: 'm', episodes: 1 }, { model: 'n', episodes: 3, seedStart: 99_999 }]))).toThrow(/collect\.takeover\.1\.seedStart: takeover seeds 99999\.\.100001 overlap the evaluation seeds/);
    expect(() => parseRecipe(withTakeover('/tmp/x', []))).toThrow(/collect\.takeover/);
    // a first model, then a recipe whose takeovers it drives
    const first = mkdtempSync(join(tmpdir(), 'recipe-tk0-'));
    const parent = await runRecipe(parseRecipe({ ...tiny(first), eval: { episodes: 1, heldoutEpisodes: 0, videos: 0 } }));
    const out = mkdtempSync(join(tmpdir(), 'recipe-tk-'));
    const r = parseRecipe(withTakeover(out, { model: parent.model, episodes: 2, handover: [4, 8] }));
    const lines: string[] = [];
    const res = await runRecipe(r, { log: (l) => lines.push(l) });
    expect(res.datasets).toEqual([join(out, 'data', 'kara6'), join(out, 'data', 'kara6-takeover')]);
    const info = JSON.parse(readFileSync(join(out, 'data', 'kara6-takeover', 'meta', 'info.json'), 'utf8')) as { total_episodes: number; karakuri: Record<string, string> };
    expect(info.karakuri).toMatchObject({ policy: 'takeover', takeoverModel: parent.model, handover: '4,8', seedsPerTask: '2' });
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`kara6 takeover: ${info.total_episodes} expert takeovers recorded of 2 seeds`)));
    const lineage = JSON.parse(readFileSync(join(res.model, 'lineage.json'), 'utf8')) as { data: { uses: string[] } };
    expect(lineage.data.uses).toEqual(['all', 'all']); // the expert's actions: demonstrations
    expect(readFileSync(join(out, 'results.md'), 'utf8')).toContain(`and expert takeovers of 2 more seeds per task and arm from the policy of ${parent.model}`);
    await runRecipe(r, { log: (l) => lines.push(l) });
    expect(lines).toContainEqual(expect.stringMatching(/kara6 takeover: \d+ episodes already recorded/));
    // another handover range: that recording is not reused
    await expect(runRecipe(parseRecipe(withTakeover(out, { model: parent.model, episodes: 2, handover: [5, 8] })))).rejects.toThrow(/data\/kara6-takeover holds an incomplete or different dataset/);
    // DAgger's second round: the first round reused, the second driven by the model the first round trained, both trained on
    // (a fresh out folder, as a new model version needs, that reuses the first recipe's recordings where they lie)
    const out2 = mkdtempSync(join(tmpdir(), 'recipe-tk2-'));
    const round2 = { model: res.model, episodes: 2, seedStart: 2_000_100, handover: [4, 8] };
    const lines2: string[] = [];
    const two = withTakeover(out2, [{ model: parent.model, episodes: 2, handover: [4, 8] }, round2]);
    const res2 = await runRecipe(parseRecipe({ ...two, collect: { ...two.collect, reuse: [out] } }), { log: (l) => lines2.push(l) });
    expect(res2.datasets).toEqual([join(out, 'data', 'kara6'), join(out, 'data', 'kara6-takeover'), join(out2, 'data', 'kara6-takeover-2')]);
    expect(readdirSync(join(out2, 'data'))).toEqual(['kara6-takeover-2']);
    expect(lines2).toContainEqual(expect.stringMatching(new RegExp(`kara6 takeover: \\d+ episodes already recorded in ${join(out, 'data', 'kara6-takeover')}`)));
    expect(lines2).toContainEqual(expect.stringMatching(/kara6 takeover-2: \d+ expert takeovers recorded of 2 seeds/));
    const info2 = JSON.parse(readFileSync(join(out2, 'data', 'kara6-takeover-2', 'meta', 'info.json'), 'utf8')) as { karakuri: Record<string, string> };
    expect(info2.karakuri).toMatchObject({ policy: 'takeover', takeoverModel: res.model, handover: '4,8' });
    expect(readFileSync(join(out2, 'results.md'), 'utf8')).toContain('Expert episodes per task and arm: at most 5 (1 demonstration seeds and 2 + 2 takeover seeds)');
    expect(readFileSync(join(out2, 'results.md'), 'utf8')).toContain(`and 2 rounds of expert takeovers (round 1: 2 more seeds per task and arm from the policy of ${parent.model}; round 2: 2 more seeds per task and arm from the policy of ${res.model}`);
  }, 360_000);
});
