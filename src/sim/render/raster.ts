// Triangle rasterization into a preallocated z-buffer: near-plane clipping, back-face culling and an
// edge-function scan with exact 1/depth interpolation and perspective-correct (Gouraud) colour; textured
// triangles (planes) also interpolate texture coordinates and pick a mip level per pixel.
// Vertices are lit lazily, only when a visible front-facing triangle uses them. No allocation per frame.

import { shadeVertex, type LightSet, type Surface } from './lighting.ts';
import type { Texture } from './texture.ts';

/** Colour + depth target. `invz` holds 1/depth (larger = nearer); `rgb` clamps and rounds on write. */
export interface Target {
  width: number;
  height: number;
  invz: Float32Array;
  rgb: Uint8ClampedArray;
}

/** Pinhole projection of camera-space points (camera looks along -z, y up) to pixels, top row first. */
export interface Projection {
  /** Focal length in pixels. */
  f: number;
  cx: number;
  cy: number;
  near: number;
}

/**
 * Rasterizes one screen-space triangle. x, y are pixel coordinates (pixel (i, j) has its centre at
 * (i + 0.5, j + 0.5)), z is 1/depth, r, g, b the vertex colours (0..255). With `cull`, triangles that
 * are clockwise seen from the camera (back faces) are skipped.
 */
export function rasterTri(
  t: Target, cull: boolean,
  x0: number, y0: number, z0: number, r0: number, g0: number, b0: number,
  x1: number, y1: number, z1: number, r1: number, g1: number, b1: number,
  x2: number, y2: number, z2: number, r2: number, g2: number, b2: number,
): void {
  let area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
  // The screen's y axis points down, so faces counter-clockwise seen from the camera have negative area.
  if (area >= 0) {
    if (cull || area === 0) return;
  } else {
    let s = x1; x1 = x2; x2 = s; s = y1; y1 = y2; y2 = s; s = z1; z1 = z2; z2 = s;
    s = r1; r1 = r2; r2 = s; s = g1; g1 = g2; g2 = s; s = b1; b1 = b2; b2 = s;
    area = -area;
  }
  const W = t.width, H = t.height;
  let minX = Math.ceil(Math.min(x0, x1, x2) - 0.5), maxX = Math.floor(Math.max(x0, x1, x2) - 0.5);
  let minY = Math.ceil(Math.min(y0, y1, y2) - 0.5), maxY = Math.floor(Math.max(y0, y1, y2) - 0.5);
  if (minX < 0) minX = 0;
  if (minY < 0) minY = 0;
  if (maxX > W - 1) maxX = W - 1;
  if (maxY > H - 1) maxY = H - 1;
  if (minX > maxX || minY > maxY) return;
  const inv = 1 / area;
  // Attribute at a pixel = (a0 w0 + a1 w1 + a2 w2) / area; colours are carried as colour/depth = colour*z.
  const za = z0 * inv, zb = z1 * inv, zc = z2 * inv;
  const ra = r0 * za, rb = r1 * zb, rc = r2 * zc;
  const ga = g0 * za, gb = g1 * zb, gc = g2 * zc;
  const ba = b0 * za, bb = b1 * zb, bc = b2 * zc;
  const px = minX + 0.5, py = minY + 0.5;
  const e0x = y1 - y2, e0y = x2 - x1, e1x = y2 - y0, e1y = x0 - x2, e2x = y0 - y1, e2y = x1 - x0;
  let w0r = (x2 - x1) * (py - y1) - (y2 - y1) * (px - x1);
  let w1r = (x0 - x2) * (py - y2) - (y0 - y2) * (px - x2);
  let w2r = (x1 - x0) * (py - y0) - (y1 - y0) * (px - x0);
  const zbuf = t.invz, rgb = t.rgb;
  // Wide triangles: each row scans only the span where the edge functions can be >= 0 (found by
  // solving w(x) = 0 per edge, widened by a pixel against rounding; the per-pixel test stays exact).
  const span = maxX - minX > 6;
  for (let y = minY; y <= maxY; y++) {
    let x0 = minX, x1 = maxX;
    if (span) {
      let lo = 0, hi = maxX - minX;
      if (e0x > 0) { const q = -w0r / e0x; if (q > lo) lo = q; } else if (e0x < 0) { const q = w0r / -e0x; if (q < hi) hi = q; } else if (w0r < 0) hi = -1;
      if (e1x > 0) { const q = -w1r / e1x; if (q > lo) lo = q; } else if (e1x < 0) { const q = w1r / -e1x; if (q < hi) hi = q; } else if (w1r < 0) hi = -1;
      if (e2x > 0) { const q = -w2r / e2x; if (q > lo) lo = q; } else if (e2x < 0) { const q = w2r / -e2x; if (q < hi) hi = q; } else if (w2r < 0) hi = -1;
      if (hi < lo - 1) { w0r += e0y; w1r += e1y; w2r += e2y; continue; }
      const a = minX + Math.ceil(lo) - 1, b = minX + Math.floor(hi) + 1;
      if (a > x0) x0 = a;
      if (b < x1) x1 = b;
    }
    const dx = x0 - minX;
    let w0 = w0r + e0x * dx, w1 = w1r + e1x * dx, w2 = w2r + e2x * dx, i = y * W + x0;
    for (let x = x0; x <= x1; x++, i++) {
      if (w0 >= 0 && w1 >= 0 && w2 >= 0) {
        const iz = za * w0 + zb * w1 + zc * w2;
        if (iz > zbuf[i]!) {
          zbuf[i] = iz;
          const d = 1 / iz, k = 3 * i;
          rgb[k] = (ra * w0 + rb * w1 + rc * w2) * d;
          rgb[k + 1] = (ga * w0 + gb * w1 + gc * w2) * d;
          rgb[k + 2] = (ba * w0 + bb * w1 + bc * w2) * d;
        }
      }
      w0 += e0x; w1 += e1x; w2 += e2x;
    }
    w0r += e0y; w1r += e1y; w2r += e2y;
  }
}

/** Floats per vertex in a textured triangle: x, y, 1/depth, r, g, b, u, v. */
const TV = 8;

/**
 * Rasterizes one screen-space triangle whose vertices are v[0..8), v[8..16), v[16..24) (x, y, 1/depth,
 * r, g, b, u, v): the Gouraud colour is modulated by `tex` (OpenGL's GL_MODULATE), sampled (nearest texel)
 * at the perspective-correct texture coordinates from the mip level whose texels best match the pixel's
 * footprint (the longer of its x and y extents), so distant checkers blend instead of aliasing.
 */
export function rasterTriTex(t: Target, cull: boolean, v: Float64Array, tex: Texture): void {
  let A = 0, B = TV, C = 2 * TV;
  let area = (v[B]! - v[A]!) * (v[C + 1]! - v[A + 1]!) - (v[C]! - v[A]!) * (v[B + 1]! - v[A + 1]!);
  if (area >= 0) {
    if (cull || area === 0) return;
  } else {
    B = 2 * TV; C = TV; area = -area;
  }
  const x0 = v[A]!, y0 = v[A + 1]!, x1 = v[B]!, y1 = v[B + 1]!, x2 = v[C]!, y2 = v[C + 1]!;
  const W = t.width, H = t.height;
  let minX = Math.ceil(Math.min(x0, x1, x2) - 0.5), maxX = Math.floor(Math.max(x0, x1, x2) - 0.5);
  let minY = Math.ceil(Math.min(y0, y1, y2) - 0.5), maxY = Math.floor(Math.max(y0, y1, y2) - 0.5);
  if (minX < 0) minX = 0;
  if (minY < 0) minY = 0;
  if (maxX > W - 1) maxX = W - 1;
  if (maxY > H - 1) maxY = H - 1;
  if (minX > maxX || minY > maxY) return;
  const inv = 1 / area;
  const za = v[A + 2]! * inv, zb = v[B + 2]! * inv, zc = v[C + 2]! * inv;
  const ra = v[A + 3]! * za, rb = v[B + 3]! * zb, rc = v[C + 3]! * zc;
  const ga = v[A + 4]! * za, gb = v[B + 4]! * zb, gc = v[C + 4]! * zc;
  const ba = v[A + 5]! * za, bb = v[B + 5]! * zb, bc = v[C + 5]! * zc;
  const ua = v[A + 6]! * za, ub = v[B + 6]! * zb, uc = v[C + 6]! * zc;
  const va = v[A + 7]! * za, vb = v[B + 7]! * zb, vc = v[C + 7]! * zc;
  const e0x = y1 - y2, e0y = x2 - x1, e1x = y2 - y0, e1y = x0 - x2, e2x = y0 - y1, e2y = x1 - x0;
  // Screen gradients of u/depth, v/depth and 1/depth (constant over the triangle), for the mip level.
  const Ux = ua * e0x + ub * e1x + uc * e2x, Uy = ua * e0y + ub * e1y + uc * e2y;
  const Vx = va * e0x + vb * e1x + vc * e2x, Vy = va * e0y + vb * e1y + vc * e2y;
  const Zx = za * e0x + zb * e1x + zc * e2x, Zy = za * e0y + zb * e1y + zc * e2y;
  const levels = tex.levels, nl = levels.length, tw = levels[0]!.w, th = levels[0]!.h;
  const px = minX + 0.5, py = minY + 0.5;
  let w0r = (x2 - x1) * (py - y1) - (y2 - y1) * (px - x1);
  let w1r = (x0 - x2) * (py - y2) - (y0 - y2) * (px - x2);
  let w2r = (x1 - x0) * (py - y0) - (y1 - y0) * (px - x0);
  const zbuf = t.invz, rgb = t.rgb;
  const span = maxX - minX > 6;
  for (let y = minY; y <= maxY; y++) {
    let x0 = minX, x1 = maxX;
    if (span) { // as in rasterTri
      let lo = 0, hi = maxX - minX;
      if (e0x > 0) { const q = -w0r / e0x; if (q > lo) lo = q; } else if (e0x < 0) { const q = w0r / -e0x; if (q < hi) hi = q; } else if (w0r < 0) hi = -1;
      if (e1x > 0) { const q = -w1r / e1x; if (q > lo) lo = q; } else if (e1x < 0) { const q = w1r / -e1x; if (q < hi) hi = q; } else if (w1r < 0) hi = -1;
      if (e2x > 0) { const q = -w2r / e2x; if (q > lo) lo = q; } else if (e2x < 0) { const q = w2r / -e2x; if (q < hi) hi = q; } else if (w2r < 0) hi = -1;
      if (hi < lo - 1) { w0r += e0y; w1r += e1y; w2r += e2y; continue; }
      const a = minX + Math.ceil(lo) - 1, b = minX + Math.floor(hi) + 1;
      if (a > x0) x0 = a;
      if (b < x1) x1 = b;
    }
    const dx = x0 - minX;
    let w0 = w0r + e0x * dx, w1 = w1r + e1x * dx, w2 = w2r + e2x * dx, i = y * W + x0;
    for (let x = x0; x <= x1; x++, i++) {
      if (w0 >= 0 && w1 >= 0 && w2 >= 0) {
        const iz = za * w0 + zb * w1 + zc * w2;
        if (iz > zbuf[i]!) {
          zbuf[i] = iz;
          const d = 1 / iz, k = 3 * i;
          const u = (ua * w0 + ub * w1 + uc * w2) * d, vv = (va * w0 + vb * w1 + vc * w2) * d;
          // texels per pixel along x and y (d(u)/dx = (dU/dx - u dZ/dx) / Z), squared
          const dux = (Ux - u * Zx) * d * tw, dvx = (Vx - vv * Zx) * d * th;
          const duy = (Uy - u * Zy) * d * tw, dvy = (Vy - vv * Zy) * d * th;
          const rho2 = Math.max(dux * dux + dvx * dvx, duy * duy + dvy * dvy);
          // level = round(log2(rho)) = floor(log2(2 rho^2) / 2), with integer bit counting
          let l = rho2 > 1 ? (31 - Math.clz32(rho2 >= 5e8 ? 1e9 : 2 * rho2)) >> 1 : 0;
          if (l >= nl) l = nl - 1;
          // nearest texel of that level, wrapping around (GL_REPEAT)
          const lv = levels[l]!, lw = lv.w, lh = lv.h;
          const fu = u - Math.floor(u), fv = vv - Math.floor(vv);
          let tx = (fu * lw) | 0, ty = (fv * lh) | 0;
          if (tx >= lw) tx = lw - 1;
          if (ty >= lh) ty = lh - 1;
          const td = lv.data, q = 3 * (ty * lw + tx);
          rgb[k] = (ra * w0 + rb * w1 + rc * w2) * d * td[q]!;
          rgb[k + 1] = (ga * w0 + gb * w1 + gc * w2) * d * td[q + 1]!;
          rgb[k + 2] = (ba * w0 + bb * w1 + bc * w2) * d * td[q + 2]!;
        }
      }
      w0 += e0x; w1 += e1x; w2 += e2x;
    }
    w0r += e0y; w1r += e1y; w2r += e2y;
  }
}

/** Scratch for near-plane clipping: up to 4 vertices x (x, y, z, r, g, b, u, v); one textured triangle. */
const clipIn = new Float64Array(3 * TV), clipOut = new Float64Array(4 * TV), triTex = new Float64Array(3 * TV);

/** Per-frame vertex data shared by the draw calls of one frame. */
export interface Verts {
  /** Camera-space positions and unit normals, 3 per vertex. */
  cpos: Float32Array;
  cnrm: Float32Array;
  /** Projections: x, y (pixels), 1/depth; 1/depth <= 0 marks a vertex nearer than the near plane. */
  scr: Float32Array;
  /** Lit colours (0..255), valid where stamp[v] === frame. */
  col: Float32Array;
  stamp: Int32Array;
  frame: number;
}

/**
 * Draws triangles idx[i0..i1) (global vertex indices) of one geom with surface `s` under lights `ls`,
 * modulated by `tex` at texture coordinates `uv` (2 per vertex) when it is given.
 * Triangles wholly in front of the near plane are culled (back faces, off screen) before their vertices
 * are lit; triangles crossing it are clipped.
 */
export function drawTriangles(
  t: Target, p: Projection, cull: boolean, idx: Uint32Array, i0: number, i1: number, v: Verts, ls: LightSet, s: Surface,
  tex: Texture | null, uv: Float32Array,
): void {
  const scr = v.scr, col = v.col, stamp = v.stamp, frame = v.frame, cpos = v.cpos, cnrm = v.cnrm;
  const W = t.width, H = t.height;
  for (let i = i0; i < i1; i += 3) {
    const ia = idx[i]!, ib = idx[i + 1]!, ic = idx[i + 2]!;
    const a = 3 * ia, b = 3 * ib, c = 3 * ic;
    const za = scr[a + 2]!, zb = scr[b + 2]!, zc = scr[c + 2]!;
    if (za > 0 && zb > 0 && zc > 0) {
      const xa = scr[a]!, ya = scr[a + 1]!, xb = scr[b]!, yb = scr[b + 1]!, xc = scr[c]!, yc = scr[c + 1]!;
      const area = (xb - xa) * (yc - ya) - (xc - xa) * (yb - ya);
      if (area === 0 || (cull && area > 0)) continue;
      if ((xa < 0 && xb < 0 && xc < 0) || (xa > W && xb > W && xc > W) || (ya < 0 && yb < 0 && yc < 0) || (ya > H && yb > H && yc > H)) continue;
      if (stamp[ia] !== frame) { shadeVertex(ls, s, cpos, cnrm, a, col); stamp[ia] = frame; }
      if (stamp[ib] !== frame) { shadeVertex(ls, s, cpos, cnrm, b, col); stamp[ib] = frame; }
      if (stamp[ic] !== frame) { shadeVertex(ls, s, cpos, cnrm, c, col); stamp[ic] = frame; }
      if (tex) {
        const q = triTex;
        q[0] = xa; q[1] = ya; q[2] = za; q[3] = col[a]!; q[4] = col[a + 1]!; q[5] = col[a + 2]!; q[6] = uv[2 * ia]!; q[7] = uv[2 * ia + 1]!;
        q[8] = xb; q[9] = yb; q[10] = zb; q[11] = col[b]!; q[12] = col[b + 1]!; q[13] = col[b + 2]!; q[14] = uv[2 * ib]!; q[15] = uv[2 * ib + 1]!;
        q[16] = xc; q[17] = yc; q[18] = zc; q[19] = col[c]!; q[20] = col[c + 1]!; q[21] = col[c + 2]!; q[22] = uv[2 * ic]!; q[23] = uv[2 * ic + 1]!;
        rasterTriTex(t, cull, q, tex);
        continue;
      }
      rasterTri(t, cull,
        xa, ya, za, col[a]!, col[a + 1]!, col[a + 2]!,
        xb, yb, zb, col[b]!, col[b + 1]!, col[b + 2]!,
        xc, yc, zc, col[c]!, col[c + 1]!, col[c + 2]!);
    } else if (za > 0 || zb > 0 || zc > 0) {
      if (stamp[ia] !== frame) { shadeVertex(ls, s, cpos, cnrm, a, col); stamp[ia] = frame; }
      if (stamp[ib] !== frame) { shadeVertex(ls, s, cpos, cnrm, b, col); stamp[ib] = frame; }
      if (stamp[ic] !== frame) { shadeVertex(ls, s, cpos, cnrm, c, col); stamp[ic] = frame; }
      clipNear(t, p, cull, cpos, col, ia, ib, ic, tex, uv);
    }
  }
}

/**
 * Clips triangle (ia, ib, ic) to depth >= near (camera z <= -near) and rasterizes the 1 or 2 triangles
 * left (textured when `tex` is given).
 */
function clipNear(
  t: Target, p: Projection, cull: boolean, cpos: Float32Array, col: Float32Array, ia: number, ib: number, ic: number,
  tex: Texture | null, uv: Float32Array,
): void {
  const src = clipIn, dst = clipOut;
  for (let k = 0; k < 3; k++) {
    const vi = k === 0 ? ia : k === 1 ? ib : ic, v = 3 * vi, o = TV * k;
    src[o] = cpos[v]!; src[o + 1] = cpos[v + 1]!; src[o + 2] = cpos[v + 2]!;
    src[o + 3] = col[v]!; src[o + 4] = col[v + 1]!; src[o + 5] = col[v + 2]!;
    src[o + 6] = uv[2 * vi]!; src[o + 7] = uv[2 * vi + 1]!;
  }
  const zn = -p.near;
  let n = 0;
  for (let k = 0; k < 3; k++) {
    const s = TV * k, e = TV * ((k + 1) % 3);
    const sIn = src[s + 2]! <= zn, eIn = src[e + 2]! <= zn;
    if (sIn) { for (let q = 0; q < TV; q++) dst[TV * n + q] = src[s + q]!; n++; }
    if (sIn !== eIn) {
      const u = (zn - src[s + 2]!) / (src[e + 2]! - src[s + 2]!);
      for (let q = 0; q < TV; q++) dst[TV * n + q] = src[s + q]! + u * (src[e + q]! - src[s + q]!);
      dst[TV * n + 2] = zn;
      n++;
    }
  }
  for (let k = 0; k < n; k++) {
    const o = TV * k, d = -dst[o + 2]!;
    dst[o] = p.cx + (p.f * dst[o]!) / d;
    dst[o + 1] = p.cy - (p.f * dst[o + 1]!) / d;
    dst[o + 2] = 1 / d;
  }
  for (let k = 1; k + 1 < n; k++) {
    const o1 = TV * k, o2 = TV * (k + 1);
    if (tex) {
      const q = triTex;
      for (let j = 0; j < TV; j++) { q[j] = dst[j]!; q[TV + j] = dst[o1 + j]!; q[2 * TV + j] = dst[o2 + j]!; }
      rasterTriTex(t, cull, q, tex);
      continue;
    }
    rasterTri(t, cull,
      dst[0]!, dst[1]!, dst[2]!, dst[3]!, dst[4]!, dst[5]!,
      dst[o1]!, dst[o1 + 1]!, dst[o1 + 2]!, dst[o1 + 3]!, dst[o1 + 4]!, dst[o1 + 5]!,
      dst[o2]!, dst[o2 + 1]!, dst[o2 + 2]!, dst[o2 + 3]!, dst[o2 + 4]!, dst[o2 + 5]!);
  }
}
