// ModelConfig: defaults, strictness (unknown keys rejected), and cross-field checks with named fields.
import { describe, expect, it } from 'vitest';
import { featureSize, parseModelConfig, sequenceLayout, stateDim } from './config.ts';

describe('ModelConfig', () => {
  it('fills the defaults of the issue (dim 128, 2 cameras x 2 frames, H = 10, three arms, proprio up to 15)', () => {
    const c = parseModelConfig({ text: { vocab: 500 } });
    expect(c).toMatchObject({ dim: 128, heads: 4, cameras: ['scene', 'wrist'], history: 2, horizon: 10, actionDim: 7, head: 'l1', roomHead: true, embodiments: ['kara6', 'kara7', 'widowx250'] });
    expect(c.stateLayout).toEqual({ wrench: 6, touch: 2, proprioMax: 15, proprio: { kara6: 14, kara7: 15, widowx250: 14 } });
    expect(stateDim(c)).toBe(23);
    expect(sequenceLayout(c)).toMatchObject({ text: 24, image: 2 * 2 * 16, state: 3, embodiment: 1, actions: 10, room: 1, total: 24 + 64 + 3 + 1 + 11 });
  });
  it('rejects unknown keys at every level, naming them', () => {
    expect(() => parseModelConfig({ text: { vocab: 500 }, widht: 3 })).toThrow(/ModelConfig: invalid config: .*widht/);
    expect(() => parseModelConfig({ text: { vocab: 500, layer: 2 } })).toThrow(/text: .*layer/);
    expect(() => parseModelConfig({ text: { vocab: 500 }, vision: { chanels: [8] } })).toThrow(/vision: .*chanels/);
    expect(() => parseModelConfig({ text: { vocab: 500 }, vision: { channels: [8, 16], groups: 8, pointers: 2, pointerBlock: 2 } })).toThrow(/vision\.pointerBlock: is 2, but there are only 2 blocks \(0\.\.1\)/);
    expect(() => parseModelConfig({ text: { vocab: 500 }, roomReads: 'pixels' })).toThrow(/roomReads/);
  });
  it('requires the vocabulary size and bounds every number', () => {
    expect(() => parseModelConfig({})).toThrow(/text: /);
    expect(() => parseModelConfig({ text: { vocab: 500 }, horizon: 0 })).toThrow(/horizon: .*\(got 0\)/);
    expect(() => parseModelConfig({ text: { vocab: 500 }, head: 'diffusion' })).toThrow(/head: .*"diffusion"/);
  });
  it('cross-field checks name the field and say why', () => {
    const base = { text: { vocab: 500 } };
    expect(() => parseModelConfig({ ...base, dim: 100, heads: 3 })).toThrow(/heads: dim \(100\) must be divisible by heads \(3\)/);
    expect(() => parseModelConfig({ ...base, vision: { tokensPerImage: 12 } })).toThrow(/vision\.tokensPerImage: must be a square number .* got 12/);
    expect(() => parseModelConfig({ ...base, vision: { imageSize: [32, 32], tokensPerImage: 36, channels: [8, 16, 32] } })).toThrow(/vision\.imageSize: 32x32 images shrink to 2x2 after the stem \(stride 4\) and 2 stride-2 blocks, fewer than the 6x6 token grid/);
    expect(featureSize({ imageSize: [96, 96], stemStride: 4, channels: [32, 64, 128] })).toEqual([6, 6]);
    expect(featureSize({ imageSize: [96, 80], stemStride: 2, channels: [16, 32, 64, 128] })).toEqual([6, 5]);
    expect(() => parseModelConfig({ ...base, vision: { channels: [12, 16] } })).toThrow(/vision\.channels\.0: 12 channels are not divisible by vision\.groups \(8\)/);
    expect(() => parseModelConfig({ ...base, embodiments: ['kara6', 'ur5'] })).toThrow(/stateLayout\.proprio: has no width for embodiment 'ur5'/);
    expect(() => parseModelConfig({ ...base, stateLayout: { proprioMax: 14 } })).toThrow(/stateLayout\.proprio\.kara7: 15 exceeds stateLayout\.proprioMax \(14\)/);
    expect(() => parseModelConfig({ ...base, embodiments: ['kara6', 'kara6'] })).toThrow(/embodiments: embodiments must not repeat/);
    expect(() => parseModelConfig({ ...base, cameras: [] })).toThrow(/cameras: /);
  });
});
