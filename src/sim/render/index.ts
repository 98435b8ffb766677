// CPU renderer for MuJoCo scenes: RGB + linear depth images from a model camera (or a free camera),
// by rasterizing geoms tessellated once at construction (the wasm MuJoCo build has no OpenGL). Per
// frame: geom poses from MjData -> camera space, bounding-sphere frustum cull, level of detail, front-to-
// back order, per-vertex lighting, near clipping, back-face culling, z-buffered rasterization (textured
// planes, skybox background); buffers preallocated (only the binding's small typed-array views are new).

import type { MainModule, MjData, MjModel } from '@mujoco/mujoco';
import { z } from 'zod';
import { cameraNames, freeCameraPose, modelCameraPose, resolveCamera, type CameraPose, type CameraSpec } from './camera.ts';
import { createLightSet, setSurface, updateLights, type LightSet } from './lighting.ts';
import { drawTriangles, type Projection, type Target, type Verts } from './raster.ts';
import { buildGeomMeshes, GEOM, pickLod, type GeomMesh } from './scene.ts';
import { loadSkybox, sampleSkybox, type Texture } from './texture.ts';

export type { CameraPose, CameraSpec, FreeCamera } from './camera.ts';
export { lookAtMatrix } from './camera.ts';
export { GEOM } from './scene.ts';

const unit = z.number().min(0).max(1);
const OptionsSchema = z.object({
  width: z.number().int().positive().max(16384),
  height: z.number().int().positive().max(16384),
  /** Geom groups drawn (MuJoCo shows 0, 1, 2 by default; 3-5 are usually collision geoms). */
  geomGroups: z.array(z.number().int().min(0).max(5)).default([0, 1, 2]),
  /**
   * Background colour, RGB in 0..1. Default: the model's skybox texture when it has one (as MuJoCo draws
   * it), black otherwise.
   */
  background: z.tuple([unit, unit, unit]).optional(),
  /** Finest segment count around spheres, capsules, cylinders, ellipsoids (default 48). */
  segments: z.number().int().min(8).max(256).default(48),
  /**
   * Level of detail: per frame, each round geom uses the coarsest tessellation (8, 12, 20, 32, 48, ...
   * segments) whose outline is within this many pixels of the true surface. 0 = always the finest.
   */
  lodPixels: z.number().min(0).default(0.25),
  /**
   * Fixed vertex-clustering grid for every mesh asset (cells along a mesh's longest side); 0 keeps meshes
   * whole. Default: levels of detail (grids 8 to 128 and the exact mesh) picked per frame by `meshPixels`.
   */
  meshGrid: z.number().int().min(0).optional(),
  /** Mesh level of detail: the coarsest whose clustering cell spans at most this many pixels (default 1; 0 = exact meshes). */
  meshPixels: z.number().min(0).default(1),
  /** Near / far clipping distances in metres; default MuJoCo's visual/map znear / zfar times the model extent. */
  near: z.number().positive().optional(),
  far: z.number().positive().optional(),
  /**
   * Per-pixel textures: 2-D textures on planes (e.g. checker floors) and the skybox. false = the average
   * texture colour everywhere and a plain background (faster on textured scenes).
   */
  textures: z.boolean().default(true),
  /** Skip back faces (geoms are closed; planes are one-sided as in MuJoCo). */
  cullBackfaces: z.boolean().default(true),
}).strict();

export type RendererOptions = z.input<typeof OptionsSchema>;

export interface RenderOutput {
  /** H*W*3 bytes, row-major, top row first. */
  rgb: Uint8Array;
  /** H*W metres along the camera's optical axis (MuJoCo's linearized depth); `renderer.far` where nothing was hit. */
  depth: Float32Array;
}

/** Rasterizing renderer for one MjModel at a fixed resolution; reuse it across frames. */
export class Renderer {
  readonly width: number;
  readonly height: number;
  /** Depth reported for background pixels (metres); geometry beyond it is not drawn. */
  readonly far: number;
  /** Near clipping distance (metres). */
  readonly near: number;
  private readonly model: MjModel;
  private readonly names: string[];
  /** Per model camera: 1 when orthographic (not supported). */
  private readonly orthographic: Uint8Array;
  private readonly geoms: GeomMesh[];
  private readonly idx: Uint32Array;
  private readonly lpos: Float32Array;
  private readonly lnrm: Float32Array;
  private readonly uv: Float32Array;
  /** Drawing order of geoms[0..nSorted) (the non-planes), kept sorted front to back, and their depths. */
  private readonly nSorted: number;
  private readonly order: Int32Array;
  private readonly depthKey: Float64Array;
  private readonly verts: Verts;
  private readonly surface = new Float64Array(6);
  private readonly lights: LightSet;
  private readonly cull: boolean;
  private readonly lodPixels: number;
  private readonly meshPixels: number;
  /** Triangles of the geoms that passed the frustum cull in the last frame, at their chosen level of detail. */
  lastTriangles = 0;
  private readonly bg: [number, number, number];
  /** Skybox faces, and the background they give for the camera rotation and focal length in skyKey. */
  private readonly sky: Texture[] | null;
  private readonly skyImage: Uint8Array | null;
  private readonly skyKey = new Float64Array(10).fill(NaN);
  private skyValid = false;
  private readonly invz: Float32Array;
  private readonly proj: Projection = { f: 1, cx: 0, cy: 0, near: 0.01 };
  private readonly cp = new Float64Array(3);
  private readonly cm = new Float64Array(9);
  private target: Target | null = null;
  private targetRgb: Uint8Array | null = null;
  private disposed = false;

  constructor(model: MjModel, options: RendererOptions);
  /** Same, for callers holding the MuJoCo module (it is not needed). */
  constructor(mj: MainModule, model: MjModel, options: RendererOptions);
  constructor(a: MjModel | MainModule, b: MjModel | RendererOptions, c?: RendererOptions) {
    const model = (c === undefined ? a : b) as MjModel;
    const options = (c === undefined ? b : c) as RendererOptions;
    const parsed = OptionsSchema.safeParse(options);
    if (!parsed.success) throw new Error(`render: invalid renderer options: ${z.prettifyError(parsed.error)}`);
    const o = parsed.data;
    this.model = model;
    this.width = o.width;
    this.height = o.height;
    const extent = model.stat.extent;
    this.far = o.far ?? model.vis.map.zfar * extent;
    this.near = o.near ?? model.vis.map.znear * extent;
    if (!(this.near < this.far)) throw new Error(`render: near (${this.near}) must be less than far (${this.far})`);
    this.cull = o.cullBackfaces;
    this.lodPixels = o.lodPixels;
    this.meshPixels = o.meshPixels;
    const bg = o.background ?? [0, 0, 0];
    this.bg = [bg[0] * 255, bg[1] * 255, bg[2] * 255];
    this.sky = o.background === undefined && o.textures ? loadSkybox(model) : null;
    this.skyImage = this.sky ? new Uint8Array(3 * o.width * o.height) : null;
    this.names = cameraNames(model);
    this.orthographic = orthographicCameras(model);
    const built = buildGeomMeshes(model, {
      groups: o.geomGroups,
      segments: o.segments,
      meshGrid: o.meshGrid ?? null,
      planeExtent: this.far,
      textures: o.textures,
    });
    this.geoms = built.geoms;
    this.idx = built.idx;
    this.lpos = built.pos;
    this.lnrm = built.nrm;
    this.uv = built.uv;
    this.nSorted = this.geoms.findIndex((g) => g.type === GEOM.PLANE);
    if (this.nSorted < 0) this.nSorted = this.geoms.length;
    this.order = Int32Array.from({ length: this.nSorted }, (_, k) => k);
    this.depthKey = new Float64Array(this.nSorted);
    const nv = this.lpos.length;
    this.verts = {
      cpos: new Float32Array(nv), cnrm: new Float32Array(nv), scr: new Float32Array(nv), col: new Float32Array(nv),
      stamp: new Int32Array(nv / 3), frame: 0,
    };
    this.lights = createLightSet(model);
    const n = o.width * o.height;
    this.invz = new Float32Array(n);
  }

  /** Triangles of the scene at the finest level of detail (an upper bound on triangles drawn per frame). */
  get triangleCount(): number {
    let n = 0;
    for (const g of this.geoms) { const l = g.lods[g.lods.length - 1]!; n += (l.i1 - l.i0) / 3; }
    return n;
  }

  /** Camera id for an id or name (throws naming it when the model has no such camera). */
  cameraId(camera: number | string): number {
    return resolveCamera(this.names, camera);
  }

  /** Pose of a model camera in `data`, e.g. to jitter it and pass it back to render() as a free camera. */
  cameraPose(data: MjData, camera: number | string): CameraPose {
    return modelCameraPose(this.model, data, resolveCamera(this.names, camera));
  }

  /**
   * Renders `data` (after mj_forward / mj_step) from a model camera (id or name) or a free camera
   * ({ pos, xmat | lookat, up?, fovy? }). Writes into `out` when given (H*W*3 bytes and H*W floats;
   * the allocation-free path), otherwise into new arrays.
   */
  render(data: MjData, camera: CameraSpec, out?: RenderOutput): RenderOutput {
    if (this.disposed) throw new Error('render: this renderer was disposed');
    const W = this.width, H = this.height, n = W * H;
    const res = out ?? { rgb: new Uint8Array(3 * n), depth: new Float32Array(n) }, rgb = res.rgb, depth = res.depth;
    if (rgb.length !== 3 * n || depth.length !== n) {
      throw new Error(`render: output buffers must hold ${3 * n} rgb bytes and ${n} depths, got ${rgb.length} and ${depth.length}`);
    }
    const fovy = this.setCamera(data, camera);
    const t = this.targetFor(rgb);
    const p = this.proj;
    p.f = H / 2 / Math.tan((fovy * Math.PI) / 360);
    p.cx = W / 2;
    p.cy = H / 2;
    p.near = this.near;

    const bg = this.bg, pix = t.rgb, zb = this.invz, zfar = Math.fround(1 / this.far);
    zb.fill(zfar);
    // Skybox: a camera that keeps its rotation copies a cached image; a moving one (wrist, jitter) samples
    // the sky only where nothing was drawn, after rasterization.
    let skyLater = false;
    if (this.skyImage) {
      const state = this.skyState(p.f);
      if (state === 'moved') skyLater = true;
      else pix.set(state === 'cached' ? this.skyImage : this.skyBackground(p.f, null));
    } else if (bg[0] === bg[1] && bg[1] === bg[2]) pix.fill(bg[0]);
    else for (let i = 0; i < 3 * n; i += 3) { pix[i] = bg[0]; pix[i + 1] = bg[1]; pix[i + 2] = bg[2]; }

    updateLights(this.model, data, this.cp, this.cm, this.lights);
    this.verts.frame = (this.verts.frame + 1) | 0;
    this.drawGeoms(data, t, p);

    if (skyLater) this.skyBackground(p.f, zb);
    const far = this.far;
    for (let i = 0; i < n; i++) { const v = zb[i]!; depth[i] = v === zfar ? far : 1 / v; }
    return res;
  }

  /** Drops the renderer's buffers; the model is not owned and stays alive. */
  dispose(): void {
    this.disposed = true;
    this.target = null;
    this.targetRgb = null;
  }

  private setCamera(data: MjData, camera: CameraSpec): number {
    const cp = this.cp, cm = this.cm;
    if (typeof camera === 'object' && camera !== null) {
      const pose = freeCameraPose(camera);
      for (let k = 0; k < 3; k++) cp[k] = pose.pos[k]!;
      for (let k = 0; k < 9; k++) cm[k] = pose.xmat[k]!;
      return pose.fovy;
    }
    const id = resolveCamera(this.names, camera);
    const xp = data.cam_xpos as Float64Array, xm = data.cam_xmat as Float64Array;
    for (let k = 0; k < 3; k++) cp[k] = xp[3 * id + k]!;
    for (let k = 0; k < 9; k++) cm[k] = xm[9 * id + k]!;
    // cam_fovy is re-read every frame: randomizing it at run time (like the colours) takes effect.
    const fovy = (this.model.cam_fovy as Float64Array)[id]!;
    if (this.orthographic[id]) throw new Error(`render: camera ${this.names[id] || id} is orthographic, which the renderer does not support`);
    return fovy;
  }

  /**
   * Whether the camera (rotation this.cm, focal length f) is the one the cached sky image was made for
   * ('cached'), the same as last frame without an image yet ('build'), or another one ('moved').
   */
  private skyState(f: number): 'cached' | 'build' | 'moved' {
    const key = this.skyKey, cm = this.cm;
    let same = key[9] === f;
    for (let k = 0; k < 9 && same; k++) same = key[k] === cm[k];
    if (same) return this.skyValid ? 'cached' : 'build';
    for (let k = 0; k < 9; k++) key[k] = cm[k]!;
    key[9] = f;
    this.skyValid = false;
    return 'moved';
  }

  /**
   * The skybox seen by the current camera, unlit and at infinity (only directions matter), from the mip
   * level whose texels best match the pixels at the centre of a face. With `zb`, into the frame's pixels
   * where nothing was drawn; without, into the whole cached image (which it returns).
   */
  private skyBackground(f: number, zb: Float32Array | null): Uint8Array {
    const out = zb ? this.target!.rgb : this.skyImage!, cm = this.cm, zfar = Math.fround(1 / this.far);
    const faces = this.sky!, W = this.width, H = this.height, cx = W / 2, cy = H / 2, c = this.skyTexel;
    const level = Math.max(0, Math.round(Math.log2(faces[0]!.levels[0]!.w / (2 * f))));
    for (let j = 0; j < H; j++) {
      const y = -(j + 0.5 - cy) / f;
      for (let i = 0; i < W; i++) {
        if (zb && zb[j * W + i] !== zfar) continue;
        const x = (i + 0.5 - cx) / f;
        sampleSkybox(faces,
          cm[0]! * x + cm[1]! * y - cm[2]!, cm[3]! * x + cm[4]! * y - cm[5]!, cm[6]! * x + cm[7]! * y - cm[8]!, level, c);
        const k = 3 * (j * W + i);
        out[k] = Math.round(255 * c[0]!); out[k + 1] = Math.round(255 * c[1]!); out[k + 2] = Math.round(255 * c[2]!);
      }
    }
    if (!zb) this.skyValid = true;
    return out as Uint8Array;
  }

  private readonly skyTexel = new Float64Array(3);

  private targetFor(rgb: Uint8Array): Target {
    if (this.target && this.targetRgb === rgb) return this.target;
    this.targetRgb = rgb;
    this.target = {
      width: this.width, height: this.height, invz: this.invz,
      rgb: new Uint8ClampedArray(rgb.buffer, rgb.byteOffset, rgb.length),
    };
    return this.target;
  }

  private drawGeoms(data: MjData, t: Target, p: Projection): void {
    // MjData views are re-read every frame: they go stale when the wasm heap grows.
    const model = this.model, xpos = data.geom_xpos as Float64Array, xmat = data.geom_xmat as Float64Array;
    const rgba = model.geom_rgba as Float32Array, matRgba = model.mat_rgba as Float32Array;
    const cp = this.cp, cm = this.cm, near = this.near, far = this.far;
    // Half-extents of the view frustum (tan of the half angles, one pixel of margin) for culling.
    const hx = (p.cx + 1) / p.f, hy = (p.cy + 1) / p.f, sx = Math.sqrt(1 + hx * hx), sy = Math.sqrt(1 + hy * hy);
    const lpos = this.lpos, lnrm = this.lnrm, v = this.verts, cpos = v.cpos, cnrm = v.cnrm, scr = v.scr;
    const f = p.f, cx = p.cx, cy = p.cy;
    let tris = 0;
    // Front to back (planes stay last): nearer geoms fill the z-buffer first, so hidden pixels of the
    // ones behind fail the depth test before they are shaded. Insertion sort of last frame's order: the
    // order barely changes between frames, so this is about linear.
    const geoms = this.geoms, order = this.order, key = this.depthKey, nSorted = this.nSorted;
    for (let k = 0; k < nSorted; k++) {
      const gi = geoms[k]!.id;
      key[k] = cm[2]! * (cp[0]! - xpos[3 * gi]!) + cm[5]! * (cp[1]! - xpos[3 * gi + 1]!) + cm[8]! * (cp[2]! - xpos[3 * gi + 2]!);
    }
    for (let k = 1; k < nSorted; k++) {
      const o = order[k]!, kk = key[o]!;
      let j = k - 1;
      while (j >= 0 && key[order[j]!]! > kk) { order[j + 1] = order[j]!; j--; }
      order[j + 1] = o;
    }
    for (let k = 0; k < geoms.length; k++) {
      const g = geoms[k < nSorted ? order[k]! : k]!;
      const gi = g.id;
      // Colour: the geom's rgba, or its material's when the geom keeps the default rgba (MuJoCo's rule).
      let r = rgba[4 * gi]!, gg = rgba[4 * gi + 1]!, b = rgba[4 * gi + 2]!, a = rgba[4 * gi + 3]!;
      if (g.matId >= 0 && r === 0.5 && gg === 0.5 && b === 0.5 && a === 1) {
        const m = 4 * g.matId;
        r = matRgba[m]!; gg = matRgba[m + 1]!; b = matRgba[m + 2]!; a = matRgba[m + 3]!;
      }
      if (a <= 0) continue;
      r *= g.tex[0]; gg *= g.tex[1]; b *= g.tex[2];
      // Geom -> camera: M = Rc^T Rg, T = Rc^T (xg - xc).
      const dx = xpos[3 * gi]! - cp[0]!, dy = xpos[3 * gi + 1]! - cp[1]!, dz = xpos[3 * gi + 2]! - cp[2]!;
      const tx = cm[0]! * dx + cm[3]! * dy + cm[6]! * dz;
      const ty = cm[1]! * dx + cm[4]! * dy + cm[7]! * dz;
      const tz = cm[2]! * dx + cm[5]! * dy + cm[8]! * dz;
      const rad = g.radius, d = -tz;
      if (d + rad < near || d - rad > far) continue;
      if ((Math.abs(tx) - d * hx) / sx > rad || (Math.abs(ty) - d * hy) / sy > rad) continue;
      const R = 9 * gi;
      const g0 = xmat[R]!, g1 = xmat[R + 1]!, g2 = xmat[R + 2]!, g3 = xmat[R + 3]!, g4 = xmat[R + 4]!;
      const g5 = xmat[R + 5]!, g6 = xmat[R + 6]!, g7 = xmat[R + 7]!, g8 = xmat[R + 8]!;
      const m00 = cm[0]! * g0 + cm[3]! * g3 + cm[6]! * g6, m01 = cm[0]! * g1 + cm[3]! * g4 + cm[6]! * g7, m02 = cm[0]! * g2 + cm[3]! * g5 + cm[6]! * g8;
      const m10 = cm[1]! * g0 + cm[4]! * g3 + cm[7]! * g6, m11 = cm[1]! * g1 + cm[4]! * g4 + cm[7]! * g7, m12 = cm[1]! * g2 + cm[4]! * g5 + cm[7]! * g8;
      const m20 = cm[2]! * g0 + cm[5]! * g3 + cm[8]! * g6, m21 = cm[2]! * g1 + cm[5]! * g4 + cm[8]! * g7, m22 = cm[2]! * g2 + cm[5]! * g5 + cm[8]! * g8;
      const lod = pickLod(g, f / Math.max(d - rad, near), this.lodPixels, this.meshPixels);
      tris += (lod.i1 - lod.i0) / 3;
      const v0 = lod.v0, v1 = lod.v1;
      for (let k = 3 * v0, end = 3 * v1; k < end; k += 3) {
        const x = lpos[k]!, y = lpos[k + 1]!, zz = lpos[k + 2]!;
        const X = m00 * x + m01 * y + m02 * zz + tx, Y = m10 * x + m11 * y + m12 * zz + ty, Z = m20 * x + m21 * y + m22 * zz + tz;
        cpos[k] = X; cpos[k + 1] = Y; cpos[k + 2] = Z;
        const nx = lnrm[k]!, ny = lnrm[k + 1]!, nz = lnrm[k + 2]!;
        cnrm[k] = m00 * nx + m01 * ny + m02 * nz;
        cnrm[k + 1] = m10 * nx + m11 * ny + m12 * nz;
        cnrm[k + 2] = m20 * nx + m21 * ny + m22 * nz;
        if (-Z >= near) {
          const iz = -1 / Z;
          scr[k] = cx + f * X * iz; scr[k + 1] = cy - f * Y * iz; scr[k + 2] = iz;
        } else {
          scr[k + 2] = -1;
        }
      }
      setSurface(this.surface, r, gg, b, g.specular, g.shininess, g.emission);
      drawTriangles(t, p, this.cull, this.idx, lod.i0, lod.i1, v, this.lights, this.surface, g.texture, this.uv);
    }
    this.lastTriangles = tris;
  }
}

/**
 * Which model cameras are orthographic. Perspective cameras given by sensor size and focal length work:
 * MuJoCo fills cam_fovy for them too (their principal-point offset is ignored).
 */
function orthographicCameras(model: MjModel): Uint8Array {
  const out = new Uint8Array(model.ncam), proj = model.cam_projection as Int32Array | undefined;
  for (let i = 0; i < model.ncam; i++) if (proj && proj[i] === 1) out[i] = 1;
  return out;
}
