// The manifest of a registered model version (MANIFEST.json inside its directory): every file's relative path, size
// and sha256, and the version's content hash (sha256 over those lines, so it names the whole content). Verifying a
// directory against its manifest refuses a missing, altered or extra file and names it. Depends only on node.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseWith } from '../validation.ts';

export const MANIFEST = 'MANIFEST.json';
export const MANIFEST_FORMAT = 'karakuri-registry/1';
/** What a model version directory must hold (src/train/version.ts). */
export const REQUIRED_FILES = ['weights.safetensors', 'config.json', 'normalization.json', 'tokenizer.json', 'lineage.json', 'MODEL_CARD.md'] as const;

export const FileEntry = z.strictObject({ path: z.string().min(1), bytes: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) });
export type FileEntry = z.output<typeof FileEntry>;
export const Manifest = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  name: z.string().min(1),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  files: z.array(FileEntry).min(1),
  registeredAt: z.string(),
  registeredBy: z.string(),
  /** Where it was copied from. */
  source: z.string(),
  note: z.string().optional(),
});
export type Manifest = z.output<typeof Manifest>;

/** True when `dir` is a registered (immutable) version: it holds a manifest. */
export const isRegisteredVersion = (dir: string): boolean => existsSync(join(dir, MANIFEST));

export const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

/** Relative paths of every file under dir (sorted, '/'-separated), the manifest excluded. */
export function listFiles(dir: string, sub = ''): string[] {
  const out: string[] = [];
  for (const d of readdirSync(join(dir, sub), { withFileTypes: true })) {
    const rel = sub ? `${sub}/${d.name}` : d.name;
    if (d.isDirectory()) out.push(...listFiles(dir, rel));
    else if (rel !== MANIFEST) out.push(rel);
  }
  return out.sort();
}

export function fileEntries(dir: string): FileEntry[] {
  return listFiles(dir).map((path) => { const b = readFileSync(join(dir, path)); return { path, bytes: b.length, sha256: sha256(b) }; });
}

/** The content hash of a list of entries: sha256 over "path\tbytes\tsha256\n" lines in path order. */
export const contentHash = (files: readonly FileEntry[]): string =>
  sha256([...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((f) => `${f.path}\t${f.bytes}\t${f.sha256}\n`).join(''));

export function readManifest(dir: string): Manifest {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) throw new Error(`model version ${dir}: ${MANIFEST} is missing (not a registered version)`);
  let raw: unknown;
  try { raw = JSON.parse(readFileSync(path, 'utf8')); } catch (e) { throw new Error(`model version ${dir}: ${MANIFEST} is not valid JSON (${(e as Error).message})`); }
  return parseWith(Manifest, raw, `${path}`, 'manifest');
}

/**
 * Checks `dir` against its manifest: every listed file present with its size and sha256, no other file, and the
 * manifest's own content hash consistent with its list. Returns the manifest; throws naming every problem.
 */
export function verifyVersion(dir: string): Manifest {
  const m = readManifest(dir);
  const problems: string[] = [];
  if (contentHash(m.files) !== m.contentHash) problems.push(`${MANIFEST}: its content hash does not match its file list (the manifest was edited)`);
  const listed = new Set(m.files.map((f) => f.path));
  for (const f of m.files) {
    const p = join(dir, f.path);
    if (!existsSync(p) || !statSync(p).isFile()) { problems.push(`missing file ${f.path}`); continue; }
    const b = readFileSync(p);
    if (b.length !== f.bytes || sha256(b) !== f.sha256) problems.push(`altered file ${f.path} (${b.length} bytes, sha256 ${sha256(b).slice(0, 12)}..; the manifest has ${f.bytes} bytes, ${f.sha256.slice(0, 12)}..)`);
  }
  for (const rel of listFiles(dir)) if (!listed.has(rel)) problems.push(`extra file ${rel} (not in the manifest)`);
  if (problems.length) throw new Error(`model version ${m.name} (${dir}) is refused: ${problems.join('; ')}`);
  return m;
}
