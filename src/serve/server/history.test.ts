// Frame history sent by the client: a 4-D image [T, H, W, 3] (or float [T, 3, H, W]) per camera, oldest first, over
// real sockets and a real (tiny, random-init) model. The answer equals Policy.infer on an Observation that carries the
// same history (the env's own shape), whatever the connection saw before; frames older than the model's `history`
// are ignored; a repeated first frame is padding as after an env reset; wrong T, rank or channel count, or cameras
// that disagree on sending a history, are clear errors naming the key (mapObservation, and a text frame + 1011).
// The client SDK's observationMessage sends a MuJoCo Env's own history, and the answer is Policy.infer's on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CameraFrame, Observation } from '../../sim/observation.ts';
import { Policy } from '../../model/policy.ts';
import { ndarray, packMessage, unpackMessage, type NdArray } from '../protocol/ndarray.ts';
import { Env } from '../../sim/env.ts';
import { observationMessage } from '../client/observation.ts';
import { DEFAULT_KEY_MAP } from '../observation/keys.ts';
import { mapObservation, type MapContext } from '../observation/map.ts';
import { startPolicyServer, type PolicyServer } from './server.ts';
import { connect, type TestConn } from './test-ws.ts';
import { karakuriMessage, kara6State, PROMPTS, testImage, writeTestModel } from './test-model.ts';

const { dir, cfg } = writeTestModel();
const [H, W] = cfg.vision.imageSize;
const T = cfg.history;
const CAMS = ['scene', 'wrist'] as const;
let server: PolicyServer;
let reference: Policy;

beforeAll(async () => {
  server = await startPolicyServer({ model: dir, port: 0, host: '127.0.0.1', embodiment: 'kara6' });
  reference = await Policy.load(dir);
});
afterAll(async () => { await server.close(); reference.dispose(); });

/** Per camera, the frames of these seeds (oldest first). */
const framesOf = (cam: number, seeds: readonly number[]) => seeds.map((s) => testImage(H, W, 10 * s + cam));
/** uint8 [n, H, W, 3] of frames. */
function stack(frames: Uint8Array[]): NdArray {
  const out = new Uint8Array(frames.length * H * W * 3);
  frames.forEach((f, i) => out.set(f, i * f.length));
  return ndarray(out, [frames.length, H, W, 3]);
}
/** float [n, 3, H, W] in [0, 1] with exactly the pixels of `frames` (v / 255 rounds back to v). */
function stackChw(frames: Uint8Array[]): NdArray {
  const n = H * W, out = new Float32Array(frames.length * 3 * n);
  frames.forEach((f, t) => { for (let c = 0; c < 3; c++) for (let i = 0; i < n; i++) out[(t * 3 + c) * n + i] = f[i * 3 + c]! / 255; });
  return ndarray(out, [frames.length, 3, H, W]);
}
/** karakuriMessage with each camera's history of these seeds. */
const historyMessage = (seeds: readonly number[], as: (f: Uint8Array[]) => NdArray = stack) =>
  karakuriMessage(cfg, { extra: Object.fromEntries(CAMS.map((cam, c) => [`observation.images.${cam}`, as(framesOf(c, seeds))])) });

/** The Observation karakuriMessage(cfg) stands for, with each camera's frames of these seeds (the env's history). */
function simObservation(seeds: readonly number[]): Observation {
  const s = Array.from(kara6State(0));
  const images: Record<string, CameraFrame[]> = {};
  CAMS.forEach((cam, c) => { images[cam] = framesOf(c, seeds).map((rgb) => ({ rgb, depth: new Float32Array(0) })); });
  return {
    embodiment: 'kara6', instruction: PROMPTS[0]!, time: 0, images,
    proprio: { jointPos: Float64Array.from(s.slice(0, 6)), jointVel: new Float64Array(6), eePos: [s[6]!, s[7]!, s[8]!], eeQuat: [s[9]!, s[10]!, s[11]!, s[12]!], gripper: s[13]! },
    wrench: { force: [Math.fround(0.1), 0, Math.fround(-0.2)], torque: [0, Math.fround(0.01), 0] }, touch: [0, 0.5],
  };
}

async function open(): Promise<TestConn> {
  const c = await connect(server.port);
  expect((unpackMessage((await c.next()).data) as { history: number }).history).toBe(T);   // metadata tells the history
  return c;
}
async function ask(c: TestConn, msg: unknown): Promise<number[]> {
  c.send(packMessage(msg));
  const f = await c.next();
  if (!f.binary) throw new Error(`text frame: ${f.data.toString()}`);
  return Array.from((unpackMessage(f.data) as { actions: NdArray }).actions.data as Float32Array);
}
const maxDiff = (a: number[], b: Float32Array[]) => Math.max(...b.flatMap((x, k) => Array.from(x, (v, j) => Math.abs(v - a[k * 7 + j]!))));
const expected = (seeds: readonly number[]) => { reference.reset(); return reference.infer(simObservation(seeds)); };

describe('a client-sent frame history', () => {
  it('gives the actions Policy.infer gives on an Observation with that history, regardless of what came before', async () => {
    expect(T).toBe(2);
    const c = await open();
    // frames 5 control steps apart would come from the server's own history; the client's own [4, 5] wins
    await ask(c, historyMessage([0, 0]));
    const a = await ask(c, historyMessage([4, 5]));
    expect(maxDiff(a, expected([4, 5]))).toBeLessThan(1e-5);
    expect(await ask(c, historyMessage([4, 5]))).toEqual(a);   // no server-side history in between
    // more than `history` frames: only the last T count
    expect(await ask(c, historyMessage([9, 8, 4, 5]))).toEqual(a);
    // float [T, 3, H, W] in [0, 1]
    expect(maxDiff(await ask(c, historyMessage([4, 5], stackChw)), expected([4, 5]))).toBeLessThan(1e-5);
    // a repeated first frame (as the env pads at reset) is flagged padding: the same as the reference, unlike [6, 5]
    const padded = await ask(c, historyMessage([5, 5]));
    expect(maxDiff(padded, expected([5, 5]))).toBeLessThan(1e-5);
    expect(maxDiff(padded, expected([6, 5]))).toBeGreaterThan(1e-6);
    c.close();
  });
  it('differs from one 3-D frame per request (the server then pads the first and keeps its own history)', async () => {
    const c = await open();
    const single = await ask(c, karakuriMessage(cfg, { extra: { 'observation.images.scene': ndarray(framesOf(0, [5])[0]!, [H, W, 3]), 'observation.images.wrist': ndarray(framesOf(1, [5])[0]!, [H, W, 3]) } }));
    expect(maxDiff(single, expected([5, 5]))).toBeLessThan(1e-5);   // own history after a fresh start: padded
    expect(maxDiff(single, expected([4, 5]))).toBeGreaterThan(1e-6);
    c.close();
  });
  it('a wrong T is a text frame naming the key, and close 1011', async () => {
    const c = await open();
    c.send(packMessage(historyMessage([5])));
    const f = await c.next();
    expect(f.binary).toBe(false);
    expect(f.data.toString()).toMatch(/^Error in the policy server: observation\.images\.scene: a frame history of 1 frame \(shape \[1, 16, 16, 3\]\), but the model reads the last 2 frames per camera/);
    expect((await c.closed).code).toBe(1011);
  });
});

describe('the client SDK sends the env history', () => {
  it("observationMessage of a kara6 Env's observation (history 2, after steps) is answered as Policy.infer answers it", async () => {
    const env = await Env.create({ embodiment: 'kara6', width: W, height: H, history: T, instruction: PROMPTS[0]! });
    const c = await open();
    try {
      let obs = env.reset(1).observation;
      for (let t = 0; t < 3; t++) {
        const msg = observationMessage(obs, { reset: t === 0 });
        expect((msg['observation.images.scene'] as NdArray).shape).toEqual([T, H, W, 3]);
        const got = await ask(c, msg);
        reference.reset();
        expect(maxDiff(got, reference.infer(obs))).toBeLessThan(1e-5);
        obs = env.step(Float64Array.of(0.02, 0, -0.02, 0, 0, 0.1, 0.5)).observation;
      }
      // frames differ after a step: the last answer used the env's two frames, not a padded one
      expect(obs.images.scene![0]!.rgb).not.toEqual(obs.images.scene![1]!.rgb);
      expect((observationMessage(obs, { history: false })['observation.images.scene'] as NdArray).shape).toEqual([H, W, 3]);
    } finally { env.dispose(); c.close(); }
  });
});

describe('mapObservation of a history', () => {
  const ctx: MapContext = { cfg, embodiments: ['kara6'], keyMap: DEFAULT_KEY_MAP, defaultEmbodiment: 'kara6' };
  const wire = (m: unknown) => unpackMessage(packMessage(m));   // as the server decodes it
  const msg = (scene: unknown, wrist: unknown = stack(framesOf(1, [1, 2]))) => ({ ...karakuriMessage(cfg), 'observation.images.scene': scene, 'observation.images.wrist': wrist });
  it('maps [T, H, W, 3] under any mapped key (LIBERO\'s too) to the last `history` frames, oldest first', () => {
    const m = { 'observation/image': stack(framesOf(0, [1, 2, 3])), 'observation/wrist_image': stack(framesOf(1, [1, 2, 3])), 'observation/state': ndarray(kara6State(0)), prompt: 'x' };
    const o = mapObservation(wire(m), ctx).observation;
    expect(o.images.scene!.map((f) => f.rgb)).toEqual(framesOf(0, [2, 3]));
    expect(o.images.wrist!.map((f) => f.rgb)).toEqual(framesOf(1, [2, 3]));
  });
  it('resizes each frame of a history of another size, as a 3-D image', () => {
    const big = ndarray(new Uint8Array(2 * 32 * 48 * 3).fill(100), [2, 32, 48, 3]);
    const o = mapObservation(wire(msg(big)), ctx).observation;
    expect(o.images.scene!.map((f) => f.rgb.length)).toEqual([H * W * 3, H * W * 3]);
  });
  it('wrong T, rank or channels, or cameras that disagree, are errors naming the key', () => {
    const err = (m: unknown) => { try { mapObservation(wire(m), ctx); } catch (e) { return (e as Error).message; } return 'no error'; };
    expect(err(msg(stack([])))).toMatch(/^observation\.images\.scene: a frame history of 0 frames .* send at least 2 \(oldest first\) or one 3-D image/);
    expect(err(msg(ndarray(new Uint8Array(2 * H * W * 4), [2, H, W, 4])))).toMatch(/^observation\.images\.scene\[0\]: an image needs 3 colour channels/);
    expect(err(msg(ndarray(new Uint8Array(2 * H * W * 3), [1, 2, H, W, 3])))).toMatch(/^observation\.images\.scene: an image must have 3 dimensions .* or 4 for a frame history .* got shape \[1, 2, 16, 16, 3\]/);
    expect(err(msg(ndarray(new Float32Array(2 * H * W * 3).fill(2), [2, H, W, 3])))).toMatch(/^observation\.images\.scene\[0\]: a float image must hold values in \[0, 1\]/);
    expect(err(msg(stack(framesOf(0, [1, 2])), ndarray(framesOf(1, [2])[0]!, [H, W, 3])))).toMatch(/^observation\.images\.wrist: one 3-D image while observation\.images\.scene carries a frame history: send a history .* for every camera or for none/);
    expect(err(msg(ndarray(framesOf(0, [2])[0]!, [H, W, 3])))).toMatch(/^observation\.images\.wrist: a frame history \(shape \[2, 16, 16, 3\]\) while observation\.images\.scene is one 3-D image/);
  });
});
