// `karakuri demo`: trains a small MLP on two interleaved spirals for a fixed time (and at least minSteps steps, so
// that a loaded machine still trains it) with a progress bar (steps/s, loss, ETA), then writes the training curve
// as PNG, HTML and JSON.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import * as torch from '../torch/index.ts';
import { writeChart } from '../report/chart.ts';

export interface DemoResult { steps: number; stepsPerSecond: number; finalLoss: number; accuracy: number; files: string[] }

function spirals(n: number): { x: torch.Tensor; y: torch.Tensor } {
  const xs: number[] = [], ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2, r = (i / n) * 3 + 0.2, a = (i / n) * 4 * Math.PI + c * Math.PI;
    xs.push(r * Math.cos(a), r * Math.sin(a));
    ys.push(c);
  }
  return { x: torch.keep(torch.tensor(Float32Array.from(xs), { shape: [n, 2] })), y: torch.keep(torch.tensor(ys, { dtype: 'int64' })) };
}

export async function runDemo(opts: { seconds: number; minSteps?: number; out: string; quiet?: boolean }): Promise<DemoResult> {
  torch.manualSeed(0);
  const { x, y } = spirals(512);
  const model = new torch.nn.MLP([2, 128, 128, 2]);
  const opt = new torch.optim.AdamW(model.parameters(), { lr: 5e-3, weightDecay: 0 });
  console.log(`\nTraining an MLP (${model.numParameters()} parameters) on two spirals for ${opts.seconds} s`);
  const bar = new cliProgress.SingleBar({
    format: ' {bar} {percentage}% | {steps} steps, {rate} steps/s | loss {loss} | ETA {remaining}s',
    noTTYOutput: !opts.quiet, notTTYSchedule: 1000, stream: process.stdout,
  }, cliProgress.Presets.shades_classic);
  const tenths = Math.round(opts.seconds * 10);
  bar.start(tenths, 0, { steps: 0, rate: '0', loss: '-', remaining: opts.seconds.toFixed(0) });
  const curve: { step: number; loss: number }[] = [];
  const t0 = performance.now();
  let steps = 0, loss = NaN;
  while (performance.now() - t0 < opts.seconds * 1000 || steps < (opts.minSteps ?? 0)) {
    loss = torch.tidy(() => {
      opt.zeroGrad();
      const l = torch.F.crossEntropy(model.forward(x), y);
      l.backward();
      opt.step();
      return l.item();
    });
    steps++;
    if (steps % 10 === 0) curve.push({ step: steps, loss });
    const elapsed = (performance.now() - t0) / 1000;
    bar.update(Math.min(tenths, Math.floor(elapsed * 10)), { steps, rate: (steps / elapsed).toFixed(0), loss: loss.toFixed(4), remaining: Math.max(0, opts.seconds - elapsed).toFixed(1) });
    if (steps % 50 === 0) await new Promise((r) => setImmediate(r)); // let the bar redraw
  }
  bar.update(tenths, { remaining: '0.0' });
  bar.stop();
  const seconds = (performance.now() - t0) / 1000;
  const accuracy = torch.tidy(() => torch.noGrad(() => model.forward(x).argmax(1).eq(y).float().mean().item()));
  mkdirSync(opts.out, { recursive: true });
  const base = join(opts.out, 'training-curve');
  writeChart(base, {
    title: `Demo MLP on spirals: final loss ${loss.toFixed(4)}, accuracy ${(accuracy * 100).toFixed(1)}%`,
    xLabel: 'step', yLabel: 'cross-entropy loss', logY: true,
    series: [{ name: 'train loss', x: curve.map((c) => c.step), y: curve.map((c) => c.loss) }],
  });
  const result: DemoResult = {
    steps, stepsPerSecond: steps / seconds, finalLoss: loss, accuracy,
    files: [`${base}.png`, `${base}.html`, `${base}.json`, join(opts.out, 'result.json')],
  };
  writeFileSync(join(opts.out, 'result.json'), JSON.stringify(result, null, 2));
  console.log(`Done: ${steps} steps (${result.stepsPerSecond.toFixed(0)}/s), loss ${loss.toFixed(4)}, accuracy ${(accuracy * 100).toFixed(1)}%`);
  console.log(`Training curve: ${base}.png (and .html, .json)`);
  model.dispose(); opt.dispose(); x.dispose(); y.dispose();
  return result;
}
