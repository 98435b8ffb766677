// Renderer: a CPU rasterizer of a MuJoCo scene for camera observations (the WebAssembly build has no OpenGL).
// Geoms are tessellated once in their local frames; each frame they are moved by MjData's poses into the camera's
// frame, culled, flat-shaded (Lambert: ambient + headlight + the model's lights) and z-buffered into RGB and metric
// depth (distance along the optical axis; FAR where nothing was hit).
import { z } from 'zod';
import type { MainModule, MjModel, MjData } from '../mujoco.ts';
import { boxMesh, cylinderMesh, ellipsoidMesh, modelMesh, planeMesh, type LocalMesh } from './tessellate.ts';
import { drawTriangle, type Target } from './raster.ts';

/** Depth reported where no geometry was hit. */
export const FAR = 100;

export const RenderOptions = z.object({
  width: z.number().int().positive().max(4096),
  height: z.number().int().positive().max(4096),
  /** Geom groups drawn (MuJoCo's viewer shows 0-2 by default). */
  groups: z.array(z.number().int().min(0).max(5)).default([0, 1, 2]),
  background: z.tuple([z.number(), z.number(), z.number()]).default([0.62, 0.72, 0.82]),
  near: z.number().positive().default(0.01),
}).strict();
export type RenderOptions = z.input<typeof RenderOptions>;

/** A camera given directly instead of a model camera (free cameras, jitter): pose in the world and vertical FOV. */
export interface CameraOverride { pos: readonly number[]; /** row-major 3x3, columns = camera x, y, z axes */ mat: readonly number[]; fovy: number }

interface DrawGeom { id: number; mesh: LocalMesh; color: [number, number, number]; cullBack: boolean }

export class Renderer {
  readonly width: number;
  readonly height: number;
  private readonly opts: z.output<typeof RenderOptions>;
  private readonly geoms: DrawGeom[] = [];
  private readonly target: Target;
  private readonly depth: Float32Array;
  private readonly camNames: Map<string, number>;
  private readonly lights: { dir: [number, number, number]; pos: [number, number, number]; directional: boolean; diffuse: number }[] = [];
  private readonly ambient: number;
  private readonly headlight: number;
  private transformed = new Float32Array(0);

  constructor(private readonly mj: MainModule, private readonly model: MjModel, options: RenderOptions) {
    const parsed = RenderOptions.safeParse(options);
    if (!parsed.success) throw new Error(`renderer options: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    this.opts = parsed.data;
    this.width = this.opts.width;
    this.height = this.opts.height;
    this.target = { width: this.width, height: this.height, focal: 1, near: this.opts.near, rgb: new Uint8Array(this.width * this.height * 3), invDepth: new Float32Array(this.width * this.height) };
    this.depth = new Float32Array(this.width * this.height);
    this.camNames = new Map(Array.from({ length: model.ncam as number }, (_, i) => [mj.mj_id2name(model, mj.mjtObj.mjOBJ_CAMERA.value, i) as string, i]));
    const lod = Math.max(this.width, this.height) <= 128 ? 0 : 1;
    this.buildGeoms(lod);
    const hl = model.vis.headlight;
    this.ambient = (hl.ambient as ArrayLike<number>)[0] ?? 0.1;
    this.headlight = hl.active ? ((hl.diffuse as ArrayLike<number>)[0] ?? 0.4) : 0;
    const nl = model.nlight as number;
    const ldir = model.light_dir as Float64Array, lpos = model.light_pos as Float64Array, ldiff = model.light_diffuse as Float32Array;
    const ltype = model.light_type as Int32Array; // mjtLightType: 1 = directional
    for (let i = 0; i < nl; i++) {
      this.lights.push({ dir: [ldir[3 * i]!, ldir[3 * i + 1]!, ldir[3 * i + 2]!], pos: [lpos[3 * i]!, lpos[3 * i + 1]!, lpos[3 * i + 2]!], directional: ltype[i] === 1, diffuse: ldiff[3 * i]! });
    }
  }

  private buildGeoms(lod: number): void {
    const m = this.model;
    const type = m.geom_type as Int32Array, size = m.geom_size as Float64Array, group = m.geom_group as Int32Array;
    const rgba = m.geom_rgba as Float32Array, matid = m.geom_matid as Int32Array, matRgba = m.mat_rgba as Float32Array, dataid = m.geom_dataid as Int32Array;
    const seg = lod ? 20 : 12, rings = lod ? 10 : 6;
    const texColor = this.materialTextureColors();
    for (let g = 0; g < (m.ngeom as number); g++) {
      if (!this.opts.groups.includes(group[g]!)) continue;
      let color: [number, number, number] = [rgba[4 * g]!, rgba[4 * g + 1]!, rgba[4 * g + 2]!];
      let alpha = rgba[4 * g + 3]!;
      const mat = matid[g]!;
      const isDefault = rgba[4 * g] === 0.5 && rgba[4 * g + 1] === 0.5 && rgba[4 * g + 2] === 0.5;
      if (mat >= 0 && isDefault) {
        const tc = texColor.get(mat) ?? [1, 1, 1];
        color = [matRgba[4 * mat]! * tc[0], matRgba[4 * mat + 1]! * tc[1], matRgba[4 * mat + 2]! * tc[2]];
        alpha = matRgba[4 * mat + 3]!;
      }
      if (alpha === 0) continue;
      const s = [size[3 * g]!, size[3 * g + 1]!, size[3 * g + 2]!];
      let mesh: LocalMesh | null = null, cullBack = true;
      switch (type[g]) {
        case 0: mesh = planeMesh(s[0]! > 0 ? s[0]! : 20, s[1]! > 0 ? s[1]! : 20, 8); break;
        case 2: mesh = ellipsoidMesh(s[0]!, s[0]!, s[0]!, seg, rings); break;
        case 3: mesh = cylinderMesh(s[0]!, s[1]!, seg, true, lod ? 4 : 3); break;
        case 4: mesh = ellipsoidMesh(s[0]!, s[1]!, s[2]!, seg, rings); break;
        case 5: mesh = cylinderMesh(s[0]!, s[1]!, seg, false); break;
        case 6: mesh = boxMesh(s[0]!, s[1]!, s[2]!); break;
        case 7: {
          const id = dataid[g]!;
          mesh = modelMesh(m.mesh_vert as Float32Array, m.mesh_face as Int32Array, (m.mesh_vertadr as Int32Array)[id]!, (m.mesh_vertnum as Int32Array)[id]!,
            (m.mesh_faceadr as Int32Array)[id]!, (m.mesh_facenum as Int32Array)[id]!);
          cullBack = true;
          break;
        }
        default: mesh = null; // height fields and other types are not drawn yet
      }
      if (mesh) this.geoms.push({ id: g, mesh, color, cullBack });
    }
    const maxV = Math.max(0, ...this.geoms.map((d) => d.mesh.pos.length));
    this.transformed = new Float32Array(maxV);
  }

  /** Mean RGB of each material's texture (textures are not sampled per pixel; their average colour tints the geom). */
  private materialTextureColors(): Map<number, [number, number, number]> {
    const m = this.model, out = new Map<number, [number, number, number]>();
    const nmat = m.nmat as number;
    if (!nmat || !(m.ntex as number)) return out;
    const texid = m.mat_texid as Int32Array, roles = texid.length / nmat;
    const data = m.tex_data as Uint8Array, adr = m.tex_adr as Int32Array, w = m.tex_width as Int32Array, h = m.tex_height as Int32Array, nch = m.tex_nchannel as Int32Array;
    for (let i = 0; i < nmat; i++) {
      let t = -1;
      for (let r = 0; r < roles; r++) if (texid[i * roles + r]! >= 0) { t = texid[i * roles + r]!; break; }
      if (t < 0 || !data || !adr) continue;
      const n = w[t]! * h[t]!, c = nch[t]!;
      if (c < 3 || n === 0) continue;
      const acc = [0, 0, 0];
      const stride = Math.max(1, Math.floor(n / 4096));
      let k = 0;
      for (let p = 0; p < n; p += stride, k++) for (let j = 0; j < 3; j++) acc[j]! += data[adr[t]! + p * c + j]!;
      out.set(i, [acc[0]! / k / 255, acc[1]! / k / 255, acc[2]! / k / 255]);
    }
    return out;
  }

  /** The id of a camera given by name or id; throws naming it when the model has no such camera. */
  cameraId(camera: string | number): number {
    if (typeof camera === 'number') {
      if (!Number.isInteger(camera) || camera < 0 || camera >= (this.model.ncam as number)) throw new Error(`render: no camera with id ${camera} (the model has ${this.model.ncam})`);
      return camera;
    }
    const id = this.camNames.get(camera);
    if (id === undefined) throw new Error(`render: no camera named '${camera}' (cameras: ${[...this.camNames.keys()].join(', ') || 'none'})`);
    return id;
  }

  /**
   * Renders `camera` (a model camera, or an explicit pose) for the state in `data` (after mj_forward / mj_step).
   * The returned buffers are reused by the next call unless `out` buffers are given.
   */
  render(data: MjData, camera: string | number | CameraOverride, out?: { rgb: Uint8Array; depth: Float32Array }): { rgb: Uint8Array; depth: Float32Array } {
    let cp: number[], cm: number[], fovy: number;
    if (typeof camera === 'object') {
      cp = [...camera.pos]; cm = [...camera.mat]; fovy = camera.fovy;
    } else {
      const c = this.cameraId(camera);
      const xp = data.cam_xpos as Float64Array, xm = data.cam_xmat as Float64Array;
      cp = [xp[3 * c]!, xp[3 * c + 1]!, xp[3 * c + 2]!];
      cm = Array.from(xm.subarray(9 * c, 9 * c + 9));
      fovy = (this.model.cam_fovy as Float64Array)[c]!;
    }
    const t = this.target;
    t.focal = this.height / 2 / Math.tan((fovy * Math.PI) / 360);
    const bg = this.opts.background.map((v) => Math.round(v * 255));
    for (let i = 0, n = this.width * this.height; i < n; i++) { t.rgb[3 * i] = bg[0]!; t.rgb[3 * i + 1] = bg[1]!; t.rgb[3 * i + 2] = bg[2]!; }
    t.invDepth.fill(0);
    // Light directions in camera space (towards the light), with their diffuse strength.
    const toCam = (v: number[]) => [cm[0]! * v[0]! + cm[3]! * v[1]! + cm[6]! * v[2]!, cm[1]! * v[0]! + cm[4]! * v[1]! + cm[7]! * v[2]!, cm[2]! * v[0]! + cm[5]! * v[1]! + cm[8]! * v[2]!];
    const lights = this.lights.map((l) => ({ d: toCam([-l.dir[0], -l.dir[1], -l.dir[2]]), k: l.diffuse }));
    const gx = data.geom_xpos as Float64Array, gm = data.geom_xmat as Float64Array;
    const tanX = (this.width / 2) / t.focal, tanY = (this.height / 2) / t.focal;
    const tv = this.transformed;
    for (const g of this.geoms) {
      const o = 3 * g.id, mo = 9 * g.id;
      // A = R^T M (geom -> camera rotation), b = R^T (p - c)
      const px = gx[o]! - cp[0]!, py = gx[o + 1]! - cp[1]!, pz = gx[o + 2]! - cp[2]!;
      const bx = cm[0]! * px + cm[3]! * py + cm[6]! * pz, by = cm[1]! * px + cm[4]! * py + cm[7]! * pz, bz = cm[2]! * px + cm[5]! * py + cm[8]! * pz;
      const rad = g.mesh.radius;
      if (bz - rad > -this.opts.near) continue; // entirely behind the camera
      const zd = -bz;
      if (zd > rad && (Math.abs(bx) - rad > tanX * zd * 1.05 + rad || Math.abs(by) - rad > tanY * zd * 1.05 + rad)) continue; // outside the view cone
      const A = new Array<number>(9);
      for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) A[3 * r + c] = cm[r]! * gm[mo + c]! + cm[3 + r]! * gm[mo + 3 + c]! + cm[6 + r]! * gm[mo + 6 + c]!;
      const pos = g.mesh.pos;
      for (let i = 0; i < pos.length; i += 3) {
        const x = pos[i]!, y = pos[i + 1]!, z2 = pos[i + 2]!;
        tv[i] = A[0]! * x + A[1]! * y + A[2]! * z2 + bx;
        tv[i + 1] = A[3]! * x + A[4]! * y + A[5]! * z2 + by;
        tv[i + 2] = A[6]! * x + A[7]! * y + A[8]! * z2 + bz;
      }
      const tri = g.mesh.tri;
      const [cr, cg, cb] = g.color;
      for (let k = 0; k < tri.length; k += 3) {
        const a = 3 * tri[k]!, b = 3 * tri[k + 1]!, c = 3 * tri[k + 2]!;
        const ax = tv[a]!, ay = tv[a + 1]!, az = tv[a + 2]!, bx2 = tv[b]!, by2 = tv[b + 1]!, bz2 = tv[b + 2]!, cx = tv[c]!, cy = tv[c + 1]!, cz = tv[c + 2]!;
        // face normal (camera space) for culling and shading
        const ux = bx2 - ax, uy = by2 - ay, uz = bz2 - az, vx = cx - ax, vy = cy - ay, vz = cz - az;
        let nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
        const nn = Math.hypot(nx, ny, nz);
        if (nn === 0) continue;
        nx /= nn; ny /= nn; nz /= nn;
        const facing = -(nx * ax + ny * ay + nz * az); // > 0 when the front faces the camera
        if (g.cullBack && facing <= 0) continue;
        const sgn = facing < 0 ? -1 : 1;
        let shade = this.ambient + this.headlight * Math.max(0, sgn * nz);
        for (const l of lights) shade += l.k * Math.max(0, sgn * (nx * l.d[0]! + ny * l.d[1]! + nz * l.d[2]!));
        shade = Math.min(1, shade);
        drawTriangle(t, ax, ay, az, bx2, by2, bz2, cx, cy, cz, Math.round(255 * Math.min(1, cr * shade)), Math.round(255 * Math.min(1, cg * shade)), Math.round(255 * Math.min(1, cb * shade)), false);
      }
    }
    const rgb = out?.rgb ?? t.rgb;
    const depth = out?.depth ?? this.depth;
    if (out) rgb.set(t.rgb);
    for (let i = 0; i < depth.length; i++) { const w = t.invDepth[i]!; depth[i] = w > 0 ? 1 / w : FAR; }
    return { rgb, depth };
  }

  dispose(): void {
    this.geoms.length = 0;
  }
}
