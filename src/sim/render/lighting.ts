// Per-vertex lighting in camera space, following MuJoCo's fixed-function OpenGL model: the model's
// lights (directional, spot, point) plus the headlight, each with ambient + Lambert diffuse + Blinn-Phong
// specular, spot cone (cutoff, exponent) and distance attenuation; material emission on top. No shadows.

import type { MjData, MjModel } from '@mujoco/mujoco';

/** Floats per packed light: kind, pos(3), dir(3), ambient(3), diffuse(3), specular(3), atten(3), cosCutoff, exponent, hasSpecular. */
export const LIGHT_STRIDE = 22;
export const KIND_DIRECTIONAL = 0, KIND_SPOT = 1, KIND_POINT = 2;

export interface LightSet {
  /** Packed lights in camera space, LIGHT_STRIDE floats each. */
  buf: Float64Array;
  count: number;
  /** Which model lights are on (read once, at construction). */
  active: Uint8Array;
}

export function createLightSet(model: MjModel): LightSet {
  const active = new Uint8Array(model.nlight).fill(1);
  // light_active is a bool array, which the 3.14 binding cannot return ("_emval_take_value has unknown type
  // memory_view<bool>"); the named accessor can. Without either, every light counts as on.
  try {
    active.set(model.light_active as ArrayLike<number>);
  } catch {
    for (let i = 0; i < model.nlight; i++) {
      try {
        const a = model.light(i);
        try { active[i] = a.active === false || (a.active as ArrayLike<number>)?.[0] === 0 ? 0 : 1; } finally { a.delete(); }
      } catch { /* keep it on */ }
    }
  }
  return { buf: new Float64Array((model.nlight + 1) * LIGHT_STRIDE), count: 0, active };
}

/**
 * Fills `ls` with the active model lights transformed into the camera frame given by camera position
 * `cp` and rotation `cm` (row-major, columns = camera axes), plus the headlight if active.
 */
export function updateLights(model: MjModel, data: MjData, cp: ArrayLike<number>, cm: ArrayLike<number>, ls: LightSet): void {
  const b = ls.buf;
  let n = 0;
  const nl = model.nlight;
  if (nl > 0) {
    const active = ls.active, type = model.light_type as Int32Array;
    const xpos = data.light_xpos as Float64Array, xdir = data.light_xdir as Float64Array;
    const amb = model.light_ambient as Float32Array, dif = model.light_diffuse as Float32Array, spe = model.light_specular as Float32Array;
    const att = model.light_attenuation as Float32Array, cut = model.light_cutoff as Float32Array, ex = model.light_exponent as Float32Array;
    for (let i = 0; i < nl; i++) {
      if (!active[i]) continue;
      const o = n * LIGHT_STRIDE, t = type[i]!;
      b[o] = t === 1 ? KIND_DIRECTIONAL : t === 2 ? KIND_POINT : KIND_SPOT;
      const px = xpos[3 * i]! - cp[0]!, py = xpos[3 * i + 1]! - cp[1]!, pz = xpos[3 * i + 2]! - cp[2]!;
      const dx = xdir[3 * i]!, dy = xdir[3 * i + 1]!, dz = xdir[3 * i + 2]!;
      for (let r = 0; r < 3; r++) {
        b[o + 1 + r] = cm[r]! * px + cm[3 + r]! * py + cm[6 + r]! * pz;
        b[o + 4 + r] = cm[r]! * dx + cm[3 + r]! * dy + cm[6 + r]! * dz;
        b[o + 7 + r] = amb[3 * i + r]!; b[o + 10 + r] = dif[3 * i + r]!; b[o + 13 + r] = spe[3 * i + r]!;
        b[o + 16 + r] = att[3 * i + r]!;
      }
      b[o + 19] = Math.cos((Math.min(cut[i]!, 90) * Math.PI) / 180);
      b[o + 20] = ex[i]!;
      b[o + 21] = Math.max(b[o + 13]!, b[o + 14]!, b[o + 15]!);
      n++;
    }
  }
  const hl = model.vis.headlight;
  if (hl.active) {
    const o = n * LIGHT_STRIDE, amb = hl.ambient as Float32Array, dif = hl.diffuse as Float32Array, spe = hl.specular as Float32Array;
    b[o] = KIND_DIRECTIONAL;
    b[o + 1] = 0; b[o + 2] = 0; b[o + 3] = 0;
    b[o + 4] = 0; b[o + 5] = 0; b[o + 6] = -1;
    for (let r = 0; r < 3; r++) { b[o + 7 + r] = amb[r]!; b[o + 10 + r] = dif[r]!; b[o + 13 + r] = spe[r]!; b[o + 16 + r] = r === 0 ? 1 : 0; }
    b[o + 19] = -1; b[o + 20] = 0; b[o + 21] = Math.max(spe[0]!, spe[1]!, spe[2]!);
    n++;
  }
  ls.count = n;
}

/** Surface parameters for shading: r, g, b (0..1), specular strength, specular exponent (shininess x 128), emission. */
export type Surface = Float64Array;

export function setSurface(out: Surface, r: number, g: number, b: number, spec: number, shininess: number, emission: number): void {
  out[0] = r; out[1] = g; out[2] = b; out[3] = spec; out[4] = shininess * 128; out[5] = emission;
}

/**
 * Colour (0..255, not clamped) of the vertex at offset k (= 3 * vertex) from its camera-space position
 * `cpos` and unit normal `cnrm`, written to out[k..k+2].
 */
export function shadeVertex(ls: LightSet, s: Surface, cpos: Float32Array, cnrm: Float32Array, k: number, out: Float32Array): void {
  const b = ls.buf, nl = ls.count, spec = s[3]!, shexp = s[4]!, emis = s[5]!;
  const px = cpos[k]!, py = cpos[k + 1]!, pz = cpos[k + 2]!;
  const nx = cnrm[k]!, ny = cnrm[k + 1]!, nz = cnrm[k + 2]!;
  let ar = emis, ag = emis, ab = emis, sr = 0, sg = 0, sb = 0;
  // Unit vector from the vertex to the eye (the camera is at the origin), for the specular half vector.
  let vl = 0;
  if (spec > 0) vl = 1 / (Math.sqrt(px * px + py * py + pz * pz) || 1);
  const ex = -px * vl, ey = -py * vl, ez = -pz * vl;
  for (let i = 0; i < nl; i++) {
    const o = i * LIGHT_STRIDE, kind = b[o]!;
    let lx: number, ly: number, lz: number, f = 1;
    if (kind === KIND_DIRECTIONAL) {
      lx = -b[o + 4]!; ly = -b[o + 5]!; lz = -b[o + 6]!;
    } else {
      lx = b[o + 1]! - px; ly = b[o + 2]! - py; lz = b[o + 3]! - pz;
      const d = Math.sqrt(lx * lx + ly * ly + lz * lz), inv = d > 0 ? 1 / d : 0;
      lx *= inv; ly *= inv; lz *= inv;
      f = 1 / (b[o + 16]! + b[o + 17]! * d + b[o + 18]! * d * d);
      if (kind === KIND_SPOT) {
        const c = -(lx * b[o + 4]! + ly * b[o + 5]! + lz * b[o + 6]!);
        if (c < b[o + 19]!) continue;
        const e = b[o + 20]!;
        if (e !== 0) {
          if ((e | 0) === e && e > 0 && e <= 128) {
            // integer exponents (MuJoCo's default is 10) by squaring: Math.pow cost ~20% of a WidowX frame
            let p = 1, q = c, k = e;
            while (k > 0) { if (k & 1) p *= q; q *= q; k >>= 1; }
            f *= p;
          } else {
            f *= Math.pow(c, e);
          }
        }
      }
    }
    ar += f * b[o + 7]!; ag += f * b[o + 8]!; ab += f * b[o + 9]!;
    const nd = nx * lx + ny * ly + nz * lz;
    if (nd <= 0) continue;
    const fd = f * nd;
    ar += fd * b[o + 10]!; ag += fd * b[o + 11]!; ab += fd * b[o + 12]!;
    if (spec > 0 && b[o + 21]! > 0) {
      // Blinn-Phong: half vector between the light and the eye direction.
      const hx = lx + ex, hy = ly + ey, hz = lz + ez;
      const hl = Math.sqrt(hx * hx + hy * hy + hz * hz);
      const nh = hl > 0 ? (nx * hx + ny * hy + nz * hz) / hl : 0;
      if (nh > 0) {
        // Schlick's rational stand-in for nh^shexp: same peak and width, a fraction of Math.pow's cost.
        const q = (f * spec * nh) / (shexp - shexp * nh + nh);
        sr += q * b[o + 13]!; sg += q * b[o + 14]!; sb += q * b[o + 15]!;
      }
    }
  }
  out[k] = 255 * (s[0]! * ar + sr);
  out[k + 1] = 255 * (s[1]! * ag + sg);
  out[k + 2] = 255 * (s[2]! * ab + sb);
}
