// Builds the renderer's static scene from an MjModel: local-frame triangle meshes per visible geom
// (round primitives at several levels of detail, mesh assets decimated), packed into shared typed
// arrays, plus per-geom material constants (material id, average texture colour or, on planes, the
// texture itself with per-vertex texture coordinates, specular, shininess, emission) and the per-frame
// choice of level of detail.

import type { MjModel } from '@mujoco/mujoco';
import { load2d, planeTexScale, type Texture } from './texture.ts';
import { box, capsule, clusterDecimate, cylinder, ellipsoid, fromTriangles, plane, sphere, type TriMesh } from './tessellate.ts';

/** MuJoCo geom types (mjtGeom). */
export const GEOM = { PLANE: 0, HFIELD: 1, SPHERE: 2, CAPSULE: 3, ELLIPSOID: 4, CYLINDER: 5, BOX: 6, MESH: 7, SDF: 8 } as const;

/** One level of detail: vertex range [v0, v1) and index range [i0, i1) in the packed arrays (global indices). */
export interface Lod {
  /** Segments around (round geoms), 0 otherwise. */
  seg: number;
  /** Vertex-clustering cell (metres) of a decimated mesh, 0 for exact geometry. */
  cell: number;
  v0: number; v1: number; i0: number; i1: number;
}

export interface GeomMesh {
  id: number;
  type: number;
  /** Levels of detail, coarsest first (one for boxes, planes, meshes). */
  lods: Lod[];
  /** Radius of curvature that the segment count approximates (0 for flat-faced geoms). */
  curve: number;
  /** Bounding-sphere radius about the geom origin. */
  radius: number;
  matId: number;
  /** Average colour of the material's RGB texture (1, 1, 1 without one or when `texture` is set): multiplies the rgba. */
  tex: [number, number, number];
  /** The material's 2-D texture, sampled per pixel (planes only; texture coordinates in BuiltScene.uv). */
  texture: Texture | null;
  specular: number; shininess: number; emission: number;
}

export interface SceneBuildOptions {
  groups: readonly number[];
  /** Finest segment count for round geoms; coarser levels down to 8 are built as well. */
  segments: number;
  /** Fixed vertex-clustering grid for every mesh (0 = exact), or null: levels of detail picked per frame. */
  meshGrid: number | null;
  planeExtent: number;
  /** Sample 2-D textures on planes per pixel (else their average colour). */
  textures: boolean;
}

export interface BuiltScene {
  geoms: GeomMesh[];
  pos: Float32Array;
  nrm: Float32Array;
  /** Texture coordinates, 2 per vertex (0 for vertices of untextured geoms). */
  uv: Float32Array;
  idx: Uint32Array;
}

/** mjTEXROLE_RGB: the slot of a material's colour texture in mat_texid (mjNTEXROLE per material). */
const TEXROLE_RGB = 1, NTEXROLE = 10;

function rgbTexture(model: MjModel, matId: number): number {
  if (matId < 0) return -1;
  return (model.mat_texid as Int32Array)[NTEXROLE * matId + TEXROLE_RGB] ?? -1;
}

/** mat_texuniform, a bool array: the 3.14 binding cannot return it as a field, the named accessor can. */
function texUniform(model: MjModel): (matId: number) => boolean {
  try {
    const u = Array.from(model.mat_texuniform as ArrayLike<number>);
    return (m) => !!u[m];
  } catch {
    return (m) => {
      try {
        const a = model.mat(m);
        try { return a.texuniform === true || (a.texuniform as ArrayLike<number>)?.[0] === 1; } finally { a.delete(); }
      } catch {
        return true;
      }
    };
  }
}

function textureAverage(model: MjModel, matId: number): [number, number, number] {
  const texid = rgbTexture(model, matId);
  if (texid === undefined || texid < 0) return [1, 1, 1];
  const data = model.tex_data as Uint8Array, adr = (model.tex_adr as Int32Array)[texid]!;
  const nc = (model.tex_nchannel as Int32Array)[texid]!;
  const npx = (model.tex_width as Int32Array)[texid]! * (model.tex_height as Int32Array)[texid]!;
  if (nc < 3 || npx <= 0) return [1, 1, 1];
  let r = 0, g = 0, b = 0;
  for (let i = 0; i < npx; i++) { const k = adr + i * nc; r += data[k]!; g += data[k + 1]!; b += data[k + 2]!; }
  return [r / npx / 255, g / npx / 255, b / npx / 255];
}

/** A mesh asset's triangles as MuJoCo has them (in the geom's frame). */
function meshData(model: MjModel, meshId: number): { vert: Float32Array; face: Uint32Array } {
  const vadr = (model.mesh_vertadr as Int32Array)[meshId]!, vnum = (model.mesh_vertnum as Int32Array)[meshId]!;
  const fadr = (model.mesh_faceadr as Int32Array)[meshId]!, fnum = (model.mesh_facenum as Int32Array)[meshId]!;
  const vert = (model.mesh_vert as Float32Array).slice(3 * vadr, 3 * (vadr + vnum));
  const face = Uint32Array.from((model.mesh_face as Int32Array).subarray(3 * fadr, 3 * (fadr + fnum)));
  return { vert, face };
}

/** Grids of the mesh levels of detail (cells along the longest side), coarsest first; the exact mesh follows. */
const MESH_GRIDS = [8, 16, 32, 64, 128];

/**
 * Levels of detail of a mesh asset, coarsest first, each with its clustering cell in metres: with a fixed
 * `grid`, just that one (0 = exact); otherwise vertex clusterings at MESH_GRIDS (a level is kept only when it
 * has at most 80% of the triangles of the next finer one kept) and the exact mesh last.
 */
function meshLevels(model: MjModel, meshId: number, grid: number | null): { ms: TriMesh[]; cells: number[] } {
  const { vert, face } = meshData(model, meshId);
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < vert.length; i += 3) for (let k = 0; k < 3; k++) {
    lo[k] = Math.min(lo[k]!, vert[i + k]!); hi[k] = Math.max(hi[k]!, vert[i + k]!);
  }
  const side = Math.max(hi[0]! - lo[0]!, hi[1]! - lo[1]!, hi[2]! - lo[2]!);
  if (grid !== null) {
    if (grid <= 0) return { ms: [fromTriangles(vert, face)], cells: [0] };
    const d = clusterDecimate(vert, face, grid);
    return { ms: [fromTriangles(d.vert, d.face)], cells: [side / grid] };
  }
  const ms: TriMesh[] = [fromTriangles(vert, face)], cells = [0];
  let tris = face.length / 3;
  for (let l = MESH_GRIDS.length - 1; l >= 0; l--) {
    const d = clusterDecimate(vert, face, MESH_GRIDS[l]!);
    if (d.face.length === 0 || d.face.length / 3 > 0.8 * tris) continue;
    ms.unshift(fromTriangles(d.vert, d.face));
    cells.unshift(side / MESH_GRIDS[l]!);
    tris = d.face.length / 3;
  }
  return { ms, cells };
}

export function buildGeomMeshes(model: MjModel, o: SceneBuildOptions): BuiltScene {
  const type = model.geom_type as Int32Array, group = model.geom_group as Int32Array, size = model.geom_size as Float64Array;
  const matid = model.geom_matid as Int32Array, dataid = model.geom_dataid as Int32Array;
  const spec = model.mat_specular as Float32Array, shin = model.mat_shininess as Float32Array, emis = model.mat_emission as Float32Array;
  const cell = Math.max(model.stat.extent, 1e-3) / 8;
  const meshCache = new Map<number, { ms: TriMesh[]; cells: number[] }>();
  const parts: { g: GeomMesh; ms: TriMesh[]; cells: number[]; scl: [number, number] }[] = [];
  const uniform = texUniform(model), repeat = model.mat_texrepeat as Float32Array;
  const texCache = new Map<number, Texture | null>();
  const segs: number[] = [];
  for (let n = 8; n < o.segments; n = Math.round(n * 1.5 / 4) * 4) segs.push(n);
  segs.push(o.segments);
  for (let i = 0; i < model.ngeom; i++) {
    if (!o.groups.includes(group[i]!)) continue;
    const t = type[i]!, s0 = size[3 * i]!, s1 = size[3 * i + 1]!, s2 = size[3 * i + 2]!;
    let ms: TriMesh[] = [], curve = 0, cells: number[] = [];
    switch (t) {
      case GEOM.PLANE: ms = [plane(s0, s1, o.planeExtent, 10)]; break;
      case GEOM.SPHERE: ms = segs.map((n) => sphere(s0, n)); curve = s0; break;
      case GEOM.CAPSULE: ms = segs.map((n) => capsule(s0, s1, n)); curve = s0; break;
      case GEOM.ELLIPSOID: ms = segs.map((n) => ellipsoid(s0, s1, s2, n)); curve = Math.max(s0, s1, s2); break;
      case GEOM.CYLINDER: ms = segs.map((n) => cylinder(s0, s1, n)); curve = s0; break;
      case GEOM.BOX: ms = [box(s0, s1, s2, cell)]; break;
      case GEOM.MESH: {
        const id = dataid[i]!;
        if (id < 0) break;
        let m = meshCache.get(id);
        if (!m) { m = meshLevels(model, id, o.meshGrid); meshCache.set(id, m); }
        ms = m.ms; cells = m.cells;
        break;
      }
      default: break; // height fields and SDFs are not drawn
    }
    if (ms.length === 0 || ms[0]!.idx.length === 0) continue;
    const mat = matid[i]!;
    // 2-D textures on planes are sampled per pixel (floors); elsewhere their average colour is used.
    let texture: Texture | null = null, scl: [number, number] = [0, 0];
    const texid = rgbTexture(model, mat);
    if (o.textures && t === GEOM.PLANE && texid >= 0) {
      if (!texCache.has(texid)) texCache.set(texid, load2d(model, texid));
      texture = texCache.get(texid) ?? null;
      const u = uniform(mat);
      scl = [planeTexScale(repeat[2 * mat]!, s0, u), planeTexScale(repeat[2 * mat + 1]!, s1, u)];
    }
    parts.push({
      ms, cells, scl,
      g: {
        id: i, type: t, lods: [], curve, radius: Math.max(...ms.map((m) => m.radius)), matId: mat,
        tex: texture ? [1, 1, 1] : textureAverage(model, mat), texture,
        specular: mat >= 0 ? spec[mat]! : 0.5, shininess: mat >= 0 ? shin[mat]! : 0.5, emission: mat >= 0 ? emis[mat]! : 0,
      },
    });
  }
  let nv = 0, ni = 0;
  for (const { ms } of parts) for (const m of ms) { nv += m.pos.length / 3; ni += m.idx.length; }
  const pos = new Float32Array(3 * nv), nrm = new Float32Array(3 * nv), uv = new Float32Array(2 * nv), idx = new Uint32Array(ni);
  let v = 0, k = 0;
  for (const { g, ms, cells, scl } of parts) {
    ms.forEach((m, l) => {
      const n = m.pos.length / 3;
      pos.set(m.pos, 3 * v); nrm.set(m.nrm, 3 * v);
      if (g.texture) {
        for (let j = 0; j < n; j++) {
          uv[2 * (v + j)] = 0.5 * scl[0] * m.pos[3 * j]! - 0.5;
          uv[2 * (v + j) + 1] = -0.5 * scl[1] * m.pos[3 * j + 1]! - 0.5;
        }
      }
      for (let j = 0; j < m.idx.length; j++) idx[k + j] = m.idx[j]! + v;
      g.lods.push({ seg: g.curve > 0 ? segs[l]! : 0, cell: cells[l] ?? 0, v0: v, v1: v + n, i0: k, i1: k + m.idx.length });
      v += n; k += m.idx.length;
    });
  }
  // Planes last: whatever stands on a floor then hides it by the depth test before it is shaded or
  // textured, instead of being drawn over it (less overdraw; the picture is the same).
  const geoms = parts.map((p) => p.g);
  return { geoms: [...geoms.filter((g) => g.type !== GEOM.PLANE), ...geoms.filter((g) => g.type === GEOM.PLANE)], pos, nrm, uv, idx };
}

/**
 * The coarsest level of detail of `g` that departs from the true surface by at most `tolPx` pixels (round
 * geoms: polygon sag r (1 - cos(pi/seg))) or whose clustering cell is at most `meshPx` pixels (meshes), for a
 * geom `pxPerMetre` pixels per metre on screen at its nearest.
 */
export function pickLod(g: GeomMesh, pxPerMetre: number, tolPx: number, meshPx: number): Lod {
  const lods = g.lods;
  if (lods.length === 1) return lods[0]!;
  if (g.type === GEOM.MESH) {
    if (meshPx <= 0) return lods[lods.length - 1]!;
    for (let l = 0; l < lods.length - 1; l++) if (lods[l]!.cell * pxPerMetre <= meshPx) return lods[l]!;
    return lods[lods.length - 1]!;
  }
  if (tolPx <= 0) return lods[lods.length - 1]!;
  const rpx = g.curve * pxPerMetre;
  for (let l = 0; l < lods.length - 1; l++) {
    if (rpx * (1 - Math.cos(Math.PI / lods[l]!.seg)) <= tolPx) return lods[l]!;
  }
  return lods[lods.length - 1]!;
}
