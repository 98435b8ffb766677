// Loading MuJoCo (the official WebAssembly build, npm @mujoco/mujoco) once per thread, compiling MJCF with its
// mesh/texture files passed through MuJoCo's virtual file system, and turning MuJoCo's errors into Errors that keep
// its own text (element name and line for bad MJCF, file name for missing assets).
import loadMujoco, { type MainModule, type MjModel, type MjData } from '@mujoco/mujoco';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export type { MainModule, MjModel, MjData };

let loading: Promise<MainModule> | null = null;
let loaded: MainModule | null = null;

/** The MuJoCo module of this thread (loaded on first use). */
export async function mujoco(): Promise<MainModule> {
  loading ??= loadMujoco().then((m) => (loaded = m));
  return loading;
}

/** The already-loaded module; throws when mujoco() was not awaited first. */
export function mujocoSync(): MainModule {
  if (!loaded) throw new Error('MuJoCo is not loaded yet: await mujoco() first');
  return loaded;
}

export class MjcfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MjcfError';
  }
}

function mujocoMessage(e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  return raw.replace(/^Error:\s*/, '').replace(/^MuJoCo Error:\s*/, '').trim();
}

/** Files of a folder (recursively) as VFS entries keyed by their path relative to `root`, prefixed with `prefix`. */
export function folderFiles(root: string, prefix = ''): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(prefix + relative(root, p), new Uint8Array(readFileSync(p)));
    }
  };
  walk(root);
  return out;
}

/**
 * Compiles an MJCF string. `files` are put in a VFS (paths as the MJCF refers to them, e.g. "assets/base.stl").
 * Throws MjcfError with MuJoCo's message (which names the element and line, or the missing file).
 */
export function compileMjcf(mj: MainModule, xml: string, files: Map<string, Uint8Array | string> = new Map()): MjModel {
  const vfs = new mj.MjVFS();
  try {
    for (const [path, data] of files) vfs.addBuffer(path, typeof data === 'string' ? new TextEncoder().encode(data) : data);
    return mj.MjModel.from_xml_string(xml, vfs);
  } catch (e) {
    throw new MjcfError(`MJCF could not be compiled: ${mujocoMessage(e)}`);
  } finally {
    vfs.delete();
  }
}

/** Object ids by name (MuJoCo's mj_name2id) with an error naming what is missing. */
export function idOf(mj: MainModule, model: MjModel, kind: 'body' | 'joint' | 'site' | 'geom' | 'actuator' | 'camera' | 'sensor', name: string): number {
  const obj = { body: mj.mjtObj.mjOBJ_BODY, joint: mj.mjtObj.mjOBJ_JOINT, site: mj.mjtObj.mjOBJ_SITE, geom: mj.mjtObj.mjOBJ_GEOM,
    actuator: mj.mjtObj.mjOBJ_ACTUATOR, camera: mj.mjtObj.mjOBJ_CAMERA, sensor: mj.mjtObj.mjOBJ_SENSOR }[kind];
  const id = mj.mj_name2id(model, obj.value, name);
  if (id < 0) throw new MjcfError(`the model has no ${kind} named '${name}'`);
  return id;
}
