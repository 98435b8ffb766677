// Triangle meshes of MuJoCo's geom types in each geom's local frame, made once per renderer: box, sphere, ellipsoid,
// capsule, cylinder, plane (finite; "infinite" planes are cut to a large square) and mesh (MuJoCo's own vertices and
// faces). Triangles wind counter-clockwise seen from outside, so backfaces can be culled.
export interface LocalMesh {
  /** Vertex positions, xyz per vertex. */
  pos: Float32Array;
  /** Triangles as vertex indices, 3 per triangle. */
  tri: Uint32Array;
  /** Bounding radius around the local origin. */
  radius: number;
}

class Builder {
  p: number[] = [];
  t: number[] = [];
  v(x: number, y: number, z: number): number { this.p.push(x, y, z); return this.p.length / 3 - 1; }
  tri(a: number, b: number, c: number): void { this.t.push(a, b, c); }
  quad(a: number, b: number, c: number, d: number): void { this.t.push(a, b, c, a, c, d); }
  done(): LocalMesh {
    const pos = Float32Array.from(this.p);
    let r = 0;
    for (let i = 0; i < pos.length; i += 3) r = Math.max(r, Math.hypot(pos[i]!, pos[i + 1]!, pos[i + 2]!));
    return { pos, tri: Uint32Array.from(this.t), radius: r };
  }
}

export function boxMesh(sx: number, sy: number, sz: number): LocalMesh {
  const b = new Builder();
  const faces: [number[], number[], number[]][] = [
    [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[-1, 0, 0], [0, 0, 1], [0, 1, 0]], [[0, 1, 0], [0, 0, 1], [1, 0, 0]],
    [[0, -1, 0], [1, 0, 0], [0, 0, 1]], [[0, 0, 1], [1, 0, 0], [0, 1, 0]], [[0, 0, -1], [0, 1, 0], [1, 0, 0]],
  ];
  const s = [sx, sy, sz];
  for (const [n, u, w] of faces) {
    const c = (k: number, a: number, bb: number) => n[k]! * s[k]! + u[k]! * a * s[k]! + w[k]! * bb * s[k]!;
    const vtx = (a: number, bb: number) => b.v(c(0, a, bb), c(1, a, bb), c(2, a, bb));
    b.quad(vtx(-1, -1), vtx(1, -1), vtx(1, 1), vtx(-1, 1));
  }
  return b.done();
}

/** Ellipsoid (sphere when rx = ry = rz) as a UV sphere with `seg` segments around and `rings` from pole to pole. */
export function ellipsoidMesh(rx: number, ry: number, rz: number, seg: number, rings: number): LocalMesh {
  const b = new Builder();
  const idx: number[][] = [];
  for (let i = 0; i <= rings; i++) {
    const th = (Math.PI * i) / rings;
    const row: number[] = [];
    for (let j = 0; j < seg; j++) {
      const ph = (2 * Math.PI * j) / seg;
      row.push(b.v(rx * Math.sin(th) * Math.cos(ph), ry * Math.sin(th) * Math.sin(ph), rz * Math.cos(th)));
    }
    idx.push(row);
  }
  for (let i = 0; i < rings; i++) for (let j = 0; j < seg; j++) {
    const j2 = (j + 1) % seg;
    b.quad(idx[i]![j]!, idx[i + 1]![j]!, idx[i + 1]![j2]!, idx[i]![j2]!);
  }
  return b.done();
}

/** Cylinder (radius r, half-height h, along z); capsule when caps = true (hemispheres of radius r on both ends). */
export function cylinderMesh(r: number, h: number, seg: number, caps: boolean, capRings = 4): LocalMesh {
  const b = new Builder();
  const ring = (z: number, rr: number) => Array.from({ length: seg }, (_, j) => b.v(rr * Math.cos((2 * Math.PI * j) / seg), rr * Math.sin((2 * Math.PI * j) / seg), z));
  const rows: number[][] = [];
  if (caps) {
    for (let i = 0; i < capRings; i++) { const a = (Math.PI / 2) * (i / capRings); rows.push(ring(-h - r * Math.cos(a), r * Math.sin(a))); }
    rows.push(ring(-h, r), ring(h, r));
    for (let i = capRings - 1; i >= 0; i--) { const a = (Math.PI / 2) * (i / capRings); rows.push(ring(h + r * Math.cos(a), r * Math.sin(a))); }
  } else {
    rows.push(ring(-h, r), ring(h, r));
    const bottom = b.v(0, 0, -h), top = b.v(0, 0, h);
    const lo = ring(-h, r), hi = ring(h, r);
    for (let j = 0; j < seg; j++) { const j2 = (j + 1) % seg; b.tri(bottom, lo[j2]!, lo[j]!); b.tri(top, hi[j]!, hi[j2]!); }
  }
  for (let i = 0; i + 1 < rows.length; i++) for (let j = 0; j < seg; j++) {
    const j2 = (j + 1) % seg;
    b.quad(rows[i]![j]!, rows[i]![j2]!, rows[i + 1]![j2]!, rows[i + 1]![j]!);
  }
  return b.done();
}

/** A plane facing +z, split into n x n quads (so near-plane clipping keeps nearby parts accurate). */
export function planeMesh(hx: number, hy: number, n: number): LocalMesh {
  const b = new Builder();
  const id: number[][] = [];
  for (let i = 0; i <= n; i++) { const row: number[] = []; for (let j = 0; j <= n; j++) row.push(b.v(-hx + (2 * hx * j) / n, -hy + (2 * hy * i) / n, 0)); id.push(row); }
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b.quad(id[i]![j]!, id[i]![j + 1]!, id[i + 1]![j + 1]!, id[i + 1]![j]!);
  return b.done();
}

/** A MuJoCo mesh from the model's arrays (vertices already in the geom frame). */
export function modelMesh(vert: Float32Array, face: Int32Array, vadr: number, vnum: number, fadr: number, fnum: number): LocalMesh {
  const pos = vert.slice(3 * vadr, 3 * (vadr + vnum));
  const tri = new Uint32Array(3 * fnum);
  for (let i = 0; i < 3 * fnum; i++) tri[i] = face[3 * fadr + i]!;
  let r = 0;
  for (let i = 0; i < pos.length; i += 3) r = Math.max(r, Math.hypot(pos[i]!, pos[i + 1]!, pos[i + 2]!));
  return { pos, tri, radius: r };
}
