// The embodiment registry: every arm Karakuri can drive, by id. Add one by writing its description (schema.ts) as
// data: register it at run time (registerEmbodiment), load it from a JSON file (loadEmbodimentFile), or pass the
// description itself wherever an embodiment id is accepted (EnvConfig.embodiment).
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseEmbodiment, type EmbodimentSpec } from './schema.ts';
import { kara6 } from './kara6.ts';
import { kara7 } from './kara7.ts';
import { widowx250 } from './widowx250.ts';

export { type EmbodimentSpec, type EmbodimentInput, EmbodimentSpec as EmbodimentSchema, parseEmbodiment } from './schema.ts';

const registry = new Map<string, EmbodimentSpec>([kara6, kara7, widowx250].map((e) => [e.id, e]));
export const EMBODIMENTS: ReadonlyMap<string, EmbodimentSpec> = registry;

export function embodiment(id: string): EmbodimentSpec {
  const e = registry.get(id);
  if (!e) throw new Error(`unknown embodiment '${id}' (known: ${[...registry.keys()].join(', ')})`);
  return e;
}

/** Adds an arm to the registry of this thread (validated); an id already taken by another description is an error. */
export function registerEmbodiment(raw: unknown, source = 'registerEmbodiment'): EmbodimentSpec {
  const e = parseEmbodiment(raw, source);
  const had = registry.get(e.id);
  if (had && JSON.stringify(had) !== JSON.stringify(e)) throw new Error(`embodiment id '${e.id}' is already registered with another description`);
  registry.set(e.id, e);
  return e;
}

/** An embodiment by id, or a description (validated) used as it is. */
export function resolveEmbodiment(idOrSpec: string | unknown): EmbodimentSpec {
  return typeof idOrSpec === 'string' ? embodiment(idOrSpec) : parseEmbodiment(idOrSpec, 'inline description');
}

/** Reads a description from a JSON file; a relative mjcf.folder is taken relative to the JSON file. */
export function loadEmbodimentFile(path: string): EmbodimentSpec {
  let raw: { mjcf?: { folder?: unknown } };
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`embodiment ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const folder = raw?.mjcf?.folder;
  if (typeof folder === 'string' && !isAbsolute(folder)) raw.mjcf!.folder = resolve(dirname(path), folder);
  return parseEmbodiment(raw, path);
}
