// deepMerge: objects merge by key at every depth, arrays and null replace, a missing key keeps the base, inputs stay as they were.
import { describe, expect, it } from 'vitest';
import { deepMerge, isPlainObject } from './merge.ts';

describe('deepMerge', () => {
  it('merges nested objects and lets arrays, null and scalars replace', () => {
    const base = { dim: 128, vision: { channels: [32, 64], groups: 8, pointer: { block: 1 } }, head: 'l1', extra: { a: 1 } };
    const over = { vision: { channels: [16], pointer: { weight: 2 } }, head: 'flow', extra: null, added: [1] };
    expect(deepMerge(base, over)).toEqual({ dim: 128, vision: { channels: [16], groups: 8, pointer: { block: 1, weight: 2 } }, head: 'flow', extra: null, added: [1] });
    expect(base.vision.channels).toEqual([32, 64]); // unchanged
    expect(deepMerge(base, undefined)).toBe(base);
    expect(deepMerge({ a: { b: 1 } }, { a: undefined })).toEqual({ a: { b: 1 } });
    expect(deepMerge({ a: [1, 2] }, { a: { 0: 5 } })).toEqual({ a: { 0: 5 } }); // an object over an array replaces it
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(null)).toBe(false);
    expect(isPlainObject({})).toBe(true);
  });
});
