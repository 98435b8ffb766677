// Observation mapping on decoded wire messages: openpi-style resize with padding (aspect kept, centred, antialiased),
// CHW / float conversion, key maps (literal keys, nested ALOHA paths, zod errors naming the field), and the
// Observation the Policy gets (Karakuri's proprio layout, wrench and touch, defaults, the reset flag).
import { describe, expect, it } from 'vitest';
import { tinyConfig } from '../../model/test-helpers.ts';
import { ndarray, npScalar, packMessage, unpackMessage, type NdArray } from '../protocol/ndarray.ts';
import { MAX_IMAGE_PIXELS, modelImage, resizeWithPad, toUint8Hwc } from './image.ts';
import { DEFAULT_KEY_MAP, lookup, parseKeyMap } from './keys.ts';
import { mapObservation, ObservationError, type MapContext } from './map.ts';

const wire = <T>(v: T): T => unpackMessage(packMessage(v)) as T;
const cfg = tinyConfig();
const ctx: MapContext = { cfg, embodiments: ['kara6', 'kara7'], keyMap: DEFAULT_KEY_MAP, defaultEmbodiment: 'kara6' };
const img = (h: number, w: number, fill = (i: number) => i & 0xff) => ndarray(Uint8Array.from({ length: h * w * 3 }, (_, i) => fill(i)), [h, w, 3]);
const state14 = Float32Array.from({ length: 14 }, (_, i) => i / 10);

describe('images', () => {
  it('an image at the model size passes through unchanged (no copy)', () => {
    const a = wire({ x: img(16, 16) }).x;
    expect(modelImage(a, 'x', 16, 16)).toBe(a.data);
  });
  it('a wide image is resized keeping its aspect and centred on black rows (resize_with_pad)', () => {
    const out = resizeWithPad(new Uint8Array(32 * 64 * 3).fill(200), 32, 64, 16, 16);   // -> 8 x 16, rows 4..11
    const row = (y: number) => Array.from(out.subarray(y * 48, (y + 1) * 48));
    for (const y of [0, 3, 12, 15]) expect(row(y).every((v) => v === 0)).toBe(true);
    for (const y of [4, 8, 11]) expect(row(y).every((v) => v === 200)).toBe(true);
  });
  it('shrinking averages (antialiased) instead of picking pixels: a 1-pixel checkerboard becomes grey', () => {
    const n = 64, src = new Uint8Array(n * n * 3);
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) src.fill((x + y) % 2 ? 255 : 0, (y * n + x) * 3, (y * n + x) * 3 + 3);
    const out = resizeWithPad(src, n, n, 16, 16);
    for (const v of out) expect(Math.abs(v - 127.5)).toBeLessThan(12);
  });
  it('float CHW in [0, 1] becomes uint8 HWC', () => {
    const chw = new Float32Array(3 * 2 * 2);
    chw.set([1, 1, 1, 1], 0); chw.set([0, 0, 0, 0], 4); chw.set([0.5, 0.5, 0.5, 0.5], 8);   // R = 1, G = 0, B = 0.5
    const { rgb, h, w } = toUint8Hwc(wire({ x: ndarray(chw, [3, 2, 2]) }).x, 'x');
    expect([h, w]).toEqual([2, 2]);
    expect(Array.from(rgb.subarray(0, 6))).toEqual([255, 0, 128, 255, 0, 128]);
  });
  it('refuses too many pixels, wrong ranks and non-image dtypes, naming the key', () => {
    const big: NdArray = { dtype: '|u1', shape: [4097, 4097, 3], data: new Uint8Array(0) };   // the check comes before any read
    expect(() => toUint8Hwc(big, 'cam')).toThrow(new RegExp(`cam: 4097x4097 exceeds the ${MAX_IMAGE_PIXELS} pixels`));
    expect(() => toUint8Hwc(ndarray(new Uint8Array(12), [4, 3]), 'cam')).toThrow(/cam: an image must have 3 dimensions/);
    expect(() => toUint8Hwc(ndarray(new Uint16Array(12), [2, 2, 3]), 'cam')).toThrow(/cam: an image must be uint8/);
  });
});

describe('key maps', () => {
  it('literal top-level keys first, then "/"-separated paths into nested maps (ALOHA)', () => {
    expect(lookup({ 'observation/image': 1 }, ['observation/image'])).toEqual({ key: 'observation/image', value: 1 });
    expect(lookup({ images: { cam_high: 2 } }, ['images/cam_high'])).toEqual({ key: 'images/cam_high', value: 2 });
    expect(lookup({ images: {} }, ['images/cam_high', 'x'])).toBeUndefined();
  });
  it('zod errors name the bad field', () => {
    expect(() => parseKeyMap({ state: [] })).toThrow(/key map: invalid key map: state: /);
    expect(() => parseKeyMap({ cameras: {} })).toThrow(/Unrecognized key.*cameras/);
    expect(parseKeyMap({ state: ['state'] }).prompt).toEqual(['prompt', 'task']);
  });
  it('an ALOHA-style client (nested images, float CHW 3x224x224, "state") maps with a custom key map', () => {
    const keyMap = parseKeyMap({ images: { scene: ['images/cam_high'], wrist: ['images/cam_left_wrist'] }, state: ['state'] });
    const chw = () => ndarray(new Float32Array(3 * 224 * 224).fill(0.25), [3, 224, 224]);
    const { observation } = mapObservation(wire({ images: { cam_high: chw(), cam_left_wrist: chw() }, state: ndarray(state14), prompt: 'fold' }), { ...ctx, keyMap });
    expect(observation.images.scene![0]!.rgb.length).toBe(16 * 16 * 3);
    expect(observation.images.scene![0]!.rgb[0]).toBe(64);
  });
});

describe('the Observation', () => {
  it("Karakuri's layout: joints, EE position, EE quaternion, gripper; wrench and touch; the default embodiment", () => {
    const msg = wire({ 'observation.images.scene': img(16, 16), 'observation.images.wrist': img(16, 16), 'observation.state': ndarray(state14), 'observation.wrench': [1, 2, 3, 4, 5, 6], 'observation.touch': ndarray(Float64Array.of(0.5, 0.25)), prompt: 'pick' });
    const { observation: o, reset } = mapObservation(msg, ctx);
    expect(o.embodiment).toBe('kara6');
    expect(Array.from(o.proprio.jointPos)).toEqual(Array.from(state14.subarray(0, 6)));
    expect(o.proprio.eePos).toEqual(Array.from(state14.subarray(6, 9)));
    expect(o.proprio.eeQuat).toEqual(Array.from(state14.subarray(9, 13)));
    expect(o.proprio.gripper).toBe(state14[13]);
    expect(o.wrench).toEqual({ force: [1, 2, 3], torque: [4, 5, 6] });
    expect(o.touch).toEqual([0.5, 0.25]);
    expect(o.instruction).toBe('pick');
    expect(reset).toBe(false);
  });
  it('missing wrench and touch are zeros; reset accepts true, 1 and np.bool_', () => {
    const base = { 'observation/image': img(16, 16), 'observation/wrist_image': img(16, 16), 'observation/state': ndarray(state14), prompt: 'p' };
    expect(mapObservation(wire(base), ctx).observation.wrench).toEqual({ force: [0, 0, 0], torque: [0, 0, 0] });
    for (const r of [true, 1, npScalar('|b1', true)]) expect(mapObservation(wire({ ...base, reset: r }), ctx).reset).toBe(true);
    expect(() => mapObservation(wire({ ...base, reset: 'yes' }), ctx)).toThrow(/reset: must be a bool/);
  });
  it('without an embodiment key or a server default, the error lists the known arms', () => {
    const base = { 'observation/image': img(16, 16), 'observation/wrist_image': img(16, 16), 'observation/state': ndarray(state14), prompt: 'p' };
    expect(() => mapObservation(wire(base), { ...ctx, defaultEmbodiment: undefined })).toThrow(ObservationError);
    expect(() => mapObservation(wire(base), { ...ctx, defaultEmbodiment: undefined })).toThrow(/names no embodiment .* known: kara6, kara7/);
  });
});
