// Benchmark of the CPU renderer (src/sim/render): frames/s on one JS thread, median of repetitions, for
// a table + arm + 12 objects scene at 96x96 and 224x224, the WidowX 250 (Menagerie meshes, checker floor,
// skybox; also with textures off), cameras jittered every frame ("~"), scaling with object count
// (12 / 50 / 200), and mj_ray per pixel for comparison.
// Run: npx tsx bench/sim/render.ts [--json out.json] [--quick]

import loadMujoco, { type MainModule, type MjData, type MjModel } from '@mujoco/mujoco';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative } from 'node:path';
import { median } from '../lib/stats.ts';
import { Renderer, type RendererOptions, type RenderOutput } from '../../src/sim/render/index.ts';
import { tableArmScene } from './scenes.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const REPS = quick ? 3 : 7, REP_SECONDS = quick ? 0.15 : 0.4;

const WIDOWX = '/work/shared/fixtures/mjcf/trossen_wx250s';

function loadWidowX(mj: MainModule): MjModel | null {
  if (!existsSync(WIDOWX)) return null;
  const vfs = new mj.MjVFS();
  const walk = (p: string) => {
    for (const n of readdirSync(p)) {
      const q = join(p, n);
      if (statSync(q).isDirectory()) walk(q); else vfs.addBuffer(relative(WIDOWX, q), new Uint8Array(readFileSync(q)));
    }
  };
  walk(WIDOWX);
  const xml = readFileSync(join(WIDOWX, 'scene.xml'), 'utf8').replace(
    '<worldbody>', '<worldbody><camera name="bench" pos="0.55 -0.45 0.4" xyaxes="0.63 0.77 0 -0.3 0.25 0.92" fovy="50"/>');
  try {
    return mj.MjModel.from_xml_string(xml, vfs);
  } finally {
    vfs.delete();
  }
}

/** Median frames/s of `render` over REPS repetitions of about REP_SECONDS each, after a warm-up. */
function fps(render: () => void): { fps: number; min: number; max: number } {
  const t0 = performance.now();
  while (performance.now() - t0 < 200) render();
  const rates: number[] = [];
  for (let r = 0; r < REPS; r++) {
    let n = 0;
    const s = performance.now();
    let e = s;
    while (e - s < REP_SECONDS * 1000) { render(); n++; e = performance.now(); }
    rates.push((n * 1000) / (e - s));
  }
  return { fps: median(rates), min: Math.min(...rates), max: Math.max(...rates) };
}

/** Frames/s of a depth image from mj_ray, one ray per pixel (a few frames). */
function rayFps(mj: MainModule, m: MjModel, d: MjData, cam: number, W: number, H: number): number {
  const cp = Array.from((d.cam_xpos as Float64Array).subarray(3 * cam, 3 * cam + 3));
  const R = Array.from((d.cam_xmat as Float64Array).subarray(9 * cam, 9 * cam + 9));
  const f = H / 2 / Math.tan(((m.cam_fovy as Float64Array)[cam]! * Math.PI) / 360);
  const gid = new mj.IntBuffer(1), nrm = new mj.DoubleBuffer(3), groups = [1, 1, 1, 0, 0, 0];
  const frames = quick ? 1 : 2, s = performance.now();
  for (let k = 0; k < frames; k++) {
    for (let j = 0; j < H; j++) for (let i = 0; i < W; i++) {
      const x = (i + 0.5 - W / 2) / f, y = -(j + 0.5 - H / 2) / f;
      mj.mj_ray(m, d, cp, [R[0]! * x + R[1]! * y - R[2]!, R[3]! * x + R[4]! * y - R[5]!, R[6]! * x + R[7]! * y - R[8]!], groups, true, -1, gid, nrm);
    }
  }
  gid.delete(); nrm.delete();
  return (frames * 1000) / (performance.now() - s);
}

/** triangles: at the finest level of detail; drawn: after frustum culling at the levels chosen, last frame. */
interface Row { scene: string; camera: string; size: string; geoms: number; triangles: number; drawn: number; fps: number; min: number; max: number }

const mj = await loadMujoco();
const rows: Row[] = [];
const print = (r: Row) => console.log(
  `${r.scene.padEnd(26)} ${r.camera.padEnd(7)} ${r.size.padEnd(8)} geoms ${String(r.geoms).padStart(4)}  tris ${String(r.drawn).padStart(6)} drawn of ${String(r.triangles).padStart(6)}  ` +
  `${r.fps.toFixed(0).padStart(6)} frames/s  (min ${r.min.toFixed(0)}, max ${r.max.toFixed(0)})`);

console.log(`renderer benchmark: node ${process.version}, ${cpus()[0]?.model ?? 'cpu'}, one JS thread, median of ${REPS} x ${REP_SECONDS}s`);

/** A model camera, or a free camera jittered every frame (a moving camera: no cached skybox). */
type BenchCamera = string | { jitter: string };

function bench(scene: string, m: MjModel, cams: BenchCamera[], sizes: number[], opts: Partial<RendererOptions> = {}): MjData {
  const d = new mj.MjData(m);
  mj.mj_forward(m, d);
  for (const s of sizes) {
    const r = new Renderer(m, { width: s, height: s, ...opts });
    const out: RenderOutput = { rgb: new Uint8Array(s * s * 3), depth: new Float32Array(s * s) };
    for (const c of cams) {
      let render: () => void, cam: string;
      if (typeof c === 'string') {
        cam = c;
        render = () => r.render(d, c, out);
      } else {
        cam = `${c.jitter}~`;
        const base = r.cameraPose(d, c.jitter);
        const xmat = [...base.xmat], pos: [number, number, number] = [...base.pos];
        let k = 0;
        render = () => {
          // +-1 cm, +-0.6 degrees about the camera's y axis, different every frame
          const a = 0.01 * Math.sin(k), e = 0.01 * Math.cos(1.7 * k++);
          for (let q = 0; q < 3; q++) {
            pos[q] = base.pos[q]! + e * base.xmat[3 * q]!;
            xmat[3 * q] = base.xmat[3 * q]! * Math.cos(a) - base.xmat[3 * q + 2]! * Math.sin(a);
            xmat[3 * q + 2] = base.xmat[3 * q]! * Math.sin(a) + base.xmat[3 * q + 2]! * Math.cos(a);
          }
          r.render(d, { pos, xmat, fovy: base.fovy }, out);
        };
      }
      const res = fps(render);
      const row = { scene, camera: cam, size: `${s}x${s}`, geoms: m.ngeom, triangles: r.triangleCount, drawn: r.lastTriangles, ...res };
      rows.push(row);
      print(row);
    }
    r.dispose();
  }
  return d;
}

const table = mj.MjModel.from_xml_string(tableArmScene(12));
const tableData = bench('table+arm+12', table, ['front', 'wrist', { jitter: 'front' }], [96, 224]);

const wx = loadWidowX(mj);
let wxData: MjData | null = null;
if (wx) {
  wxData = bench('widowx250 (meshes)', wx, ['bench', { jitter: 'bench' }], [96, 224]);
  bench('widowx250, textures off', wx, ['bench'], [96, 224], { textures: false }).delete();
}
else console.log(`(WidowX fixture not found at ${WIDOWX}; skipped)`);

for (const n of [50, 200]) {
  const m = mj.MjModel.from_xml_string(tableArmScene(n));
  const d = bench(`table+arm+${n}`, m, ['front'], [96]);
  d.delete(); m.delete();
}

const rayRate = rayFps(mj, table, tableData, 0, 96, 96);
console.log(`mj_ray, one ray per pixel (table+arm+12, front, 96x96): ${rayRate.toFixed(2)} frames/s (${(rayRate * 96 * 96).toFixed(0)} rays/s)`);
const main = rows.find((r) => r.scene === 'table+arm+12' && r.camera === 'front' && r.size === '96x96')!;
console.log(`speed-up over mj_ray at 96x96: ${(main.fps / rayRate).toFixed(0)}x`);

if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ node: process.version, reps: REPS, rows, mjRayFps96: rayRate }, null, 2));
tableData.delete(); table.delete();
if (wx && wxData) { wxData.delete(); wx.delete(); }
