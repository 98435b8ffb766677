// Triangle meshes for MuJoCo geom primitives, built once in the geom's local frame with the sizes baked
// in (outward counter-clockwise winding, per-vertex normals), plus mesh-asset extraction with
// vertex-clustering decimation and crease-angle normals.

export interface TriMesh {
  /** Vertex positions, xyz per vertex, local geom frame (metres). */
  pos: Float32Array;
  /** Unit vertex normals, xyz per vertex. */
  nrm: Float32Array;
  /** Triangle vertex indices, 3 per triangle, counter-clockwise seen from outside. */
  idx: Uint32Array;
  /** Radius of a sphere about the local origin enclosing every vertex. */
  radius: number;
}

class Builder {
  pos: number[] = [];
  nrm: number[] = [];
  idx: number[] = [];
  vertex(x: number, y: number, z: number, nx: number, ny: number, nz: number): number {
    const l = Math.hypot(nx, ny, nz) || 1;
    this.pos.push(x, y, z);
    this.nrm.push(nx / l, ny / l, nz / l);
    return this.pos.length / 3 - 1;
  }
  tri(a: number, b: number, c: number): void {
    this.idx.push(a, b, c);
  }
  build(): TriMesh {
    let r = 0;
    for (let i = 0; i < this.pos.length; i += 3) r = Math.max(r, Math.hypot(this.pos[i]!, this.pos[i + 1]!, this.pos[i + 2]!));
    return { pos: Float32Array.from(this.pos), nrm: Float32Array.from(this.nrm), idx: Uint32Array.from(this.idx), radius: r };
  }
}

/** A ring of a surface of revolution about local z: radius rho at height z, with normal (nrho, nz) in the meridian plane. */
interface Ring { rho: number; z: number; nrho: number; nz: number }

/** Surface of revolution through `rings` (bottom to top), `seg` segments around z. Zero-radius rings are poles. */
function lathe(b: Builder, rings: Ring[], seg: number): void {
  const first: number[] = [];
  for (const r of rings) {
    first.push(b.pos.length / 3);
    for (let j = 0; j < seg; j++) {
      const a = (2 * Math.PI * j) / seg, c = Math.cos(a), s = Math.sin(a);
      b.vertex(r.rho * c, r.rho * s, r.z, r.nrho * c, r.nrho * s, r.nz);
    }
  }
  for (let i = 0; i + 1 < rings.length; i++) {
    const lo = first[i]!, hi = first[i + 1]!;
    for (let j = 0; j < seg; j++) {
      const j1 = (j + 1) % seg;
      const a = lo + j, bb = lo + j1, c = hi + j1, d = hi + j;
      if (rings[i]!.rho > 0) b.tri(a, bb, c);
      if (rings[i + 1]!.rho > 0) b.tri(a, c, d);
    }
  }
}

/** Rings of a sphere of radius r centred at height zc, from latitude lat0 to lat1 (radians), n steps. */
function sphereRings(r: number, zc: number, lat0: number, lat1: number, n: number): Ring[] {
  const out: Ring[] = [];
  for (let i = 0; i <= n; i++) {
    const lat = lat0 + ((lat1 - lat0) * i) / n;
    const c = Math.abs(Math.cos(lat)) < 1e-12 ? 0 : Math.cos(lat), s = Math.sin(lat);
    out.push({ rho: r * c, z: zc + r * s, nrho: c, nz: s });
  }
  return out;
}

/** Sphere of radius r: `seg` segments around, seg/2 from pole to pole (vertices on the surface). */
export function sphere(r: number, seg: number): TriMesh {
  const b = new Builder();
  lathe(b, sphereRings(r, 0, -Math.PI / 2, Math.PI / 2, Math.max(2, seg >> 1)), seg);
  return b.build();
}

export function ellipsoid(a: number, bb: number, c: number, seg: number): TriMesh {
  const m = sphere(1, seg);
  for (let i = 0; i < m.pos.length; i += 3) {
    const x = m.pos[i]!, y = m.pos[i + 1]!, z = m.pos[i + 2]!;
    m.pos[i] = x * a; m.pos[i + 1] = y * bb; m.pos[i + 2] = z * c;
    const nx = x / a, ny = y / bb, nz = z / c, l = Math.hypot(nx, ny, nz);
    m.nrm[i] = nx / l; m.nrm[i + 1] = ny / l; m.nrm[i + 2] = nz / l;
  }
  m.radius = Math.max(a, bb, c);
  return m;
}

/** Capsule of radius r around the local z axis with cylinder half-length h. */
export function capsule(r: number, h: number, seg: number): TriMesh {
  const b = new Builder();
  const n = Math.max(1, seg >> 2);
  const rings = [...sphereRings(r, -h, -Math.PI / 2, 0, n), ...sphereRings(r, h, 0, Math.PI / 2, n)];
  lathe(b, rings, seg);
  return b.build();
}

/** Closed cylinder of radius r around local z with half-height h. */
export function cylinder(r: number, h: number, seg: number): TriMesh {
  const b = new Builder();
  lathe(b, [{ rho: r, z: -h, nrho: 1, nz: 0 }, { rho: r, z: h, nrho: 1, nz: 0 }], seg);
  lathe(b, [{ rho: 0, z: -h, nrho: 0, nz: -1 }, { rho: r, z: -h, nrho: 0, nz: -1 }], seg);
  lathe(b, [{ rho: r, z: h, nrho: 0, nz: 1 }, { rho: 0, z: h, nrho: 0, nz: 1 }], seg);
  return b.build();
}

/** Flat grid patch origin + s*u + t*v with normal u x v; `us`, `vs` are the breakpoints in [0, 1]. */
function patch(b: Builder, o: number[], u: number[], v: number[], us: number[], vs: number[]): void {
  const nx = u[1]! * v[2]! - u[2]! * v[1]!, ny = u[2]! * v[0]! - u[0]! * v[2]!, nz = u[0]! * v[1]! - u[1]! * v[0]!;
  const base = b.pos.length / 3, nu = us.length;
  for (const t of vs) for (const s of us) {
    b.vertex(o[0]! + s * u[0]! + t * v[0]!, o[1]! + s * u[1]! + t * v[1]!, o[2]! + s * u[2]! + t * v[2]!, nx, ny, nz);
  }
  for (let j = 0; j + 1 < vs.length; j++) for (let i = 0; i + 1 < nu; i++) {
    const a = base + j * nu + i, bb = a + 1, c = a + nu + 1, d = a + nu;
    b.tri(a, bb, c); b.tri(a, c, d);
  }
}

const steps = (n: number): number[] => Array.from({ length: n + 1 }, (_, i) => i / n);

/**
 * Box with half-sizes x, y, z. Faces are subdivided so that no cell is larger than `cell` metres
 * (at most 8 per side), so per-vertex lighting of spot lights shows on big faces like table tops.
 */
export function box(x: number, y: number, z: number, cell: number): TriMesh {
  const b = new Builder();
  const n = (len: number) => steps(Math.min(8, Math.max(1, Math.ceil(len / cell))));
  const X = n(2 * x), Y = n(2 * y), Z = n(2 * z);
  patch(b, [x, -y, -z], [0, 2 * y, 0], [0, 0, 2 * z], Y, Z);
  patch(b, [-x, -y, -z], [0, 0, 2 * z], [0, 2 * y, 0], Z, Y);
  patch(b, [-x, y, -z], [0, 0, 2 * z], [2 * x, 0, 0], Z, X);
  patch(b, [-x, -y, -z], [2 * x, 0, 0], [0, 0, 2 * z], X, Z);
  patch(b, [-x, -y, z], [2 * x, 0, 0], [0, 2 * y, 0], X, Y);
  patch(b, [-x, -y, -z], [0, 2 * y, 0], [2 * x, 0, 0], Y, X);
  return b.build();
}

/**
 * Plane z = 0 facing +z with half-sizes x, y. Where a size is 0 (MuJoCo's infinite plane) the half-size
 * `infinite` is used and the grid is denser near the origin (quadratic spacing) so nearby lighting stays smooth.
 */
export function plane(x: number, y: number, infinite: number, n: number): TriMesh {
  const b = new Builder();
  const axis = (h: number): number[] => {
    if (h > 0) return steps(n);
    const k = 2 * n;
    return Array.from({ length: k + 1 }, (_, i) => { const t = (2 * i) / k - 1; return 0.5 + 0.5 * Math.sign(t) * t * t; });
  };
  const hx = x > 0 ? x : infinite, hy = y > 0 ? y : infinite;
  patch(b, [-hx, -hy, 0], [2 * hx, 0, 0], [0, 2 * hy, 0], axis(x), axis(y));
  return b.build();
}

/**
 * Vertex clustering: snaps vertices to a grid with `grid` cells along the longest side of the bounding
 * box, replaces each cluster by its mean, and drops triangles that collapse or repeat.
 */
export function clusterDecimate(vert: Float32Array, face: Uint32Array, grid: number): { vert: Float32Array; face: Uint32Array } {
  const nv = vert.length / 3;
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < nv; i++) for (let k = 0; k < 3; k++) {
    lo[k] = Math.min(lo[k]!, vert[3 * i + k]!); hi[k] = Math.max(hi[k]!, vert[3 * i + k]!);
  }
  const cell = Math.max(hi[0]! - lo[0]!, hi[1]! - lo[1]!, hi[2]! - lo[2]!) / grid || 1;
  const key = new Map<string, number>(), remap = new Int32Array(nv), sum: number[] = [], cnt: number[] = [];
  for (let i = 0; i < nv; i++) {
    const cx = Math.floor((vert[3 * i]! - lo[0]!) / cell), cy = Math.floor((vert[3 * i + 1]! - lo[1]!) / cell), cz = Math.floor((vert[3 * i + 2]! - lo[2]!) / cell);
    const k = `${cx},${cy},${cz}`;
    let c = key.get(k);
    if (c === undefined) { c = cnt.length; key.set(k, c); cnt.push(0); sum.push(0, 0, 0); }
    remap[i] = c; cnt[c]!++;
    sum[3 * c]! += vert[3 * i]!; sum[3 * c + 1]! += vert[3 * i + 1]!; sum[3 * c + 2]! += vert[3 * i + 2]!;
  }
  const out = new Float32Array(cnt.length * 3);
  for (let c = 0; c < cnt.length; c++) for (let k = 0; k < 3; k++) out[3 * c + k] = sum[3 * c + k]! / cnt[c]!;
  const faces: number[] = [], seen = new Set<string>();
  for (let f = 0; f < face.length; f += 3) {
    const a = remap[face[f]!]!, b = remap[face[f + 1]!]!, c = remap[face[f + 2]!]!;
    if (a === b || b === c || a === c) continue;
    const m = Math.min(a, b, c), fk = m === a ? `${a},${b},${c}` : m === b ? `${b},${c},${a}` : `${c},${a},${b}`;
    if (seen.has(fk)) continue;
    seen.add(fk); faces.push(a, b, c);
  }
  return { vert: out, face: Uint32Array.from(faces) };
}

/**
 * Indexed triangles -> TriMesh with crease-angle normals: faces meeting at a vertex share an (area-
 * weighted) normal when within `creaseDeg` of the first face of that group; otherwise the vertex is
 * split, so hard CAD edges stay sharp and curved parts look smooth.
 */
export function fromTriangles(vert: Float32Array, face: Uint32Array, creaseDeg = 40): TriMesh {
  const nf = face.length / 3, fn = new Float64Array(nf * 3);
  for (let f = 0; f < nf; f++) {
    const a = 3 * face[3 * f]!, b = 3 * face[3 * f + 1]!, c = 3 * face[3 * f + 2]!;
    const ux = vert[b]! - vert[a]!, uy = vert[b + 1]! - vert[a + 1]!, uz = vert[b + 2]! - vert[a + 2]!;
    const vx = vert[c]! - vert[a]!, vy = vert[c + 1]! - vert[a + 1]!, vz = vert[c + 2]! - vert[a + 2]!;
    fn[3 * f] = uy * vz - uz * vy; fn[3 * f + 1] = uz * vx - ux * vz; fn[3 * f + 2] = ux * vy - uy * vx;
  }
  const cosT = Math.cos((creaseDeg * Math.PI) / 180);
  const incident: number[][] = Array.from({ length: vert.length / 3 }, () => []);
  for (let i = 0; i < face.length; i++) incident[face[i]!]!.push(i);
  const b = new Builder(), corner = new Int32Array(face.length);
  for (let v = 0; v < incident.length; v++) {
    const list = incident[v]!, done = new Uint8Array(list.length);
    for (let s = 0; s < list.length; s++) {
      if (done[s]) continue;
      const f0 = (list[s]! / 3) | 0, l0 = Math.hypot(fn[3 * f0]!, fn[3 * f0 + 1]!, fn[3 * f0 + 2]!) || 1;
      let nx = 0, ny = 0, nz = 0;
      const members: number[] = [];
      for (let t = s; t < list.length; t++) {
        if (done[t]) continue;
        const f = (list[t]! / 3) | 0, l = Math.hypot(fn[3 * f]!, fn[3 * f + 1]!, fn[3 * f + 2]!) || 1;
        const cos = (fn[3 * f]! * fn[3 * f0]! + fn[3 * f + 1]! * fn[3 * f0 + 1]! + fn[3 * f + 2]! * fn[3 * f0 + 2]!) / (l * l0);
        if (t === s || cos >= cosT) {
          done[t] = 1; members.push(list[t]!);
          nx += fn[3 * f]!; ny += fn[3 * f + 1]!; nz += fn[3 * f + 2]!;
        }
      }
      const id = b.vertex(vert[3 * v]!, vert[3 * v + 1]!, vert[3 * v + 2]!, nx, ny, nz);
      for (const c of members) corner[c] = id;
    }
  }
  b.idx = Array.from(corner);
  return b.build();
}
