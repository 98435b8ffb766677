// Pooling layers: values on small hand-checked inputs, PyTorch's defaults (stride = kernel, floor mode, padding
// counted in averages), layer indices in a Sequential, and bad options refused with the value quoted.
import { afterEach, describe, expect, it } from 'vitest';
import * as torch from '../index.ts';

const { nn } = torch;
const { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } = nn; // exported from the public index
const made: torch.Tensor[] = [];
const track = (t: torch.Tensor) => { made.push(t); return t; };
afterEach(() => torch.dispose(made.splice(0)));
const grid = (h: number, w: number) => track(torch.arange(0, h * w, 1, 'float32').reshape(1, 1, h, w)); // (1, 1, h, w)

describe('pooling layers', () => {
  it('MaxPool2d: stride defaults to the kernel; ceilMode keeps the partial window', () => {
    expect(track(new MaxPool2d(2).forward(grid(4, 4))).tolist()).toEqual([[[[5, 7], [13, 15]]]]);
    expect(track(new MaxPool2d(2).forward(grid(5, 5))).shape).toEqual([1, 1, 2, 2]);
    expect(track(new MaxPool2d(2, { ceilMode: true }).forward(grid(5, 5))).tolist()).toEqual([[[[6, 8, 9], [16, 18, 19], [21, 23, 24]]]]);
    expect(track(new MaxPool2d([1, 3], { stride: 1 }).forward(grid(2, 4))).tolist()).toEqual([[[[2, 3], [6, 7]]]]);
  });
  it('AvgPool2d: overlapping windows; zero padding counts in the mean', () => {
    expect(track(new AvgPool2d(2, { stride: 1 }).forward(grid(3, 3))).tolist()).toEqual([[[[2, 3], [5, 6]]]]);
    const ones = track(torch.ones([1, 1, 2, 2]));
    expect(track(new AvgPool2d(2, { padding: 1 }).forward(ones)).tolist()).toEqual([[[[0.25, 0.25], [0.25, 0.25]]]]);
  });
  it('AdaptiveAvgPool2d: global mean per channel at size 1, fixed output size otherwise', () => {
    const x = track(torch.randn([2, 3, 5, 7]));
    const g = track(new AdaptiveAvgPool2d(1).forward(x));
    expect(g.shape).toEqual([2, 3, 1, 1]);
    const mean = track(x.mean([2, 3]));
    g.toNumbers().forEach((v, i) => expect(v).toBeCloseTo(mean.toNumbers()[i]!, 6));
    expect(track(new AdaptiveAvgPool2d([2, 3]).forward(x)).shape).toEqual([2, 3, 2, 3]);
  });
  it('have no parameters, so a PyTorch Sequential CNN keeps its indices', () => {
    const cnn = new nn.Sequential(new nn.Conv2d(1, 4, 3), nn.ReLU(), new MaxPool2d(2), new nn.Conv2d(4, 8, 3), new AdaptiveAvgPool2d(1), new nn.Flatten());
    expect(cnn.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '3.weight', '3.bias']);
    expect(track(cnn.forward(track(torch.randn([2, 1, 12, 12])))).shape).toEqual([2, 8]);
    cnn.dispose();
  });
  it('refuses bad sizes and options, quoting them', () => {
    expect(() => new MaxPool2d(0)).toThrow(/MaxPool2d: kernelSize must be a positive integer or a pair of them, got 0/);
    expect(() => new AvgPool2d(2, { padding: 2 })).toThrow(/AvgPool2d: padding 2 must be at most half of kernelSize 2/);
    expect(() => new MaxPool2d(2, { stride: -1 })).toThrow(/MaxPool2d: invalid options: stride: .*\(got -1\)/);
    expect(() => new MaxPool2d(2, { dilation: 2 } as never)).toThrow(/MaxPool2d: invalid options: .*dilation/);
    expect(() => new AdaptiveAvgPool2d([1, 0])).toThrow(/outputSize must be .* got \[1,0\]/);
  });
});
