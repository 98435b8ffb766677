// Renderer tests against real MuJoCo: depth vs mj_ray on every geom type (and the WidowX meshes),
// projection of known points, colours under known lighting, occlusion, visibility rules, bad input.
// PNG snapshots of the scenes go to $TMPDIR/karakuri-render for eyeballing.

import loadMujoco, { type MainModule, type MjData, type MjModel } from '@mujoco/mujoco';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Renderer, type RenderOutput } from './index.ts';
import { projectPoint } from './camera.ts';
import { writeDepthPng, writeRgbPng } from './png.ts';

let mj: MainModule;
const owned: { delete(): void }[] = [];
const snapDir = join(tmpdir(), 'karakuri-render');

beforeAll(async () => {
  mj = await loadMujoco();
  mkdirSync(snapDir, { recursive: true });
});
afterAll(() => { for (const o of owned.reverse()) o.delete(); });

function load(xml: string, files?: Map<string, Uint8Array>): { m: MjModel; d: MjData } {
  let m: MjModel;
  if (files) {
    const vfs = new mj.MjVFS();
    for (const [p, b] of files) vfs.addBuffer(p, b);
    m = mj.MjModel.from_xml_string(xml, vfs);
    vfs.delete();
  } else {
    m = mj.MjModel.from_xml_string(xml);
  }
  const d = new mj.MjData(m);
  owned.push(m, d);
  mj.mj_forward(m, d);
  return { m, d };
}

function snap(name: string, r: Renderer, o: RenderOutput): void {
  writeRgbPng(join(snapDir, `${name}.png`), o.rgb, r.width, r.height);
  writeDepthPng(join(snapDir, `${name}_depth.png`), o.depth, r.width, r.height, r.far);
}

/**
 * Reference depth image from mj_ray: one ray per pixel centre through the pinhole model of camera
 * `cam`; the ray direction has unit component along the optical axis, so MuJoCo's ray parameter is
 * the along-axis depth. Returns depth (-1 for a miss) and the geom hit.
 */
function rayImage(m: MjModel, d: MjData, cam: number, W: number, H: number, groups: number[] | null): { depth: Float64Array; geom: Int32Array } {
  const cp = Array.from((d.cam_xpos as Float64Array).subarray(3 * cam, 3 * cam + 3));
  const R = (d.cam_xmat as Float64Array).subarray(9 * cam, 9 * cam + 9);
  const f = H / 2 / Math.tan(((m.cam_fovy as Float64Array)[cam]! * Math.PI) / 360);
  const gid = new mj.IntBuffer(1), nrm = new mj.DoubleBuffer(3);
  const depth = new Float64Array(W * H), geom = new Int32Array(W * H);
  try {
    for (let j = 0; j < H; j++) for (let i = 0; i < W; i++) {
      const x = (i + 0.5 - W / 2) / f, y = -(j + 0.5 - H / 2) / f, zc = -1;
      const v = [R[0]! * x + R[1]! * y + R[2]! * zc, R[3]! * x + R[4]! * y + R[5]! * zc, R[6]! * x + R[7]! * y + R[8]! * zc];
      depth[j * W + i] = mj.mj_ray(m, d, cp, v, groups as number[], true, -1, gid, nrm);
      geom[j * W + i] = (gid.GetView() as Int32Array)[0]!;
    }
  } finally {
    gid.delete(); nrm.delete();
  }
  return { depth, geom };
}

/** Compares rendered depth with mj_ray away from silhouettes (pixels whose 4 neighbours hit the same geom). */
function compareWithRays(o: RenderOutput, ref: { depth: Float64Array; geom: Int32Array }, W: number, H: number, far: number) {
  const errs: number[] = [];
  let missMismatch = 0, misses = 0;
  for (let j = 1; j < H - 1; j++) for (let i = 1; i < W - 1; i++) {
    const k = j * W + i, g = ref.geom[k]!;
    if ([k - 1, k + 1, k - W, k + W].some((n) => ref.geom[n] !== g)) continue;
    if (ref.depth[k]! > far * 0.99) continue; // infinite planes stop at `far` in the renderer
    if (g < 0) { misses++; if (o.depth[k] !== Math.fround(far)) missMismatch++; continue; }
    errs.push(Math.abs(o.depth[k]! - ref.depth[k]!));
  }
  errs.sort((a, b) => a - b);
  return { n: errs.length, misses, missMismatch, p98: errs[Math.floor(errs.length * 0.98)] ?? 0, max: errs[errs.length - 1] ?? 0 };
}

const ALL_GEOMS = `<mujoco>
  <asset>
    <mesh name="oct" vertex="0.12 0 0  -0.12 0 0  0 0.12 0  0 -0.12 0  0 0 0.16  0 0 -0.16"/>
    <material name="mat" rgba="0.2 0.8 0.3 1"/>
  </asset>
  <worldbody>
    <light pos="0 -1 3" dir="0 0.3 -1"/>
    <camera name="view" pos="0 -1.7 1.3" xyaxes="1 0 0 0 0.6 0.8" fovy="45"/>
    <geom name="floor" type="plane" size="1.2 1.2 0.1" rgba="0.8 0.8 0.8 1"/>
    <geom name="box" type="box" pos="-0.5 0 0.15" euler="0 0 30" size="0.1 0.15 0.15" rgba="0.9 0.2 0.2 1"/>
    <geom name="sphere" type="sphere" pos="0 0 0.2" size="0.2" rgba="0.2 0.9 0.2 1"/>
    <geom name="capsule" type="capsule" pos="0.5 0 0.25" euler="30 20 0" size="0.08 0.15" rgba="0.2 0.3 0.9 1"/>
    <geom name="cylinder" type="cylinder" pos="0.45 0.5 0.15" euler="0 40 0" size="0.12 0.1" rgba="0.9 0.8 0.1 1"/>
    <geom name="ellipsoid" type="ellipsoid" pos="-0.45 0.5 0.15" euler="0 0 20" size="0.2 0.1 0.12" rgba="0.8 0.2 0.8 1"/>
    <geom name="mesh" type="mesh" mesh="oct" pos="0 0.55 0.2" euler="10 0 30" material="mat"/>
    <geom name="hidden_group" type="box" pos="0 -0.5 0.2" size="0.1 0.1 0.1" group="3" rgba="1 1 1 1"/>
    <geom name="hidden_alpha" type="box" pos="0.2 -0.5 0.2" size="0.1 0.1 0.1" rgba="1 1 1 0"/>
  </worldbody>
</mujoco>`;

describe('depth agrees with mj_ray', () => {
  it('on every geom type (plane, box, sphere, capsule, cylinder, ellipsoid, mesh) within the tessellation error', () => {
    const { m, d } = load(ALL_GEOMS);
    const W = 80, H = 60;
    // 64 segments at every size: the polygon sags inside a round surface by at most
    // r (1 - cos^2(pi/64)) = 0.0024 r, i.e. 0.5 mm on the 0.2 m sphere; flat geoms are exact up to float32.
    const r = new Renderer(m, { width: W, height: H, segments: 64, lodPixels: 0 });
    const o = r.render(d, 'view');
    snap('all_geoms', r, o);
    const ref = rayImage(m, d, 0, W, H, [1, 1, 1, 0, 0, 0]);
    const s = compareWithRays(o, ref, W, H, r.far);
    expect(s.n).toBeGreaterThan(2000);
    expect(s.misses).toBeGreaterThan(50); // some background above the horizon of the finite floor
    expect(s.missMismatch).toBe(0); // background depth is exactly `far`
    expect(s.p98).toBeLessThan(1e-3); // 98% within 1 mm
    expect(s.max).toBeLessThan(5e-3); // grazing angles magnify the sag; never more than 5 mm
    // every geom type is actually in view
    const hit = new Set(ref.geom);
    for (let g = 0; g < 7; g++) expect(hit.has(g)).toBe(true);
  });

  it('with default level of detail and a close camera (near-plane clipping)', () => {
    const { m, d } = load(ALL_GEOMS.replace('pos="0 -1.7 1.3" xyaxes="1 0 0 0 0.6 0.8"', 'pos="0 -0.45 0.45" xyaxes="1 0 0 0 0.5 0.866"'));
    const W = 96, H = 72;
    const r = new Renderer(m, { width: W, height: H, near: 0.05 });
    const o = r.render(d, 'view');
    snap('close', r, o);
    const ref = rayImage(m, d, 0, W, H, [1, 1, 1, 0, 0, 0]);
    const s = compareWithRays(o, ref, W, H, r.far);
    // LOD keeps the outline within 0.25 px: the sag is at most 0.25 px * depth / f, about 1.5 mm here
    // (more where the surface is seen at a grazing angle).
    expect(s.p98).toBeLessThan(3e-3);
    expect(s.max).toBeLessThan(1e-2);
  });

  it('on the WidowX meshes loaded through MjVFS', () => {
    const dir = '/work/shared/fixtures/mjcf/trossen_wx250s';
    let exists = true;
    try { statSync(dir); } catch { exists = false; }
    if (!exists) return;
    const files = new Map<string, Uint8Array>();
    const walk = (p: string) => {
      for (const n of readdirSync(p)) {
        const q = join(p, n);
        if (statSync(q).isDirectory()) walk(q); else files.set(relative(dir, q), new Uint8Array(readFileSync(q)));
      }
    };
    walk(dir);
    const xml = readFileSync(join(dir, 'scene.xml'), 'utf8').replace(
      '<worldbody>', '<worldbody><camera name="side" pos="0.55 -0.45 0.4" xyaxes="0.63 0.77 0 -0.3 0.25 0.92" fovy="50"/>');
    const { m, d } = load(xml, files);
    const W = 96, H = 96;
    // Meshes as MuJoCo has them (no decimation): exact up to float32.
    const exact = new Renderer(m, { width: W, height: H, meshGrid: 0 });
    const o = exact.render(d, 'side');
    snap('widowx_exact', exact, o);
    const ref = rayImage(m, d, exact.cameraId('side'), W, H, [1, 1, 1, 0, 0, 0]);
    const s = compareWithRays(o, ref, W, H, exact.far);
    expect(s.n).toBeGreaterThan(3000);
    expect(s.p98).toBeLessThan(1e-4);
    // Default: per-frame mesh level of detail (vertex clustering, cells of at most 1 px): error of the
    // order of a cell (1 px is ~7 mm at this distance), about half the triangles.
    const dec = new Renderer(m, { width: W, height: H });
    const od = dec.render(d, 'side');
    snap('widowx', dec, od);
    const sd = compareWithRays(od, ref, W, H, dec.far);
    console.log(`WidowX depth vs mj_ray, 96x96: exact meshes p98 ${(s.p98 * 1e3).toFixed(4)} mm, max ${(s.max * 1e3).toFixed(3)} mm; ` +
      `LOD p98 ${(sd.p98 * 1e3).toFixed(2)} mm, max ${(sd.max * 1e3).toFixed(1)} mm, ${dec.lastTriangles} of ${exact.lastTriangles} triangles`);
    expect(sd.p98).toBeLessThan(5e-3);
    expect(dec.lastTriangles).toBeLessThan(0.6 * exact.lastTriangles);
    // the level of detail follows the distance: the same arm from 4x as far draws fewer triangles
    const pose = dec.cameraPose(d, 'side'), back = pose.pos.map((p, k) => p + 3 * (p - [0, 0, 0.12][k]!)) as [number, number, number];
    dec.render(d, { pos: back, xmat: pose.xmat, fovy: pose.fovy });
    const farTris = dec.lastTriangles;
    dec.render(d, 'side');
    expect(farTris).toBeLessThan(0.6 * dec.lastTriangles);
  });
});

/** Centroid (x, y in pixel units, pixel centres at +0.5) of pixels matching `pred`. */
function centroid(o: RenderOutput, W: number, pred: (r: number, g: number, b: number) => boolean): { x: number; y: number; n: number } {
  let sx = 0, sy = 0, n = 0;
  for (let k = 0; k < o.depth.length; k++) {
    if (pred(o.rgb[3 * k]!, o.rgb[3 * k + 1]!, o.rgb[3 * k + 2]!)) { sx += (k % W) + 0.5; sy += Math.floor(k / W) + 0.5; n++; }
  }
  return { x: sx / n, y: sy / n, n };
}

describe('projection', () => {
  it('puts a known 3-D point at the pixel of the pinhole model (MuJoCo camera looks along -z, y up, top row first)', () => {
    // Camera at (0, -2, 0.5) looking along +y with z up; fovy 90 -> f = H/2 = 50 px.
    // Point (0.5, 0, 0.75): 0.5 m right, 0.25 m up, 2 m deep -> pixel (50 + 50*0.25, 50 - 50*0.125) = (62.5, 43.75).
    const { m, d } = load(`<mujoco><visual><headlight ambient="1 1 1" diffuse="0 0 0"/></visual><worldbody>
      <camera name="c" pos="0 -2 0.5" xyaxes="1 0 0 0 0 1" fovy="90"/>
      <geom type="sphere" pos="0.5 0 0.75" size="0.06" rgba="1 0 0 1"/>
      <geom type="sphere" pos="-0.8 0 -0.3" size="0.06" rgba="0 0 1 1"/></worldbody></mujoco>`);
    const r = new Renderer(m, { width: 100, height: 100 });
    const o = r.render(d, 'c');
    snap('projection', r, o);
    const red = centroid(o, 100, (R, G, B) => R > 128 && G < 50 && B < 50);
    expect(red.n).toBeGreaterThan(5);
    expect(red.x).toBeCloseTo(62.5, 0);
    expect(Math.abs(red.x - 62.5)).toBeLessThan(0.3);
    expect(Math.abs(red.y - 43.75)).toBeLessThan(0.3);
    // Blue: 0.8 left, 0.8 down -> (50 - 20, 50 + 20) = (30, 70): lower left.
    const blue = centroid(o, 100, (R, G, B) => B > 128 && R < 50 && G < 50);
    expect(Math.abs(blue.x - 30)).toBeLessThan(0.3);
    expect(Math.abs(blue.y - 70)).toBeLessThan(0.3);
    // depth at the red centre: 2 m minus the sphere's radius, within the level-of-detail sag
    // (0.25 px = 0.25 * 2 m / 50 px = 1 cm at this distance)
    expect(Math.abs(o.depth[43 * 100 + 62]! - (2 - 0.06))).toBeLessThan(0.01);
    // projectPoint gives the same pixels (the sphere centres) and depths from the camera's pose; behind = depth < 0
    const pose = r.cameraPose(d, 'c');
    const pr = projectPoint(pose, [0.5, 0, 0.75], 100, 100), pb = projectPoint(pose, [-0.8, 0, -0.3], 100, 100);
    expect(Math.abs(pr.u - red.x)).toBeLessThan(0.3);
    expect(Math.abs(pr.v - red.y)).toBeLessThan(0.3);
    expect(pr.depth).toBeCloseTo(2, 6);
    expect(Math.abs(pb.u - blue.x)).toBeLessThan(0.3);
    expect(Math.abs(pb.v - blue.y)).toBeLessThan(0.3);
    expect(projectPoint(pose, [0, -3, 0.5], 100, 100).depth).toBeCloseTo(-1, 6);
  });

  it('renders a free camera given by look-at exactly as the model camera with the same pose', () => {
    const { m, d } = load(ALL_GEOMS);
    const r = new Renderer(m, { width: 48, height: 36 });
    const a = r.render(d, 'view', { rgb: new Uint8Array(48 * 36 * 3), depth: new Float32Array(48 * 36) });
    const pose = r.cameraPose(d, 'view');
    const b = r.render(d, { pos: pose.pos, xmat: pose.xmat, fovy: pose.fovy }, { rgb: new Uint8Array(48 * 36 * 3), depth: new Float32Array(48 * 36) });
    expect(Array.from(b.rgb)).toEqual(Array.from(a.rgb));
    // the same camera by look-at: the camera looks along -z = -(0, 0.6, 0.8)*... towards the origin's line
    const pos = pose.pos, zc = [pose.xmat[2]!, pose.xmat[5]!, pose.xmat[8]!];
    const c = r.render(d, { pos, lookat: [pos[0] - zc[0]!, pos[1] - zc[1]!, pos[2] - zc[2]!], fovy: pose.fovy },
      { rgb: new Uint8Array(48 * 36 * 3), depth: new Float32Array(48 * 36) });
    let diff = 0;
    for (let k = 0; k < c.depth.length; k++) diff = Math.max(diff, Math.abs(c.depth[k]! - a.depth[k]!));
    expect(diff).toBeLessThan(1e-3);
  });
});

describe('colour and lighting', () => {
  const lit = (extra: string, light = '<light directional="true" pos="0 0 2" dir="0 0 -1" diffuse="0.6 0.6 0.6" ambient="0.2 0.2 0.2" specular="0 0 0"/>') => `<mujoco>
    <visual><headlight active="0"/></visual>
    <asset><material name="green" rgba="0 0.8 0 1"/></asset>
    <worldbody>${light}
      <camera name="down" pos="0 0 3" xyaxes="1 0 0 0 1 0" fovy="40"/>
      ${extra}
    </worldbody></mujoco>`;

  it('gives rgba x (ambient + diffuse cos) under a known directional light', () => {
    // (a second, switched-off light must not count)
    const { m, d } = load(lit(`
      <geom type="box" pos="-0.4 0 0" size="0.2 0.2 0.1" rgba="1 0.5 0.25 1"/>
      <geom type="box" pos="0.4 0.3 0" euler="60 0 0" size="0.2 0.2 0.01" rgba="1 0.5 0.25 1"/>
      <geom type="box" pos="0.4 -0.4 0" size="0.15 0.15 0.1" material="green"/>`,
    `<light directional="true" pos="0 0 2" dir="0 0 -1" diffuse="0.6 0.6 0.6" ambient="0.2 0.2 0.2" specular="0 0 0"/>
     <light directional="true" pos="0 0 2" dir="0 0 -1" diffuse="1 1 1" active="false"/>`));
    const W = 120, H = 120;
    const r = new Renderer(m, { width: W, height: H });
    const o = r.render(d, 'down');
    snap('lighting', r, o);
    const at = (x: number, y: number) => {
      // world (x, y) on the z=0 plane -> pixel through the pinhole (camera 3 m above, looking down)
      const f = H / 2 / Math.tan((20 * Math.PI) / 180);
      const i = Math.floor(W / 2 + (f * x) / 3), j = Math.floor(H / 2 - (f * y) / 3);
      const k = j * W + i;
      return [o.rgb[3 * k]!, o.rgb[3 * k + 1]!, o.rgb[3 * k + 2]!];
    };
    // facing the light: (0.2 + 0.6) * (1, 0.5, 0.25) * 255
    const a = at(-0.4, 0);
    expect(Math.abs(a[0]! - 204)).toBeLessThanOrEqual(1);
    expect(Math.abs(a[1]! - 102)).toBeLessThanOrEqual(1);
    expect(Math.abs(a[2]! - 51)).toBeLessThanOrEqual(1);
    // tilted 60 degrees: (0.2 + 0.6 cos 60) = 0.5
    const b = at(0.4, 0.3);
    expect(Math.abs(b[0]! - 127.5)).toBeLessThanOrEqual(1);
    expect(Math.abs(b[1]! - 63.75)).toBeLessThanOrEqual(1);
    expect(Math.abs(b[2]! - 31.9)).toBeLessThanOrEqual(1);
    // material colour when the geom has no rgba of its own: 0.8 * 0.8 * 255
    const c = at(0.4, -0.4);
    expect(c[0]).toBe(0);
    expect(Math.abs(c[1]! - 163.2)).toBeLessThanOrEqual(1);
    expect(c[2]).toBe(0);
  });

  it('lights with the headlight alone, and follows a spot light cone', () => {
    const head = load(`<mujoco><visual><headlight ambient="0.3 0.3 0.3" diffuse="0.5 0.5 0.5" specular="0 0 0"/></visual><worldbody>
      <camera name="down" pos="0 0 3" xyaxes="1 0 0 0 1 0" fovy="40"/>
      <geom type="box" size="0.5 0.5 0.1" rgba="0.5 1 1 1"/></worldbody></mujoco>`);
    const r = new Renderer(head.m, { width: 32, height: 32 });
    const o = r.render(head.d, 'down');
    const k = 16 * 32 + 16;
    expect(Math.abs(o.rgb[3 * k]! - 0.8 * 0.5 * 255)).toBeLessThanOrEqual(1);
    expect(Math.abs(o.rgb[3 * k + 1]! - 0.8 * 255)).toBeLessThanOrEqual(1);
    // spot light (cutoff 20 deg) straight down on a plane: bright under it, only ambient far outside the cone
    const spot = load(lit('<geom type="plane" size="3 3 0.1" rgba="1 1 1 1"/>',
      '<light pos="0 0 1" dir="0 0 -1" cutoff="45" exponent="0" diffuse="0.5 0.5 0.5" ambient="0 0 0" specular="0 0 0"/>'));
    const rs = new Renderer(spot.m, { width: 64, height: 64 });
    const os = rs.render(spot.d, 'down');
    snap('spot', rs, os);
    // per-vertex lighting on the plane's grid (0.6 m cells here): the centre is a vertex, its neighbours
    // are 31 degrees off the axis (cos 0.86), so the centre pixel is within a few levels of 0.5 * 255
    expect(Math.abs(os.rgb[3 * (32 * 64 + 32)]! - 127.5)).toBeLessThanOrEqual(4);
    expect(os.rgb[3 * (2 * 64 + 2)]).toBe(0);
  });

  it('samples a plane\'s 2-D texture with MuJoCo\'s texture-coordinate mapping; textures: false uses its average', () => {
    // Checker texture, 2x2 squares (rgb1 top-left and bottom-right of the image), repeated once per 2 m
    // (texuniform, texrepeat 1): MuJoCo's texgen s = 0.5 x - 0.5, t = -0.5 y - 0.5, so the square
    // around (-0.5, 0.5) is rgb1 (red), (0.5, 0.5) rgb2 (blue), (0.5, -0.5) red again.
    const { m, d } = load(`<mujoco>
      <visual><headlight active="0"/></visual>
      <asset><texture name="chk" type="2d" builtin="checker" rgb1="1 0 0" rgb2="0 0 1" width="64" height="64"/>
        <material name="floor" texture="chk" texuniform="true" texrepeat="1 1" specular="0"/></asset>
      <worldbody><light directional="true" pos="0 0 2" dir="0 0 -1" diffuse="0.6 0.6 0.6" ambient="0.2 0.2 0.2" specular="0 0 0"/>
        <camera name="down" pos="0 0 3" xyaxes="1 0 0 0 1 0" fovy="40"/>
        <geom type="plane" size="0 0 0.1" material="floor"/></worldbody></mujoco>`);
    const W = 120, H = 120, f = H / 2 / Math.tan((20 * Math.PI) / 180);
    const r = new Renderer(m, { width: W, height: H });
    const o = r.render(d, 'down');
    snap('texture', r, o);
    const at = (out: RenderOutput, x: number, y: number) => {
      const k = Math.floor(H / 2 - (f * y) / 3) * W + Math.floor(W / 2 + (f * x) / 3);
      return [out.rgb[3 * k]!, out.rgb[3 * k + 1]!, out.rgb[3 * k + 2]!];
    };
    // (ambient 0.2 + diffuse 0.6) x texel
    expect(at(o, -0.5, 0.5)).toEqual([204, 0, 0]);
    expect(at(o, 0.5, 0.5)).toEqual([0, 0, 204]);
    expect(at(o, 0.5, -0.5)).toEqual([204, 0, 0]);
    expect(at(o, -0.5, -0.5)).toEqual([0, 0, 204]);
    // far away (grazing view) the mip levels blend the squares to their mean, purple, instead of aliasing
    const far = r.render(d, { pos: [0, -6, 0.4], lookat: [0, 40, 0], fovy: 40 });
    snap('texture_far', r, far);
    const row = Math.floor(H / 2) + 3, k = row * W + W / 2;
    expect(far.depth[k]).toBeGreaterThan(10);
    expect(Math.abs(far.rgb[3 * k]! - far.rgb[3 * k + 2]!)).toBeLessThan(20);
    expect(far.rgb[3 * k]).toBeGreaterThan(60);
    // a finite plane whose material is not texuniform: texrepeat counts per half-size (2 m here), so the
    // squares are 2 m wide: (-1.5, 0.5) and (-0.5, 0.5) red, (0.5, 0.5) blue
    const fin = load(`<mujoco>
      <visual><headlight active="0"/></visual>
      <asset><texture name="chk" type="2d" builtin="checker" rgb1="1 0 0" rgb2="0 0 1" width="64" height="64"/>
        <material name="floor" texture="chk" texrepeat="1 1" specular="0"/></asset>
      <worldbody><light directional="true" pos="0 0 2" dir="0 0 -1" diffuse="0.6 0.6 0.6" ambient="0.2 0.2 0.2" specular="0 0 0"/>
        <camera name="down" pos="0 0 6" xyaxes="1 0 0 0 1 0" fovy="40"/>
        <geom type="plane" size="2 2 0.1" material="floor"/></worldbody></mujoco>`);
    const of = new Renderer(fin.m, { width: W, height: H }).render(fin.d, 'down');
    const at6 = (x: number, y: number) => {
      const k = Math.floor(H / 2 - (f * y) / 6) * W + Math.floor(W / 2 + (f * x) / 6);
      return [of.rgb[3 * k]!, of.rgb[3 * k + 1]!, of.rgb[3 * k + 2]!];
    };
    expect(at6(-1.5, 0.5)).toEqual([204, 0, 0]);
    expect(at6(-0.5, 0.5)).toEqual([204, 0, 0]);
    expect(at6(0.5, 0.5)).toEqual([0, 0, 204]);
    // without textures: the average colour, (0.5, 0, 0.5) x 0.8
    const flat = new Renderer(m, { width: W, height: H, textures: false }).render(d, 'down');
    expect(at(flat, -0.5, 0.5)).toEqual([102, 0, 102]);
  });

  it('draws the model\'s skybox as the background: sky colour above, ground colour below', () => {
    // MuJoCo's gradient skybox is rgb1 at the zenith and rgb2 at the nadir
    const { m, d } = load(`<mujoco><asset>
      <texture type="skybox" builtin="gradient" rgb1="0.3 0.5 0.7" rgb2="0 0 0" width="64" height="384"/></asset>
      <worldbody><geom type="sphere" size="0.1" pos="0 0 -50"/></worldbody></mujoco>`);
    const W = 41, H = 31; // odd: the centre pixel looks exactly along the optical axis
    const r = new Renderer(m, { width: W, height: H });
    const px = (o: RenderOutput, i: number, j: number) => Array.from(o.rgb.subarray(3 * (j * W + i), 3 * (j * W + i) + 3));
    const up = r.render(d, { pos: [0, 0, 0], lookat: [0, 0, 1], up: [0, 1, 0], fovy: 30 });
    snap('skybox_up', r, up);
    [0.3, 0.5, 0.7].forEach((c, k) => expect(Math.abs(px(up, 20, 15)[k]! - 255 * c)).toBeLessThanOrEqual(3));
    // a camera that moved samples the sky per background pixel, a still one builds and then copies a
    // cached image: the same pixels either way
    const again = [1, 2].map(() => Array.from(r.render(d, { pos: [0, 0, 0], lookat: [0, 0, 1], up: [0, 1, 0], fovy: 30 }).rgb));
    expect(again[0]).toEqual(Array.from(up.rgb));
    expect(again[1]).toEqual(Array.from(up.rgb));
    const down = r.render(d, { pos: [0, 0, -45], lookat: [0, 0, -50], up: [0, 1, 0], fovy: 30 });
    expect(down.depth[15 * W + 20]).toBeCloseTo(4.9, 2); // the sphere 5 m below
    expect(Math.max(...px(down, 1, 1))).toBeLessThan(25); // around it, nearly black ground
    // looking at the horizon: brighter above than below, in every direction; depth stays `far`
    for (const dir of [[1, 0, 0], [0, 1, 0], [-1, 0, 0], [0, -1, 0]]) {
      const o = r.render(d, { pos: [0, 0, 0], lookat: dir as [number, number, number], fovy: 60 });
      expect(px(o, 20, 2)[2]).toBeGreaterThan(px(o, 20, 28)[2]! + 20);
      expect(o.depth[2 * W + 20]).toBe(Math.fround(r.far));
    }
    // an explicit background replaces the skybox
    const plain = new Renderer(m, { width: W, height: H, background: [0, 1, 0] }).render(d, { pos: [0, 0, 0], lookat: [1, 0, 0] });
    expect(px(plain, 20, 2)).toEqual([0, 255, 0]);
  });

  it('skips hidden groups and transparent geoms; shows a group when asked', () => {
    const { m, d } = load(lit(`
      <geom type="box" pos="-0.4 0 0" size="0.2 0.2 0.1" group="3" rgba="1 1 1 1"/>
      <geom type="box" pos="0.4 0 0" size="0.2 0.2 0.1" rgba="1 1 1 0"/>`));
    const k = 60 * 120 + 60 - 24; // left box centre
    const def = new Renderer(m, { width: 120, height: 120 }).render(d, 'down');
    expect(def.rgb.every((v) => v === 0)).toBe(true);
    const g3 = new Renderer(m, { width: 120, height: 120, geomGroups: [0, 1, 2, 3] }).render(d, 'down');
    expect(g3.rgb[3 * k]).toBeGreaterThan(150);
    expect(g3.depth[k]).toBeCloseTo(2.9, 3);
  });
});

describe('occlusion', () => {
  it('the nearer geom wins whatever the order in the model', () => {
    const near = '<geom type="box" pos="0 0 1" size="0.1 0.1 0.1" rgba="1 0 0 1"/>';
    const far = '<geom type="box" pos="0.1 0 0" size="0.3 0.3 0.1" rgba="0 0 1 1"/>';
    for (const body of [near + far, far + near]) {
      const { m, d } = load(`<mujoco><worldbody><camera name="down" pos="0 0 3" xyaxes="1 0 0 0 1 0" fovy="40"/>${body}</worldbody></mujoco>`);
      const o = new Renderer(m, { width: 64, height: 64 }).render(d, 'down');
      const c = 32 * 64 + 32;
      // red (the default headlight and material add a white specular highlight to every channel)
      expect(o.rgb[3 * c]).toBeGreaterThan(100);
      expect(o.rgb[3 * c + 2]).toBeLessThan(o.rgb[3 * c]! / 2);
      expect(o.depth[c]).toBeCloseTo(3 - 1.1, 4);
      // right of the red box: blue, 2.9 m
      const e = 32 * 64 + 40;
      expect(o.rgb[3 * e + 2]).toBeGreaterThan(2 * o.rgb[3 * e]!);
      expect(o.depth[e]).toBeCloseTo(2.9, 4);
    }
  });
});

describe('state changes', () => {
  it('follows body poses after mj_forward, and colours and field of view changed at run time', () => {
    const { m, d } = load(`<mujoco><visual><headlight ambient="1 1 1" diffuse="0 0 0" specular="0 0 0"/></visual><worldbody>
      <camera name="down" pos="0 0 3" xyaxes="1 0 0 0 1 0" fovy="40"/>
      <body name="ball"><freejoint/><geom type="sphere" size="0.1" rgba="1 0 0 1"/></body></worldbody></mujoco>`);
    const r = new Renderer(m, { width: 64, height: 64 });
    const before = centroid(r.render(d, 'down'), 64, (R) => R > 128);
    expect(Math.abs(before.x - 32)).toBeLessThan(0.2);
    (d.qpos as Float64Array)[0] = 0.5; // +x -> right in this camera
    mj.mj_forward(m, d);
    const after = centroid(r.render(d, 'down'), 64, (R) => R > 128);
    const f = 32 / Math.tan((20 * Math.PI) / 180);
    expect(Math.abs(after.x - (32 + (f * 0.5) / 3))).toBeLessThan(0.3);
    // a field of view changed at run time (camera randomization) takes effect: 30 instead of 40 degrees
    (m.cam_fovy as Float64Array)[0] = 30;
    const zoomed = centroid(r.render(d, 'down'), 64, (R) => R > 128);
    expect(Math.abs(zoomed.x - (32 + ((32 / Math.tan((15 * Math.PI) / 180)) * 0.5) / 3))).toBeLessThan(0.3);
    (m.cam_fovy as Float64Array)[0] = 40;
    (m.geom_rgba as Float32Array).set([0, 0, 1, 1], 0);
    const blue = r.render(d, 'down');
    const k = Math.floor(after.y) * 64 + Math.floor(after.x);
    expect([blue.rgb[3 * k], blue.rgb[3 * k + 2]]).toEqual([0, 255]);
  });
});

describe('bad input', () => {
  it('names unknown cameras and rejects bad sizes', () => {
    const { m, d } = load(ALL_GEOMS);
    expect(() => new Renderer(m, { width: 0, height: 96 })).toThrow(/width/);
    expect(() => new Renderer(m, { width: 96, height: 9.5 })).toThrow(/height/);
    expect(() => new Renderer(m, { width: -1, height: 96 })).toThrow(/width/);
    expect(() => new Renderer(m, { width: 96 } as never)).toThrow(/height/);
    const r = new Renderer(m, { width: 8, height: 8 });
    expect(() => r.render(d, 'nope')).toThrow(/unknown camera name "nope".*view/);
    expect(() => r.render(d, 3)).toThrow(/unknown camera id 3/);
    expect(() => r.render(d, { pos: [0, 0, 1] })).toThrow(/xmat .* or lookat/);
    expect(() => r.render(d, 'view', { rgb: new Uint8Array(3), depth: new Float32Array(64) })).toThrow(/192 rgb bytes/);
    r.dispose();
    expect(() => r.render(d, 'view')).toThrow(/disposed/);
    const ortho = load('<mujoco><worldbody><camera name="o" projection="orthographic" fovy="1"/></worldbody></mujoco>');
    expect(() => new Renderer(ortho.m, { width: 8, height: 8 }).render(ortho.d, 'o')).toThrow(/camera o is orthographic/);
  });
});
