// Stats as LeRobot computes and merges them, checked against values worked out by hand (histogram edges and the
// in-bin interpolation of RunningQuantileStats written out), frame sampling as numpy gives it, and merges checked
// against the stats of the concatenated data. Bad inputs are refused with messages.
import { describe, expect, it } from 'vitest';
import { aggregateStats, featureStats, fromLeRobotStats, sampleIndices, toLeRobotStats, type FeatureStats } from './stats.ts';
import type { Feature } from './features.ts';

const f64: Feature = { dtype: 'float64', shape: [1] };
const close = (got: number[], want: number[], digits = 12) => { expect(got.length).toBe(want.length); got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, digits)); };

describe('featureStats', () => {
  it('computes min, max, mean, population std, count and histogram quantiles of a 1-D feature', () => {
    const s = featureStats(Float64Array.from([1, 2, 3, 4]), f64);
    expect(s).toMatchObject({ min: [1], max: [4], mean: [2.5], count: [4] });
    close(s.std, [Math.sqrt(1.25)]);
    // 5000 bins from 1 - 1e-10 to 4 + 1e-10: the values fall in bins 0, 1666, 3333 and 4999
    const lo = 1 - 1e-10, w = (4 + 1e-10 - lo) / 5000, e = (i: number) => i * w + lo;
    close(s.q01!, [lo]); // target 0.04 reached in bin 0: the first edge
    close(s.q10!, [lo]);
    close(s.q50!, [e(1666) + ((2 - 1) / 1) * w]); // target 2: one before bin 1666, one in it
    close(s.q90!, [e(4999) + ((3.6 - 3) / 1) * w]);
    close(s.q99!, [e(4999) + ((3.96 - 3) / 1) * w]);
  });

  it('works per dimension on row-major columns, and for ints and bools', () => {
    const s = featureStats(Float32Array.from([0, 10, 1, 20, 2, 30]), { dtype: 'float32', shape: [2] });
    expect(s).toMatchObject({ min: [0, 10], max: [2, 30], mean: [1, 20], count: [3] });
    close(s.std, [Math.sqrt(2 / 3), Math.sqrt(200 / 3)], 6);
    expect(featureStats(BigInt64Array.from([3n, 5n]), { dtype: 'int64', shape: [1] })).toMatchObject({ min: [3], max: [5], mean: [4], std: [1] });
    expect(featureStats(Uint8Array.from([1, 0, 0, 1]), { dtype: 'bool', shape: [1] })).toMatchObject({ mean: [0.5], std: [0.5] });
  });

  it('gives one-frame episodes the mean as every quantile, as LeRobot does', () => {
    expect(featureStats(Float64Array.from([7, -1]), { dtype: 'float64', shape: [2] })).toEqual({
      min: [7, -1], max: [7, -1], mean: [7, -1], std: [0, 0], count: [1], q01: [7, -1], q10: [7, -1], q50: [7, -1], q90: [7, -1], q99: [7, -1] });
  });

  it('samples frames as LeRobot does (numpy values)', () => {
    expect(sampleIndices(50)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    for (const [n, len, head, tail, sum] of [[393, 100, [0, 4, 8, 12, 16, 20], [384, 388, 392], 19600], [479, 102, [0, 5, 9, 14, 19, 24], [469, 473, 478], 24378],
      [1000, 177, [0, 6, 11, 17, 23, 28], [988, 993, 999], 88412], [20000, 1681, [0, 12, 24, 36, 48, 60], [19975, 19987, 19999], 16809159]] as const) {
      const s = sampleIndices(n);
      expect([s.length, s.slice(0, 6), s.slice(-3), s.reduce((a, b) => a + b, 0)]).toEqual([len, head, tail, sum]);
    }
  });

  it('computes image stats per channel over the pixels, divided by 255, counting frames', () => {
    const px = (c: number[]) => Uint8Array.from({ length: 12 }, (_, i) => c[i % 3]!);
    const s = featureStats([px([0, 255, 51]), px([255, 255, 102])], { dtype: 'video', shape: [2, 2, 3], names: ['height', 'width', 'channels'] });
    expect(s).toMatchObject({ min: [0, 1, 0.2], max: [1, 1, 0.4], count: [2] });
    close(s.mean, [0.5, 1, 0.3]);
    close(s.std, [0.5, 0, 0.1]);
    // channel 0: four 0s in the first bin, four 255s in the last; the first edge is 0 - 1e-10 in float32
    close([s.q50![0]!], [Math.fround(-1e-10) / 255]);
    const top = Math.fround(Math.fround(4999 * Math.fround(Math.fround(255 - Math.fround(-1e-10)) / 5000)) + Math.fround(-1e-10));
    close([s.q90![0]!], [(top + 0.8 * Math.fround(255 - top)) / 255]);
  });

  it('downsamples frames of 300 px or more by int(side / 150) as LeRobot does', () => {
    const w = 400, h = 300, f = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) f.fill(x % 2 === 0 && y % 2 === 0 ? 10 : 200, 3 * (y * w + x), 3 * (y * w + x) + 3);
    const s = featureStats([f, f, f], { dtype: 'image', shape: [h, w, 3] }); // every second pixel of every second row: all 10s
    expect(s).toMatchObject({ min: [10 / 255, 10 / 255, 10 / 255], max: [10 / 255, 10 / 255, 10 / 255], std: [0, 0, 0], count: [3] });
  });

  it('refuses inputs that do not fit the feature', () => {
    expect(() => featureStats(Float32Array.from([1, 2, 3]), { dtype: 'float32', shape: [2] })).toThrow(/3 values do not make whole frames of 2 \(shape \[2\]\)/);
    expect(() => featureStats(new Float32Array(0), { dtype: 'float32', shape: [2] })).toThrow(/do not make whole frames/);
    expect(() => featureStats([new Uint8Array(12)], { dtype: 'float32', shape: [2] })).toThrow(/a float32 feature needs a Column/);
    expect(() => featureStats(new Float32Array(12), { dtype: 'video', shape: [2, 2, 3] })).toThrow(/a\(n\) video feature needs one array per frame/);
    expect(() => featureStats([new Uint8Array(12), new Uint8Array(5)], { dtype: 'video', shape: [2, 2, 3] })).toThrow(/frame 1 has 5 values, expected 2x2x3/);
    expect(() => featureStats(new Float32Array(1), { dtype: 'string', shape: [1] })).toThrow(/string features have no stats/);
  });
});

describe('aggregateStats', () => {
  it('merges as LeRobot does: exact min, max, mean and std; count-weighted quantiles', () => {
    const a = featureStats(Float64Array.from([1, 2, 3, 4]), f64), b = featureStats(Float64Array.from([10, 20]), f64);
    const all = featureStats(Float64Array.from([1, 2, 3, 4, 10, 20]), f64);
    const m = aggregateStats([{ x: a, y: a }, { x: b }]);
    expect(m.x).toMatchObject({ min: [1], max: [20], count: [6] });
    close(m.x!.mean, all.mean);
    close(m.x!.std, all.std);
    for (const q of ['q01', 'q10', 'q50', 'q90', 'q99'] as const) close(m.x![q]!, [(4 * a[q]![0]! + 2 * b[q]![0]!) / 6]);
    expect(m.y).toEqual(a); // a feature only one episode has: its own stats
  });

  it('merges image stats per channel and keeps quantiles only when every entry has them', () => {
    const s = (mean: number, n: number, q?: number): FeatureStats => ({ min: [0, 0, 0], max: [1, 1, 1], mean: [mean, mean, mean], std: [0, 0, 0], count: [n], ...(q === undefined ? {} : { q50: [q, q, q] }) });
    const m = aggregateStats([{ img: s(0.2, 1, 0.1) }, { img: s(0.8, 3, 0.5) }]).img!;
    close(m.mean, [0.65, 0.65, 0.65]);
    close(m.std, [Math.sqrt((0.45 ** 2 * 1 + 0.15 ** 2 * 3) / 4)].flatMap((v) => [v, v, v]));
    close(m.q50!, [0.4, 0.4, 0.4]);
    expect(aggregateStats([{ img: s(0.2, 1, 0.1) }, { img: s(0.8, 3) }]).img!.q50).toBeUndefined();
  });

  it('refuses entries that do not fit together', () => {
    const a = featureStats(Float64Array.from([1, 2]), f64);
    expect(() => aggregateStats([{ x: a }, { x: { ...a, mean: [1, 2] } }])).toThrow(/x of entry 1 has mean of length 2, expected 1/);
    expect(() => aggregateStats([{ x: { ...a, count: [] } }])).toThrow(/x of entry 0 needs count \[n\]/);
    expect(() => aggregateStats([{ x: { ...a, count: [0] } }])).toThrow(/x has a total count of 0/);
  });
});

describe('LeRobot JSON layout', () => {
  it('nests image stats as [3, 1, 1] and reads any nesting back flat', () => {
    const img = featureStats([new Uint8Array(12).fill(51)], { dtype: 'video', shape: [2, 2, 3] });
    const num = featureStats(Float64Array.from([1, 2]), f64);
    const json = toLeRobotStats({ img, num }, { img: { dtype: 'video', shape: [2, 2, 3] }, num: f64 });
    expect(json.img!.mean).toEqual([[[0.2]], [[0.2]], [[0.2]]]);
    expect(json.img!.count).toEqual([1]);
    expect(json.num!.mean).toEqual([1.5]);
    expect(fromLeRobotStats(JSON.parse(JSON.stringify(json)))).toEqual({ img, num });
  });
});
