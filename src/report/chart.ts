// Line charts (training curves, success rates over versions) written as PNG (pngjs, with a built-in bitmap font
// for labels) and as a standalone HTML page with inline SVG, so people can look at results without tooling. Also the
// drawing helpers (canvas, palette, number formatting, escaping) that the bar charts in bars.ts share.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PNG } from 'pngjs';
import { glyph, GLYPH_H, GLYPH_W } from './font5x7.ts';

export type Rgb = [number, number, number];
export interface Series { name: string; x: number[]; y: number[]; color?: Rgb }
export interface ChartSpec { title: string; xLabel: string; yLabel: string; series: Series[]; logY?: boolean }

/** Series / group colours (tab10 order), shared by the line and bar charts. */
export const PALETTE: Rgb[] = [[31, 119, 180], [214, 39, 40], [44, 160, 44], [255, 127, 14], [148, 103, 189], [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207]];

function extent(values: number[]): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!Number.isFinite(lo)) return [0, 1];
  if (lo === hi) return [lo - 1, hi + 1];
  return [lo, hi];
}

/** A tick value in at most 3 significant digits (exponent form for very large or small magnitudes). */
export function fmt(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1);
  return (+v.toPrecision(3)).toString();
}

/** Escapes text for HTML / SVG. */
export const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Pixel width of a string in the PNG bitmap font (glyph plus 1 px spacing). */
export const textWidth = (s: string) => Math.max(0, s.length * (GLYPH_W + 1) - 1);

/** A white RGBA canvas with the drawing primitives the PNG charts use; `encode()` gives the PNG bytes. */
export function canvas(w: number, h: number) {
  const png = new PNG({ width: w, height: h });
  png.data.fill(255);
  const set = (x: number, y: number, c: Rgb) => {
    x = Math.round(x); y = Math.round(y);
    if (x < 0 || y < 0 || x >= w || y >= h) return;
    const i = (y * w + x) * 4;
    png.data[i] = c[0]; png.data[i + 1] = c[1]; png.data[i + 2] = c[2]; png.data[i + 3] = 255;
  };
  const line = (xa: number, ya: number, xb: number, yb: number, c: Rgb) => {
    const n = Math.max(Math.abs(xb - xa), Math.abs(yb - ya), 1);
    for (let k = 0; k <= n; k++) set(xa + ((xb - xa) * k) / n, ya + ((yb - ya) * k) / n, c);
  };
  /** Filled rectangle covering pixels [x0, x1) x [y0, y1) (corners in any order, rounded). */
  const rect = (x0: number, y0: number, x1: number, y1: number, c: Rgb) => {
    const xa = Math.round(Math.min(x0, x1)), xb = Math.round(Math.max(x0, x1));
    const ya = Math.round(Math.min(y0, y1)), yb = Math.round(Math.max(y0, y1));
    for (let y = ya; y < yb; y++) for (let x = xa; x < xb; x++) set(x, y, c);
  };
  /** Text with its top-left corner at (x, y); vertical text runs upwards from (x, y). */
  const text = (s: string, x: number, y: number, c: Rgb = [0, 0, 0], vertical = false) => {
    [...s].forEach((ch, i) => {
      const rows = glyph(ch);
      for (let r = 0; r < GLYPH_H; r++) for (let b = 0; b < GLYPH_W; b++) {
        if (!((rows[r]! >> (GLYPH_W - 1 - b)) & 1)) continue;
        if (vertical) set(x + r, y - i * (GLYPH_W + 1) - b, c);
        else set(x + i * (GLYPH_W + 1) + b, y + r, c);
      }
    });
  };
  return { png, set, line, rect, text, encode: () => PNG.sync.write(png) };
}

function layout(spec: ChartSpec, w: number, h: number) {
  const pad = { l: 64, r: 16, t: 28, b: 40 };
  const tf = (v: number) => (spec.logY ? Math.log10(Math.max(v, 1e-12)) : v);
  const [x0, x1] = extent(spec.series.flatMap((s) => s.x));
  const [y0, y1] = extent(spec.series.flatMap((s) => s.y.map(tf)));
  const px = (x: number) => pad.l + ((x - x0) / (x1 - x0)) * (w - pad.l - pad.r);
  const py = (y: number) => h - pad.b - ((tf(y) - y0) / (y1 - y0)) * (h - pad.t - pad.b);
  const ticks = (lo: number, hi: number) => Array.from({ length: 5 }, (_, i) => lo + ((hi - lo) * i) / 4);
  const yTick = (t: number) => (spec.logY ? 10 ** t : t);
  return { pad, px, py, xTicks: ticks(x0, x1), yTicks: ticks(y0, y1).map(yTick) };
}

/** Renders the chart to PNG bytes (w x h pixels). */
export function chartPng(spec: ChartSpec, w = 640, h = 400): Buffer {
  const { line, text, encode } = canvas(w, h);
  const L = layout(spec, w, h);
  const grey: Rgb = [200, 200, 200];
  for (const t of L.yTicks) { const y = L.py(t); line(L.pad.l, y, w - L.pad.r, y, grey); text(fmt(t), 4, y - 3); }
  for (const t of L.xTicks) { const x = L.px(t); line(x, L.pad.t, x, h - L.pad.b, grey); text(fmt(t), x - 8, h - L.pad.b + 6); }
  line(L.pad.l, h - L.pad.b, w - L.pad.r, h - L.pad.b, [0, 0, 0]);
  line(L.pad.l, L.pad.t, L.pad.l, h - L.pad.b, [0, 0, 0]);
  text(spec.title, L.pad.l, 8);
  text(spec.xLabel, (w - spec.xLabel.length * 6) / 2, h - 14);
  text(spec.yLabel, 48, h / 2 + spec.yLabel.length * 3, [0, 0, 0], true);
  spec.series.forEach((s, si) => {
    const c = s.color ?? PALETTE[si % PALETTE.length]!;
    for (let i = 1; i < s.x.length; i++) {
      if (!Number.isFinite(s.y[i]!) || !Number.isFinite(s.y[i - 1]!)) continue;
      line(L.px(s.x[i - 1]!), L.py(s.y[i - 1]!), L.px(s.x[i]!), L.py(s.y[i]!), c);
    }
    text(s.name, w - L.pad.r - 120, L.pad.t + 4 + si * 10, c);
  });
  return encode();
}

/** The chart as a standalone HTML page with inline SVG. */
export function chartHtml(spec: ChartSpec, w = 720, h = 420): string {
  const L = layout(spec, w, h);
  const parts: string[] = [];
  for (const t of L.yTicks) parts.push(`<line x1="${L.pad.l}" x2="${w - L.pad.r}" y1="${L.py(t)}" y2="${L.py(t)}" stroke="#ddd"/><text x="${L.pad.l - 6}" y="${L.py(t) + 4}" text-anchor="end">${fmt(t)}</text>`);
  for (const t of L.xTicks) parts.push(`<line y1="${L.pad.t}" y2="${h - L.pad.b}" x1="${L.px(t)}" x2="${L.px(t)}" stroke="#ddd"/><text x="${L.px(t)}" y="${h - L.pad.b + 16}" text-anchor="middle">${fmt(t)}</text>`);
  spec.series.forEach((s, si) => {
    const c = s.color ?? PALETTE[si % PALETTE.length]!;
    const pts = s.x.map((x, i) => (Number.isFinite(s.y[i]!) ? `${L.px(x).toFixed(1)},${L.py(s.y[i]!).toFixed(1)}` : '')).filter(Boolean).join(' ');
    parts.push(`<polyline fill="none" stroke="rgb(${c.join(',')})" stroke-width="1.5" points="${pts}"/><text x="${w - L.pad.r - 130}" y="${L.pad.t + 12 + si * 14}" fill="rgb(${c.join(',')})">${esc(s.name)}</text>`);
  });
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(spec.title)}</title></head><body style="font-family:sans-serif">
<h3>${esc(spec.title)}</h3>
<svg width="${w}" height="${h}" font-size="11" xmlns="http://www.w3.org/2000/svg">
<rect width="${w}" height="${h}" fill="white"/>${parts.join('\n')}
<line x1="${L.pad.l}" x2="${w - L.pad.r}" y1="${h - L.pad.b}" y2="${h - L.pad.b}" stroke="black"/><line x1="${L.pad.l}" x2="${L.pad.l}" y1="${L.pad.t}" y2="${h - L.pad.b}" stroke="black"/>
<text x="${w / 2}" y="${h - 6}" text-anchor="middle">${esc(spec.xLabel)}</text>
<text transform="translate(14,${h / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>
</svg></body></html>`;
}

/** Writes <base>.png, <base>.html and <base>.json for one chart. */
export function writeChart(base: string, spec: ChartSpec): void {
  mkdirSync(dirname(base), { recursive: true });
  writeFileSync(`${base}.png`, chartPng(spec));
  writeFileSync(`${base}.html`, chartHtml(spec));
  writeFileSync(`${base}.json`, JSON.stringify(spec, null, 1));
}
