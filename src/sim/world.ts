// Assembling a world from parts as MJCF: the arm (its own MJCF file, included through the VFS, with our wrist
// camera, end-effector site, force/torque site and finger touch zones injected into its bodies), a table whose top
// is z = 0, a floor, lights, a scene camera, and free objects. Returns the XML and the VFS files to compile it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { EmbodimentSpec } from './embodiments/schema.ts';
import { folderFiles } from './mujoco.ts';

const Vec3 = z.tuple([z.number(), z.number(), z.number()]);
export const ObjectSpec = z.object({
  name: z.string().regex(/^[A-Za-z][\w-]*$/),
  shape: z.enum(['box', 'cylinder', 'sphere']),
  /** MuJoCo sizes: box half-extents (3), cylinder [radius, half-height], sphere [radius]. */
  size: z.array(z.number().positive()).min(1).max(3),
  rgba: z.tuple([z.number(), z.number(), z.number(), z.number()]).default([0.8, 0.2, 0.2, 1]),
  mass: z.number().positive().default(0.05),
  friction: z.number().positive().default(1.2),
}).strict().refine((o) => o.size.length === { box: 3, cylinder: 2, sphere: 1 }[o.shape], {
  message: 'size needs 3 values for a box (half-extents), 2 for a cylinder (radius, half-height), 1 for a sphere (radius)',
  path: ['size'],
});
export type ObjectSpec = z.input<typeof ObjectSpec>;

/** A world: the arm, primitive objects, and a task scene's own MJCF (trays, bins, plates, markers...). */
export interface WorldSpec {
  embodiment: EmbodimentSpec;
  objects: ObjectSpec[];
  /** Raw MJCF put inside <worldbody> (static geoms or bodies with their own joints). */
  staticMjcf?: string;
  /** Raw MJCF put inside <asset> (meshes, textures, materials that staticMjcf uses). */
  assetMjcf?: string;
  /** Files that assetMjcf refers to, by the path it uses, passed through MuJoCo's VFS. */
  files?: ReadonlyMap<string, Uint8Array | string> | Readonly<Record<string, Uint8Array | string>>;
  sceneCamera?: { pos: [number, number, number]; lookAt: [number, number, number]; fovy?: number };
  /** Raw MJCF put inside <sensor> and <actuator> (a task's own sensors and drives). */
  sensorMjcf?: string;
  actuatorMjcf?: string;
}

export interface AssembledWorld { xml: string; files: Map<string, Uint8Array | string>; objectNames: string[] }

const f = (v: readonly number[]) => v.map((x) => +x.toFixed(5)).join(' ');

/** Inserts `snippet` as the first children of <body name="body">; throws naming the body when absent. */
export function injectIntoBody(xml: string, body: string, snippet: string): string {
  const re = new RegExp(`<body\\b[^>]*\\bname="${body.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"[^>]*?>`);
  const m = re.exec(xml);
  if (!m) throw new Error(`the arm's MJCF has no body named '${body}'`);
  if (m[0].endsWith('/>')) throw new Error(`body '${body}' is an empty element; cannot add children`);
  const at = m.index + m[0].length;
  return xml.slice(0, at) + snippet + xml.slice(at);
}

/** xyaxes of a camera at `pos` looking at `target`, with `up` (in the same frame) pointing up in the image. */
export function lookAtXyaxes(pos: readonly number[], target: readonly number[], up: readonly number[] = [0, 0, 1]): number[] {
  const fwd = [target[0]! - pos[0]!, target[1]! - pos[1]!, target[2]! - pos[2]!];
  const n = Math.hypot(...fwd);
  if (n === 0) throw new Error(`camera at ${pos.join(' ')} cannot look at itself`);
  const d = fwd.map((x) => x / n);
  // x = d x up, y = x x d  (camera looks along -z, so z = -d)
  let x = [d[1]! * up[2]! - d[2]! * up[1]!, d[2]! * up[0]! - d[0]! * up[2]!, d[0]! * up[1]! - d[1]! * up[0]!];
  const xn = Math.hypot(...x) || 1;
  x = x.map((v) => v / xn);
  const y = [x[1]! * d[2]! - x[2]! * d[1]!, x[2]! * d[0]! - x[0]! * d[2]!, x[0]! * d[1]! - x[1]! * d[0]!];
  return [...x, ...y];
}

export const ARM_SITES = { ee: 'karakuri/ee', ft: 'karakuri/ft', touch: ['karakuri/touch_left', 'karakuri/touch_right'] as const };
export const CAMERAS = { scene: 'scene', wrist: 'wrist' } as const;

/** The table (top at z = 0) runs from behind the arm's base (x = back) to `reach` beyond the workspace centre. */
export const TABLE = { back: -0.2, reach: 0.35, halfWidth: 0.55, height: 0.75 } as const;

/** The end-effector site of an embodiment in its assembled world: its own site, or the one we add to its body. */
export const eeSiteName = (e: EmbodimentSpec): string => ('site' in e.endEffector ? e.endEffector.site : ARM_SITES.ee);

function armXml(e: EmbodimentSpec): { xml: string; files: Map<string, Uint8Array | string>; path: string } {
  let xml: string;
  let files = new Map<string, Uint8Array | string>();
  let path: string;
  if ('xml' in e.mjcf) {
    xml = e.mjcf.xml;
    path = `${e.id}.xml`;
  } else {
    if (!existsSync(join(e.mjcf.folder, e.mjcf.file))) throw new Error(`embodiment ${e.id}: MJCF file ${join(e.mjcf.folder, e.mjcf.file)} does not exist`);
    files = folderFiles(e.mjcf.folder);
    path = e.mjcf.file;
    xml = readFileSync(join(e.mjcf.folder, e.mjcf.file), 'utf8');
  }
  const w = e.wrist;
  const xyaxes = w.cameraXyaxes ?? lookAtXyaxes(w.cameraPos, w.cameraLookAt!, w.cameraUp);
  xml = injectIntoBody(xml, w.body, `
      <camera name="${CAMERAS.wrist}" pos="${f(w.cameraPos)}" xyaxes="${f(xyaxes)}" fovy="${w.fovy}"/>
      <site name="${ARM_SITES.ft}" pos="0 0 0" size="0.005" group="4"/>`);
  if ('body' in e.endEffector) {
    xml = injectIntoBody(xml, e.endEffector.body, `
      <site name="${ARM_SITES.ee}" pos="${f(e.endEffector.pos)}" size="0.006" rgba="1 0 1 0.5" group="4"/>`);
  }
  e.gripper.fingerBodies.forEach((b, i) => {
    xml = injectIntoBody(xml, b, `
      <site name="${ARM_SITES.touch[i]}" type="box" pos="${f(e.gripper.padPos[i]!)}" size="${f(e.gripper.padSize)}" rgba="0 1 0 0.3" group="4"/>`);
  });
  files.set(path, xml);
  return { xml, files, path };
}

function objectXml(o: z.output<typeof ObjectSpec>, i: number): string {
  const lift = o.shape === 'box' ? o.size[2] ?? o.size[0]! : o.shape === 'cylinder' ? o.size[1] ?? o.size[0]! : o.size[0]!;
  return `
    <body name="${o.name}" pos="${0.4 + 0.1 * i} 0 ${lift + 0.001}">
      <freejoint name="${o.name}/free"/>
      <geom name="${o.name}" type="${o.shape}" size="${f(o.size)}" rgba="${f(o.rgba)}" mass="${o.mass}" friction="${o.friction} 0.01 0.001" condim="4" solref="0.01 1"/>
    </body>`;
}

/** The world's MJCF and files. Object poses are placeholders; the env places objects at reset. */
export function assembleWorld(spec: WorldSpec): AssembledWorld {
  const objects = spec.objects.map((o) => ObjectSpec.parse(o));
  const arm = armXml(spec.embodiment);
  const cam = spec.sceneCamera ?? { pos: [0.95, -0.7, 0.62] as [number, number, number], lookAt: [0.24, 0, 0.16] as [number, number, number], fovy: 45 };
  const e = spec.embodiment;
  const xml = `<mujoco model="karakuri-${e.id}">
  <include file="${arm.path}"/>
  <option timestep="0.002" integrator="implicitfast" cone="elliptic" impratio="10"/>
  <visual><headlight ambient="0.35 0.35 0.35" diffuse="0.5 0.5 0.5" specular="0 0 0"/></visual>
  <asset>${spec.assetMjcf ?? ''}</asset>
  <worldbody>
    <light name="key" pos="0.3 -0.6 1.6" dir="0.1 0.4 -1" directional="true" diffuse="0.6 0.6 0.6"/>
    <geom name="floor" type="plane" size="0 0 0.05" pos="0 0 ${-TABLE.height}" rgba="0.55 0.57 0.6 1"/>
    <body name="table" pos="${f([(TABLE.back + e.workspace.center[0] + TABLE.reach) / 2, 0, -TABLE.height / 2])}">
      <geom name="table" type="box" size="${f([(e.workspace.center[0] + TABLE.reach - TABLE.back) / 2, TABLE.halfWidth, TABLE.height / 2])}" rgba="0.72 0.6 0.45 1" friction="1 0.01 0.001"/>
    </body>
    <camera name="${CAMERAS.scene}" pos="${f(cam.pos)}" xyaxes="${f(lookAtXyaxes(cam.pos, cam.lookAt))}" fovy="${cam.fovy ?? 45}"/>${objects.map(objectXml).join('')}${spec.staticMjcf ?? ''}
  </worldbody>
  <sensor>
    <force name="wrist_force" site="${ARM_SITES.ft}"/>
    <torque name="wrist_torque" site="${ARM_SITES.ft}"/>
    <touch name="touch_left" site="${ARM_SITES.touch[0]}"/>
    <touch name="touch_right" site="${ARM_SITES.touch[1]}"/>${spec.sensorMjcf ?? ''}
  </sensor>${spec.actuatorMjcf ? `
  <actuator>${spec.actuatorMjcf}</actuator>` : ''}
</mujoco>`;
  const files = new Map(arm.files);
  for (const [p, d] of spec.files instanceof Map ? spec.files : Object.entries(spec.files ?? {})) {
    if (files.has(p)) throw new Error(`world file '${p}' clashes with a file of the arm's MJCF folder`);
    files.set(p, d);
  }
  return { xml, files, objectNames: objects.map((o) => o.name) };
}
