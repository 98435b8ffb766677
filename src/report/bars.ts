// Bar charts with interval whiskers and category labels (e.g. success rate per task / embodiment cell with its 95%
// Wilson interval), written like the line charts in chart.ts: PNG with the built-in bitmap font, a standalone HTML
// page with inline SVG, and the data as JSON. Horizontal bars, so long category labels stay readable.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { canvas, esc, fmt, PALETTE, textWidth, type Rgb } from './chart.ts';
import { GLYPH_H } from './font5x7.ts';

export interface Bar {
  label: string;
  value: number;
  /** Interval drawn as a whisker; give both ends or neither (lo <= value <= hi). */
  lo?: number;
  hi?: number;
  /** Bars of one group share a colour (legend at the top); e.g. the embodiment. */
  group?: string;
}
export interface BarSpec {
  title: string;
  valueLabel: string;
  bars: Bar[];
  /** Value axis range; default [0, 1], widened to hold every value and whisker. */
  range?: [number, number];
  /** Values, ticks and whisker ends as percent (x 100). Default: valueLabel mentions '%' or 'percent'. */
  percent?: boolean;
}

/** Longest label drawn in the PNG (longer ones are cut with '..'); the SVG shows labels in full. */
const MAX_LABEL_CHARS = 40;

/** Checks the spec and resolves its defaults; throws an Error naming the offending bar. */
export function resolveBarSpec(spec: BarSpec): { range: [number, number]; percent: boolean; groups: string[] } {
  const where = `bar chart ${JSON.stringify(spec?.title ?? '')}`;
  if (!spec || !Array.isArray(spec.bars)) throw new Error(`${where}: bars must be an array`);
  if (spec.bars.length === 0) throw new Error(`${where}: bars is empty (nothing to draw)`);
  let lo = Infinity, hi = -Infinity;
  spec.bars.forEach((b, i) => {
    const at = `${where}: bars[${i}]${typeof b?.label === 'string' ? ` (${JSON.stringify(b.label)})` : ''}`;
    if (typeof b?.label !== 'string') throw new Error(`${at}: label must be a string`);
    if (typeof b.value !== 'number' || !Number.isFinite(b.value)) throw new Error(`${at}: value must be a finite number, got ${b.value}`);
    if ((b.lo === undefined) !== (b.hi === undefined)) throw new Error(`${at}: give both lo and hi for a whisker, or neither`);
    if (b.lo !== undefined && b.hi !== undefined) {
      for (const [k, v] of [['lo', b.lo], ['hi', b.hi]] as const) if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${at}: ${k} must be a finite number, got ${v}`);
      if (b.lo > b.hi) throw new Error(`${at}: lo (${b.lo}) > hi (${b.hi})`);
      const tol = 1e-9 * Math.max(1, Math.abs(b.value));
      if (b.value < b.lo - tol || b.value > b.hi + tol) throw new Error(`${at}: value ${b.value} lies outside its interval [${b.lo}, ${b.hi}]`);
    }
    if (b.group !== undefined && typeof b.group !== 'string') throw new Error(`${at}: group must be a string`);
    lo = Math.min(lo, b.value, b.lo ?? b.value); hi = Math.max(hi, b.value, b.hi ?? b.value);
  });
  let range: [number, number];
  if (spec.range) {
    const [r0, r1] = spec.range;
    if (!(Number.isFinite(r0) && Number.isFinite(r1) && r0 < r1)) throw new Error(`${where}: range must be two finite numbers [lo, hi] with lo < hi, got [${spec.range.join(', ')}]`);
    if (lo < r0 || hi > r1) throw new Error(`${where}: the data spans [${lo}, ${hi}], outside range [${r0}, ${r1}]`);
    range = [r0, r1];
  } else range = [Math.min(0, lo), Math.max(1, hi)];
  const groups = [...new Set(spec.bars.map((b) => b.group ?? ''))];
  return { range, percent: spec.percent ?? /%|percent/i.test(spec.valueLabel), groups };
}

interface Metrics { w: number; charW: number; rowH: number; barH: number; titleH: number; legendH: number; bottom: number; tickH: number }

function layout(spec: BarSpec, m: Metrics, labelChars: number) {
  const { range, percent, groups } = resolveBarSpec(spec);
  const named = groups.filter(Boolean);
  const pad = { l: Math.ceil(labelChars * m.charW) + 16, r: Math.ceil(7 * m.charW) + 12, t: m.titleH + (named.length ? m.legendH : 0) + 6, b: m.bottom };
  const w = Math.max(m.w, pad.l + pad.r + 160);
  const h = pad.t + spec.bars.length * m.rowH + 4 + pad.b;
  const [r0, r1] = range;
  const px = (v: number) => pad.l + ((Math.min(r1, Math.max(r0, v)) - r0) / (r1 - r0)) * (w - pad.l - pad.r);
  const base = Math.min(r1, Math.max(r0, 0));
  const cy = (i: number) => pad.t + 2 + (i + 0.5) * m.rowH; // centre of row i
  const ticks = Array.from({ length: 5 }, (_, i) => r0 + ((r1 - r0) * i) / 4);
  const num = (v: number, tick = false) => (percent ? `${(100 * v).toFixed(tick && Number.isInteger(+(100 * v).toFixed(6)) ? 0 : 1)}%` : fmt(v));
  const colour = (b: Bar): Rgb => PALETTE[groups.indexOf(b.group ?? '') % PALETTE.length]!;
  return { w, h, pad, px, base, cy, ticks, num, colour, named, range, percent, plotBottom: h - pad.b };
}

const cut = (s: string) => (s.length > MAX_LABEL_CHARS ? `${s.slice(0, MAX_LABEL_CHARS - 2)}..` : s);
const longest = (spec: BarSpec, max = Infinity) => Math.min(max, Math.max(1, ...(spec.bars ?? []).map((b) => String(b?.label ?? '').length)));

/** Layout of the PNG for this spec (width w by default, height from the number of bars): for callers and tests. */
export function barChartSize(spec: BarSpec, w = 640): { width: number; height: number } {
  const L = layout(spec, PNG_METRICS(w), longest(spec, MAX_LABEL_CHARS));
  return { width: L.w, height: L.h };
}
const PNG_METRICS = (w: number): Metrics => ({ w, charW: 6, rowH: 14, barH: 9, titleH: 20, legendH: 12, bottom: 34, tickH: 4 });
const SVG_METRICS = (w: number): Metrics => ({ w, charW: 6.4, rowH: 20, barH: 13, titleH: 22, legendH: 18, bottom: 40, tickH: 5 });

/** Renders the bar chart to PNG bytes: w pixels wide (more if the labels need it), 14 px per bar high. */
export function barChartPng(spec: BarSpec, w = 640): Buffer {
  const m = PNG_METRICS(w);
  const L = layout(spec, m, longest(spec, MAX_LABEL_CHARS));
  const { line, rect, text, encode } = canvas(L.w, L.h);
  const black: Rgb = [0, 0, 0], grey: Rgb = [210, 210, 210], ink: Rgb = [40, 40, 40];
  const right = L.w - L.pad.r;
  for (const t of L.ticks) {
    const x = L.px(t), s = L.num(t, true);
    line(x, L.pad.t, x, L.plotBottom, grey);
    line(x, L.plotBottom, x, L.plotBottom + m.tickH, black);
    text(s, Math.round(x - textWidth(s) / 2), L.plotBottom + m.tickH + 3);
  }
  text(spec.title, 8, 7);
  let lx = 8;
  for (const g of L.named) {
    const c = PALETTE[resolveBarSpec(spec).groups.indexOf(g) % PALETTE.length]!;
    rect(lx, m.titleH, lx + 7, m.titleH + 7, c);
    text(g, lx + 10, m.titleH, c);
    lx += 10 + textWidth(g) + 14;
  }
  spec.bars.forEach((b, i) => {
    const cy = L.cy(i), top = Math.round(cy - m.barH / 2);
    const label = cut(b.label);
    text(label, L.pad.l - 8 - textWidth(label), Math.round(cy - GLYPH_H / 2));
    const xv = L.px(b.value), xb = L.px(L.base);
    rect(xb, top, xv === xb ? xb + 1 : xv, top + m.barH, L.colour(b));
    let end = Math.max(xv, xb);
    if (b.lo !== undefined && b.hi !== undefined) {
      const a = L.px(b.lo), z = L.px(b.hi), y = Math.round(cy);
      line(a, y, z, y, ink);
      line(a, y - 3, a, y + 3, ink);
      line(z, y - 3, z, y + 3, ink);
      end = Math.max(end, z);
    }
    const s = L.num(b.value);
    const tx = b.value < L.base ? Math.min(xv, b.lo !== undefined ? L.px(b.lo) : xv) - 4 - textWidth(s) : Math.min(end + 4, L.w - textWidth(s) - 2);
    text(s, Math.round(tx), Math.round(cy - GLYPH_H / 2), ink);
  });
  line(L.pad.l, L.plotBottom, right, L.plotBottom, black);
  line(L.px(L.base), L.pad.t, L.px(L.base), L.plotBottom, black);
  text(spec.valueLabel, Math.round((L.pad.l + right - textWidth(spec.valueLabel)) / 2), L.h - 11);
  return encode();
}

/** The bar chart as an inline SVG element (labels in full, a tooltip per bar). */
export function barChartSvg(spec: BarSpec, w = 760): string {
  const m = SVG_METRICS(w);
  const L = layout(spec, m, longest(spec));
  const { groups } = resolveBarSpec(spec);
  const rgb = (c: Rgb) => `rgb(${c.join(',')})`;
  const f = (v: number) => +v.toFixed(1);
  const right = L.w - L.pad.r;
  const parts: string[] = [];
  for (const t of L.ticks) {
    const x = f(L.px(t));
    parts.push(`<line x1="${x}" x2="${x}" y1="${L.pad.t}" y2="${L.plotBottom + m.tickH}" stroke="#ddd"/><text x="${x}" y="${L.plotBottom + m.tickH + 13}" text-anchor="middle">${esc(L.num(t, true))}</text>`);
  }
  parts.push(`<text x="8" y="16" font-weight="bold">${esc(spec.title)}</text>`);
  let lx = 8;
  for (const g of L.named) {
    const c = rgb(PALETTE[groups.indexOf(g) % PALETTE.length]!);
    parts.push(`<g class="legend"><rect x="${lx}" y="${m.titleH + 1}" width="10" height="10" fill="${c}"/><text x="${lx + 14}" y="${m.titleH + 10}" fill="${c}">${esc(g)}</text></g>`);
    lx += 14 + Math.ceil(g.length * m.charW) + 18;
  }
  spec.bars.forEach((b, i) => {
    const cy = L.cy(i), xv = L.px(b.value), xb = L.px(L.base);
    const interval = b.lo !== undefined && b.hi !== undefined ? ` [${L.num(b.lo)} - ${L.num(b.hi)}]` : '';
    parts.push(`<text x="${L.pad.l - 8}" y="${f(cy + 4)}" text-anchor="end">${esc(b.label)}</text>`);
    parts.push(`<rect class="bar" x="${f(Math.min(xv, xb))}" y="${f(cy - m.barH / 2)}" width="${f(Math.max(Math.abs(xv - xb), 1))}" height="${m.barH}" fill="${rgb(L.colour(b))}"><title>${esc(`${b.label}: ${L.num(b.value)}${interval}`)}</title></rect>`);
    let end = Math.max(xv, xb), start = Math.min(xv, xb);
    if (b.lo !== undefined && b.hi !== undefined) {
      const a = f(L.px(b.lo)), z = f(L.px(b.hi)), y = f(cy);
      parts.push(`<path class="whisker" d="M${a},${y}H${z}M${a},${f(cy - 4)}V${f(cy + 4)}M${z},${f(cy - 4)}V${f(cy + 4)}" stroke="#333" fill="none"/>`);
      end = Math.max(end, z); start = Math.min(start, a);
    }
    parts.push(b.value < L.base
      ? `<text x="${f(start - 4)}" y="${f(cy + 4)}" text-anchor="end" fill="#333">${esc(L.num(b.value))}</text>`
      : `<text x="${f(end + 4)}" y="${f(cy + 4)}" fill="#333">${esc(L.num(b.value))}</text>`);
  });
  parts.push(`<line x1="${L.pad.l}" x2="${right}" y1="${L.plotBottom}" y2="${L.plotBottom}" stroke="black"/><line x1="${f(L.px(L.base))}" x2="${f(L.px(L.base))}" y1="${L.pad.t}" y2="${L.plotBottom}" stroke="black"/>`);
  parts.push(`<text x="${f((L.pad.l + right) / 2)}" y="${L.h - 8}" text-anchor="middle">${esc(spec.valueLabel)}</text>`);
  return `<svg width="${L.w}" height="${L.h}" font-size="11" font-family="sans-serif" xmlns="http://www.w3.org/2000/svg">
<rect width="${L.w}" height="${L.h}" fill="white"/>
${parts.join('\n')}
</svg>`;
}

/** The bar chart as a standalone (offline) HTML page with inline SVG. */
export function barChartHtml(spec: BarSpec, w = 760): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(spec.title)}</title></head><body style="font-family:sans-serif">
${barChartSvg(spec, w)}
</body></html>`;
}

/** Writes <base>.png, <base>.html and <base>.json (the spec with its resolved range and percent flag). */
export function writeBarChart(base: string, spec: BarSpec): void {
  const { range, percent } = resolveBarSpec(spec);
  const png = barChartPng(spec), html = barChartHtml(spec);
  mkdirSync(dirname(base), { recursive: true });
  writeFileSync(`${base}.png`, png);
  writeFileSync(`${base}.html`, html);
  writeFileSync(`${base}.json`, JSON.stringify({ ...spec, range, percent }, null, 1));
}
