// Tests for the bar chart (bars.ts): PNG size and content, bar lengths following the values, every label and whisker
// in the SVG, the files written, and clear errors for bad input.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { barChartPng, barChartSize, barChartSvg, writeBarChart, type BarSpec } from './bars.ts';
import { PALETTE } from './chart.ts';

const spec: BarSpec = {
  title: 'success per cell', valueLabel: 'success rate', percent: true,
  bars: [
    { label: 'cup-on-tray / kara6', value: 0.8, lo: 0.6, hi: 0.92, group: 'kara6' },
    { label: 'cup-on-tray / kara7', value: 0.4, lo: 0.2, hi: 0.6, group: 'kara7' },
    { label: 'hand-over / kara6', value: 0.1, lo: 0.02, hi: 0.3, group: 'kara6' },
  ],
};

/** Pixels of colour c along pixel row y. */
function runOf(png: PNG, y: number, c: readonly number[]): number {
  let n = 0;
  for (let x = 0; x < png.width; x++) { const i = (y * png.width + x) * 4; if (png.data[i] === c[0] && png.data[i + 1] === c[1] && png.data[i + 2] === c[2]) n++; }
  return n;
}

describe('bar chart', () => {
  it('PNG: the expected size, not blank, 14 px more per bar', () => {
    const png = PNG.sync.read(barChartPng(spec));
    expect([png.width, png.height]).toEqual([640, 20 + 12 + 6 + 3 * 14 + 4 + 34]); // title, legend, gap, bars, axis
    expect(barChartSize(spec)).toEqual({ width: 640, height: 118 });
    expect(barChartSize({ ...spec, bars: [...spec.bars, spec.bars[0]!] }).height).toBe(118 + 14);
    let ink = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i]! < 250 || png.data[i + 1]! < 250 || png.data[i + 2]! < 250) ink++;
    expect(ink).toBeGreaterThan(2000);
  });

  it('PNG: bar lengths follow the values, coloured by group', () => {
    const png = PNG.sync.read(barChartPng(spec));
    const top = 20 + 12 + 6 + 2; // title, legend, gap, row offset
    const y = (i: number) => top + 14 * i + 5; // a row a little below the centre, clear of the whisker
    const [a, b, c] = [runOf(png, y(0), PALETTE[0]!), runOf(png, y(1), PALETTE[1]!), runOf(png, y(2), PALETTE[0]!)];
    expect(a).toBeGreaterThan(b);
    expect(b).toBeGreaterThan(c);
    expect(c).toBeGreaterThan(0);
    expect(a / b).toBeCloseTo(2, 0); // 0.8 vs 0.4 on a linear axis from 0
    expect(runOf(png, y(1), PALETTE[0]!)).toBe(0); // kara7 bar is the second colour
  });

  it('SVG: every label, rect widths in proportion, one whisker per interval, percent text', () => {
    const svg = barChartSvg(spec);
    for (const b of spec.bars) expect(svg).toContain(`>${b.label}</text>`);
    const widths = [...svg.matchAll(/<rect class="bar"[^>]* width="([\d.]+)"/g)].map((m) => +m[1]!);
    expect(widths).toHaveLength(3);
    expect(widths[0]! / widths[1]!).toBeCloseTo(2, 1);
    expect(widths[1]! / widths[2]!).toBeCloseTo(4, 1);
    expect(svg.match(/class="whisker"/g)).toHaveLength(3);
    expect(svg).toContain('>80.0%</text>');
    expect(svg).toContain('>100%</text>'); // axis tick
    expect(svg).toContain('>kara7</text>'); // legend
    expect(barChartSvg({ ...spec, bars: [{ label: '<a&b>', value: 0.5 }] })).toContain('&lt;a&amp;b&gt;');
  });

  it('writes png, standalone html and json', () => {
    const base = join(mkdtempSync(join(tmpdir(), 'bars-')), 'sub', 'success');
    writeBarChart(base, spec);
    expect(PNG.sync.read(readFileSync(`${base}.png`)).height).toBe(118);
    const html = readFileSync(`${base}.html`, 'utf8');
    expect(html).toMatch(/^<!doctype html>[\s\S]*<svg[\s\S]*<\/svg>[\s\S]*<\/html>$/);
    expect(html).not.toMatch(/(src|href)="http/);
    const json = JSON.parse(readFileSync(`${base}.json`, 'utf8'));
    expect(json.bars).toEqual(spec.bars);
    expect(json.range).toEqual([0, 1]);
  });

  it('percent from the value label; range widened to hold the data; non-percent values', () => {
    expect(barChartSvg({ title: 't', valueLabel: 'success (%)', bars: [{ label: 'a', value: 0.25 }] })).toContain('>25.0%</text>');
    const svg = barChartSvg({ title: 't', valueLabel: 'seconds', bars: [{ label: 'a', value: 3 }, { label: 'b', value: -1 }] });
    expect(svg).toContain('>3</text>');
    expect(svg).toContain('>-1</text>');
  });

  it('rejects bad input with clear messages', () => {
    const bad = (bars: BarSpec['bars'], extra: Partial<BarSpec> = {}) => () => barChartPng({ ...spec, ...extra, bars });
    expect(bad([])).toThrow(/bars is empty/);
    expect(bad([{ label: 'x', value: NaN }])).toThrow(/bars\[0\] \("x"\): value must be a finite number, got NaN/);
    expect(bad([{ label: 'x', value: 0.5, lo: 0.7, hi: 0.3 }])).toThrow(/lo \(0\.7\) > hi \(0\.3\)/);
    expect(bad([{ label: 'x', value: 0.5, lo: 0.2 }])).toThrow(/both lo and hi/);
    expect(bad([{ label: 'x', value: 0.5, lo: NaN, hi: 0.6 }])).toThrow(/lo must be a finite number/);
    expect(bad([{ label: 'x', value: 0.9, lo: 0.2, hi: 0.6 }])).toThrow(/outside its interval/);
    expect(bad([{ label: 'x', value: 0.5 }], { range: [1, 0] })).toThrow(/range must be/);
    expect(bad([{ label: 'x', value: 1.5 }], { range: [0, 1] })).toThrow(/outside range/);
    expect(() => writeBarChart(join(tmpdir(), 'never'), { ...spec, bars: [] })).toThrow(/bar chart "success per cell": bars is empty/);
  });
});
