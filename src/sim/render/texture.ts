// Textures for the renderer: MuJoCo texture data -> mip pyramids (2x2 box filter) sampled bilinearly
// with wrap-around, the texture coordinates MuJoCo's OpenGL renderer generates on planes, and skybox
// (cube map) lookup by view direction for the background.

import type { MjModel } from '@mujoco/mujoco';

/** One mip level: w x h texels, RGB in 0..1, row 0 = texture coordinate t = 0 (OpenGL's convention). */
export interface MipLevel { w: number; h: number; data: Float32Array }

/** A 2-D texture (or one cube face) with its mip levels, finest first. */
export interface Texture { levels: MipLevel[] }

/** mjtTexture. */
export const TEX_2D = 0, TEX_CUBE = 1, TEX_SKYBOX = 2;

/** Mip pyramid of an RGB(A) image of w x h texels with `nc` channels per texel (the alpha is dropped). */
export function buildMips(src: Uint8Array, offset: number, w: number, h: number, nc: number): Texture {
  const base = new Float32Array(3 * w * h);
  for (let i = 0; i < w * h; i++) {
    const k = offset + i * nc;
    if (nc >= 3) { base[3 * i] = src[k]! / 255; base[3 * i + 1] = src[k + 1]! / 255; base[3 * i + 2] = src[k + 2]! / 255; }
    else { const g = src[k]! / 255; base[3 * i] = g; base[3 * i + 1] = g; base[3 * i + 2] = g; }
  }
  const levels: MipLevel[] = [{ w, h, data: base }];
  let cur = levels[0]!;
  while (cur.w > 1 || cur.h > 1) {
    const nw = Math.max(1, cur.w >> 1), nh = Math.max(1, cur.h >> 1), d = new Float32Array(3 * nw * nh);
    for (let y = 0; y < nh; y++) for (let x = 0; x < nw; x++) {
      const x0 = Math.min(2 * x, cur.w - 1), x1 = Math.min(2 * x + 1, cur.w - 1);
      const y0 = Math.min(2 * y, cur.h - 1), y1 = Math.min(2 * y + 1, cur.h - 1);
      for (let c = 0; c < 3; c++) {
        d[3 * (y * nw + x) + c] = 0.25 * (cur.data[3 * (y0 * cur.w + x0) + c]! + cur.data[3 * (y0 * cur.w + x1) + c]!
          + cur.data[3 * (y1 * cur.w + x0) + c]! + cur.data[3 * (y1 * cur.w + x1) + c]!);
      }
    }
    cur = { w: nw, h: nh, data: d };
    levels.push(cur);
  }
  return { levels };
}

/**
 * Bilinear sample of `lv` at texture coordinates (u, v) with wrap-around (GL_REPEAT); writes RGB (0..1)
 * to out[0..2].
 */
export function sampleBilinear(lv: MipLevel, u: number, v: number, out: Float64Array): void {
  const w = lv.w, h = lv.h, d = lv.data;
  const x = u * w - 0.5, y = v * h - 0.5;
  const xf = Math.floor(x), yf = Math.floor(y), fx = x - xf, fy = y - yf;
  let x0 = xf % w; if (x0 < 0) x0 += w;
  let y0 = yf % h; if (y0 < 0) y0 += h;
  const x1 = x0 + 1 === w ? 0 : x0 + 1, y1 = y0 + 1 === h ? 0 : y0 + 1;
  const a = 3 * (y0 * w + x0), b = 3 * (y0 * w + x1), c = 3 * (y1 * w + x0), e = 3 * (y1 * w + x1);
  const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
  out[0] = w00 * d[a]! + w10 * d[b]! + w01 * d[c]! + w11 * d[e]!;
  out[1] = w00 * d[a + 1]! + w10 * d[b + 1]! + w01 * d[c + 1]! + w11 * d[e + 1]!;
  out[2] = w00 * d[a + 2]! + w10 * d[b + 2]! + w01 * d[c + 2]! + w11 * d[e + 2]!;
}

/** Mip pyramid of 2-D texture `texid`, or null when it is not a 2-D texture with data. */
export function load2d(model: MjModel, texid: number): Texture | null {
  const type = (model.tex_type as Int32Array)[texid]!;
  const w = (model.tex_width as Int32Array)[texid]!, h = (model.tex_height as Int32Array)[texid]!;
  const nc = (model.tex_nchannel as Int32Array)[texid]!, adr = (model.tex_adr as Int32Array)[texid]!;
  if (type !== TEX_2D || w <= 0 || h <= 0 || nc < 1) return null;
  return buildMips(model.tex_data as Uint8Array, adr, w, h, nc);
}

/**
 * Texture-coordinate scale of a plane (MuJoCo's glTexGen for 2-D textures: s = 0.5 * scl_x * x - 0.5,
 * t = -0.5 * scl_y * y - 0.5 in the plane's frame, metres): texrepeat per axis, divided by the half-size
 * unless the material is texuniform (repeats per metre) or the plane is infinite along that axis.
 */
export function planeTexScale(texrepeat: number, halfSize: number, uniform: boolean): number {
  return halfSize > 0 && !uniform ? texrepeat / halfSize : texrepeat;
}

/** The model's skybox as six mip-mapped faces (+X, -X, +Y, -Y, +Z, -Z, OpenGL's order), or null. */
export function loadSkybox(model: MjModel): Texture[] | null {
  const type = model.tex_type as Int32Array;
  for (let i = 0; i < model.ntex; i++) {
    if (type[i] !== TEX_SKYBOX) continue;
    const w = (model.tex_width as Int32Array)[i]!, h = (model.tex_height as Int32Array)[i]!;
    const nc = (model.tex_nchannel as Int32Array)[i]!, adr = (model.tex_adr as Int32Array)[i]!;
    const data = model.tex_data as Uint8Array;
    if (w <= 0 || nc < 1) return null;
    if (h === 6 * w) {
      const faces: Texture[] = [];
      for (let f = 0; f < 6; f++) faces.push(buildMips(data, adr + f * w * w * nc, w, w, nc));
      return faces;
    }
    // a single square image repeated on every face
    const one = buildMips(data, adr, w, h, nc);
    return [one, one, one, one, one, one];
  }
  return null;
}

/**
 * Colour of the skybox in world direction (x, y, z), written to out[0..2] (0..1). MuJoCo maps the cube
 * with the skybox rotated 90 degrees about x (cube-map coordinates (x, z, -y)), so world up is the cube's +Y
 * face; face selection and face coordinates follow the OpenGL cube-map rules. `level` picks the mip level.
 */
export function sampleSkybox(faces: Texture[], x: number, y: number, z: number, level: number, out: Float64Array): void {
  const rx = x, ry = z, rz = -y;
  const ax = Math.abs(rx), ay = Math.abs(ry), az = Math.abs(rz);
  let f: number, sc: number, tc: number, ma: number;
  if (ax >= ay && ax >= az) { ma = ax; if (rx > 0) { f = 0; sc = -rz; tc = -ry; } else { f = 1; sc = rz; tc = -ry; } }
  else if (ay >= az) { ma = ay; if (ry > 0) { f = 2; sc = rx; tc = rz; } else { f = 3; sc = rx; tc = -rz; } }
  else { ma = az; if (rz > 0) { f = 4; sc = rx; tc = -ry; } else { f = 5; sc = -rx; tc = -ry; } }
  const lv = faces[f]!.levels, l = lv[Math.min(level, lv.length - 1)]!;
  // clamp to the face (GL_CLAMP_TO_EDGE) rather than wrapping
  const s = Math.min(Math.max((sc / ma + 1) / 2, 0.5 / l.w), 1 - 0.5 / l.w);
  const t = Math.min(Math.max((tc / ma + 1) / 2, 0.5 / l.h), 1 - 0.5 / l.h);
  sampleBilinear(l, s, t, out);
}
