// Domain randomization shared by the sector tasks, applied at every reset from the episode's seeded random numbers:
// lighting (intensity and direction of the model's lights), small scene-camera jitter, object colours by name, and
// non-overlapping placement of items in a region. Changes go to the compiled model; the values it was compiled with
// are kept per model so that each episode jitters from them, not from the last episode.
import type { Env } from '../env.ts';
import type { MjModel } from '../mujoco.ts';
import { idOf, mujocoSync } from '../mujoco.ts';
import { quatFromAxisAngle, quatMul } from '../control/rotation.ts';
import { CAMERAS, TABLE } from '../world.ts';

export type Rgba = [number, number, number, number];
export type Vec3 = [number, number, number];

/** Named colours that instructions can say (RGBA, 0..1). */
export const COLOURS = {
  red: [0.85, 0.15, 0.12, 1], green: [0.15, 0.65, 0.2, 1], blue: [0.15, 0.3, 0.85, 1], yellow: [0.95, 0.82, 0.15, 1],
  white: [0.93, 0.93, 0.9, 1], black: [0.12, 0.12, 0.13, 1], orange: [0.95, 0.5, 0.1, 1], purple: [0.55, 0.2, 0.7, 1],
  pink: [0.95, 0.55, 0.7, 1], brown: [0.45, 0.28, 0.15, 1],
} as const satisfies Record<string, Rgba>;
export type ColourName = keyof typeof COLOURS;

interface Base { lightDiffuse: Float32Array; lightDir: Float64Array; camPos: Float64Array; camQuat: Float64Array }
const bases = new WeakMap<MjModel, Base>();

function base(m: MjModel): Base {
  let b = bases.get(m);
  if (!b) {
    b = {
      lightDiffuse: Float32Array.from(m.light_diffuse as Float32Array), lightDir: Float64Array.from(m.light_dir as Float64Array),
      camPos: Float64Array.from(m.cam_pos as Float64Array), camQuat: Float64Array.from(m.cam_quat as Float64Array),
    };
    bases.set(m, b);
  }
  return b;
}

export interface SceneJitter {
  /** Relative change of each light's diffuse intensity (uniform in +-light). */
  light: number;
  /** Tilt of each light's direction (rad, uniform in +-lightTilt about x and y). */
  lightTilt: number;
  /** Scene-camera position jitter (m, per axis) and rotation jitter (rad, per axis). */
  cameraPos: number;
  cameraRot: number;
}
export const DEFAULT_JITTER: SceneJitter = { light: 0.3, lightTilt: 0.15, cameraPos: 0.01, cameraRot: 0.02 };

const u = (rng: () => number, a: number) => (rng() * 2 - 1) * a;

/** Jitters the model's lights and the scene camera around their compiled values (the wrist camera stays rigid). */
export function jitterScene(env: Env, rng: () => number, j: SceneJitter = DEFAULT_JITTER): void {
  const m = env.model, b = base(m);
  const dif = m.light_diffuse as Float32Array, dir = m.light_dir as Float64Array;
  for (let i = 0; i < m.nlight; i++) {
    const k = 1 + u(rng, j.light);
    for (let c = 0; c < 3; c++) dif[3 * i + c] = Math.min(1, b.lightDiffuse[3 * i + c]! * k);
    const d = [b.lightDir[3 * i]! + u(rng, j.lightTilt), b.lightDir[3 * i + 1]! + u(rng, j.lightTilt), b.lightDir[3 * i + 2]!];
    const n = Math.hypot(...d) || 1;
    for (let c = 0; c < 3; c++) dir[3 * i + c] = d[c]! / n;
  }
  const cam = idOf(mujocoSync(), m, 'camera', CAMERAS.scene);
  const pos = m.cam_pos as Float64Array, quat = m.cam_quat as Float64Array;
  for (let c = 0; c < 3; c++) pos[3 * cam + c] = b.camPos[3 * cam + c]! + u(rng, j.cameraPos);
  const q0 = Array.from(b.camQuat.subarray(4 * cam, 4 * cam + 4)) as [number, number, number, number];
  quat.set(quatMul(quatFromAxisAngle([u(rng, j.cameraRot), u(rng, j.cameraRot), u(rng, j.cameraRot)]), q0), 4 * cam);
}

/** Sets a geom's colour (by geom name; objects' geoms are named as the object). */
export function setColour(env: Env, geom: string, rgba: readonly number[]): void {
  const g = idOf(mujocoSync(), env.model, 'geom', geom);
  (env.model.geom_rgba as Float32Array).set(rgba.slice(0, 4), 4 * g);
}

/** `k` distinct items of `items` in a seeded random order. */
export function sample<T>(rng: () => number, items: readonly T[], k: number): T[] {
  if (k > items.length) throw new RangeError(`sample: ${k} of ${items.length} items`);
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(rng() * (i + 1)); [a[i], a[j]] = [a[j]!, a[i]!]; }
  return a.slice(0, k);
}

export const choose = <T>(rng: () => number, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

/** A rectangle on the table: centre (x, y) and half-extents. */
export interface Region { center: [number, number]; half: [number, number] }

/**
 * Positions for round footprints (radius each) inside `region`, at least `gap` apart edge to edge and clear of
 * `keepOut` discs. Rejection sampling: each item gets 200 tries, and a layout that dead-ends starts over (up to 50
 * times) before it throws (a layout that cannot fit is a task bug).
 */
export function scatter(rng: () => number, region: Region, radii: readonly number[], gap = 0.015, keepOut: { at: [number, number]; radius: number }[] = []): [number, number][] {
  for (let attempt = 0; attempt < 50; attempt++) {
    const out: [number, number][] = [];
    const taken = [...keepOut];
    for (const r of radii) {
      let placed = false;
      for (let tries = 0; tries < 200 && !placed; tries++) {
        const p: [number, number] = [region.center[0] + u(rng, Math.max(0, region.half[0] - r)), region.center[1] + u(rng, Math.max(0, region.half[1] - r))];
        if (taken.every((t) => Math.hypot(t.at[0] - p[0], t.at[1] - p[1]) >= t.radius + r + gap)) {
          out.push(p);
          taken.push({ at: p, radius: r });
          placed = true;
        }
      }
      if (!placed) break;
    }
    if (out.length === radii.length) return out;
  }
  throw new Error(`scatter: no room for ${radii.length} items (radii ${radii.join(', ')}) in region ${JSON.stringify(region)}`);
}

/**
 * Where objects that an episode does not use wait: on the floor far behind the scene camera (out of every view),
 * spaced so that they never touch.
 */
export function parked(i: number, restHeight: number): { pos: Vec3; yaw: number } {
  return { pos: [4 + 0.25 * (i % 8), -4 - 0.25 * Math.floor(i / 8), -TABLE.height + restHeight + 0.002], yaw: 0 };
}
