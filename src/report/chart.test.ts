import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { chartHtml, chartPng } from './chart.ts';

const spec = {
  title: 'Loss', xLabel: 'step', yLabel: 'loss',
  series: [{ name: 'train', x: [0, 1, 2, 3], y: [4, 2, 1, 0.5], color: [255, 0, 0] as [number, number, number] }],
};

describe('chart', () => {
  it('draws the series in its colour on a PNG of the requested size', () => {
    const png = PNG.sync.read(chartPng(spec, 320, 200));
    expect([png.width, png.height]).toEqual([320, 200]);
    let red = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i] === 255 && png.data[i + 1] === 0 && png.data[i + 2] === 0) red++;
    expect(red).toBeGreaterThan(100); // the falling line plus its legend
  });

  it('puts the first point at the top-left and the last at the bottom-right of the plot area', () => {
    const png = PNG.sync.read(chartPng(spec, 320, 200));
    const isRed = (x: number, y: number) => { const i = (y * 320 + x) * 4; return png.data[i] === 255 && png.data[i + 1] === 0; };
    expect(isRed(64, 28)).toBe(true); // (x0, ymax)
    expect(isRed(320 - 16, 200 - 40)).toBe(true); // (x1, ymin)
  });

  it('escapes text in the HTML page', () => {
    expect(chartHtml({ ...spec, title: '<b>&' })).toContain('&lt;b&gt;&amp;');
  });
});
