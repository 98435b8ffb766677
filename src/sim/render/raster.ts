// The triangle rasterizer: camera-space triangles -> near-plane clipping -> perspective projection -> z-buffered,
// flat-shaded pixels. Depth is tested and interpolated as 1/z (exact for perspective); buffers are reused.
export interface Target {
  width: number;
  height: number;
  /** focal length in pixels (from the vertical field of view) */
  focal: number;
  near: number;
  rgb: Uint8Array;
  /** 1/depth per pixel, 0 = nothing drawn */
  invDepth: Float32Array;
}

const clipBuf = new Float64Array(4 * 3 * 2);

/**
 * Draws one triangle given in camera space (camera looks along -z). `cullBack` drops triangles facing away.
 * Returns nothing; writes into target.rgb / target.invDepth.
 */
export function drawTriangle(t: Target, ax: number, ay: number, az: number, bx: number, by: number, bz: number, cx: number, cy: number, cz: number,
  r: number, g: number, b: number, cullBack: boolean): void {
  const zn = -t.near;
  const ina = az <= zn, inb = bz <= zn, inc = cz <= zn;
  if (ina && inb && inc) { project(t, ax, ay, az, bx, by, bz, cx, cy, cz, r, g, b, cullBack); return; }
  if (!ina && !inb && !inc) return;
  // Sutherland-Hodgman against z = -near: up to 4 vertices
  const vs = [ax, ay, az, bx, by, bz, cx, cy, cz];
  let n = 0;
  for (let i = 0; i < 3; i++) {
    const j = (i + 1) % 3;
    const pz = vs[3 * i + 2]!, qz = vs[3 * j + 2]!;
    const pin = pz <= zn, qin = qz <= zn;
    if (pin) { clipBuf[3 * n] = vs[3 * i]!; clipBuf[3 * n + 1] = vs[3 * i + 1]!; clipBuf[3 * n + 2] = pz; n++; }
    if (pin !== qin) {
      const s = (zn - pz) / (qz - pz);
      clipBuf[3 * n] = vs[3 * i]! + s * (vs[3 * j]! - vs[3 * i]!);
      clipBuf[3 * n + 1] = vs[3 * i + 1]! + s * (vs[3 * j + 1]! - vs[3 * i + 1]!);
      clipBuf[3 * n + 2] = zn;
      n++;
    }
  }
  const c = clipBuf;
  if (n >= 3) {
    const p = [c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!, c[6]!, c[7]!, c[8]!];
    const q = n === 4 ? [c[0]!, c[1]!, c[2]!, c[6]!, c[7]!, c[8]!, c[9]!, c[10]!, c[11]!] : null;
    project(t, p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, p[6]!, p[7]!, p[8]!, r, g, b, cullBack);
    if (q) project(t, q[0]!, q[1]!, q[2]!, q[3]!, q[4]!, q[5]!, q[6]!, q[7]!, q[8]!, r, g, b, cullBack);
  }
}

function project(t: Target, ax: number, ay: number, az: number, bx: number, by: number, bz: number, cx: number, cy: number, cz: number,
  r: number, g: number, b: number, cullBack: boolean): void {
  const hw = t.width / 2, hh = t.height / 2, f = t.focal;
  const wa = -1 / az, wb = -1 / bz, wc = -1 / cz; // 1/depth
  // pixel coordinates (x right, y down), pixel centres at +0.5
  const x0 = hw + f * ax * wa, y0 = hh - f * ay * wa;
  const x1 = hw + f * bx * wb, y1 = hh - f * by * wb;
  const x2 = hw + f * cx * wc, y2 = hh - f * cy * wc;
  const area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
  if (area === 0) return;
  if (cullBack && area > 0) return; // counter-clockwise in world = clockwise on screen (y down): front faces have area < 0
  let minX = Math.max(0, Math.floor(Math.min(x0, x1, x2))), maxX = Math.min(t.width - 1, Math.ceil(Math.max(x0, x1, x2)));
  let minY = Math.max(0, Math.floor(Math.min(y0, y1, y2))), maxY = Math.min(t.height - 1, Math.ceil(Math.max(y0, y1, y2)));
  if (minX > maxX || minY > maxY) return;
  const inv = 1 / area;
  const W = t.width, rgb = t.rgb, zb = t.invDepth;
  for (let py = minY; py <= maxY; py++) {
    const sy = py + 0.5;
    for (let px = minX; px <= maxX; px++) {
      const sx = px + 0.5;
      const e0 = ((x1 - sx) * (y2 - sy) - (x2 - sx) * (y1 - sy)) * inv;
      const e1 = ((x2 - sx) * (y0 - sy) - (x0 - sx) * (y2 - sy)) * inv;
      const e2 = 1 - e0 - e1;
      if (e0 < 0 || e1 < 0 || e2 < 0) continue;
      const w = e0 * wa + e1 * wb + e2 * wc;
      const k = py * W + px;
      if (w <= zb[k]!) continue;
      zb[k] = w;
      const o = 3 * k;
      rgb[o] = r; rgb[o + 1] = g; rgb[o + 2] = b;
    }
  }
}
