// The model registry: immutable model versions named by programme year and build (fy2026.1, fy2026.2, ...) under
// <root>/versions/, each a copy of a trained model version directory (src/train/version.ts) with a MANIFEST.json of
// every file's sha256 and the content hash; files and folders made read-only. Opening a version verifies it (a
// missing, altered or extra file is refused, named). Promotions (which version is in service for a gate) are an
// append-only JSONL log, <root>/promotions.jsonl, with who, when and why. Root: --registry / KARAKURI_REGISTRY /
// registry/ (git-ignored).
import { appendFileSync, chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { parseWith } from '../validation.ts';
import { contentHash, fileEntries, isRegisteredVersion, listFiles, MANIFEST, MANIFEST_FORMAT, REQUIRED_FILES, verifyVersion, type Manifest } from './manifest.ts';

export const DEFAULT_REGISTRY = 'registry';
const NAME = /^(fy\d{4})\.(\d+)$/;

/** The registry root: the flag, else $KARAKURI_REGISTRY, else ./registry. */
export const registryRoot = (flag?: string): string => resolve(flag ?? process.env.KARAKURI_REGISTRY ?? DEFAULT_REGISTRY);

/** The programme (Japanese fiscal) year of a date: April to March, e.g. 2027-02-10 -> fy2026. */
export const fiscalYear = (d = new Date()): string => `fy${d.getUTCMonth() >= 3 ? d.getUTCFullYear() : d.getUTCFullYear() - 1}`;

const versionsDir = (root: string) => join(root, 'versions');
export const versionDir = (root: string, name: string) => join(versionsDir(root), name);

const who = () => process.env.KARAKURI_USER ?? (() => { try { return userInfo().username; } catch { return 'unknown'; } })();

function setReadOnly(dir: string): void {
  for (const rel of [...listFiles(dir), MANIFEST]) chmodSync(join(dir, rel), 0o444);
  const dirs = (d: string): string[] => readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).flatMap((e) => [...dirs(join(d, e.name)), join(d, e.name)]);
  for (const d of [...dirs(dir), dir]) chmodSync(d, 0o555);
}

function copyTree(src: string, dst: string): void {
  for (const rel of listFiles(src)) {
    mkdirSync(dirname(join(dst, rel)), { recursive: true });
    copyFileSync(join(src, rel), join(dst, rel));
  }
}

export interface RegisterOptions { year?: string; by?: string; note?: string }
export interface Registered { name: string; dir: string; manifest: Manifest }

/** Copies a trained model version directory into the registry as the next build of `year` (default: this fiscal year). */
export function registerVersion(root: string, src: string, o: RegisterOptions = {}): Registered {
  src = resolve(src);
  const year = o.year ?? fiscalYear();
  if (!/^fy\d{4}$/.test(year)) throw new Error(`register: year must look like fy2026, got '${year}'`);
  if (!existsSync(src) || !statSync(src).isDirectory()) throw new Error(`register: ${src} is not a directory`);
  const missing = REQUIRED_FILES.filter((f) => !existsSync(join(src, f)));
  if (missing.length) throw new Error(`register: ${src} is not a complete model version: missing ${missing.join(', ')} (a version holds ${REQUIRED_FILES.join(', ')})`);
  for (const f of REQUIRED_FILES.filter((x) => x.endsWith('.json'))) {
    try { JSON.parse(readFileSync(join(src, f), 'utf8')); } catch (e) { throw new Error(`register: ${join(src, f)} is not valid JSON (${(e as Error).message})`); }
  }
  if (isRegisteredVersion(src)) verifyVersion(src); // re-registering a registered version: only an intact one
  mkdirSync(versionsDir(root), { recursive: true });
  const tmp = join(versionsDir(root), `.incoming-${process.pid}-${Date.now()}`);
  try {
    copyTree(src, tmp);
    const files = fileEntries(tmp);
    for (let attempt = 0; attempt < 20; attempt++) {
      const builds = listNames(root).map((n) => NAME.exec(n)!).filter((m) => m[1] === year).map((m) => Number(m[2]));
      const name = `${year}.${Math.max(0, ...builds) + 1}`;
      const manifest: Manifest = {
        format: MANIFEST_FORMAT, name, contentHash: contentHash(files), files, registeredAt: new Date().toISOString(),
        registeredBy: o.by ?? who(), source: src, ...(o.note ? { note: o.note } : {}),
      };
      writeFileSync(join(tmp, MANIFEST), JSON.stringify(manifest, null, 1) + '\n');
      const dir = versionDir(root, name);
      if (existsSync(dir)) continue; // taken meanwhile
      try { renameSync(tmp, dir); } catch (e) { if (['ENOTEMPTY', 'EEXIST'].includes((e as NodeJS.ErrnoException).code ?? '')) continue; throw e; }
      setReadOnly(dir);
      return { name, dir, manifest };
    }
    throw new Error(`register: could not find a free build number for ${year}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function listNames(root: string): string[] {
  if (!existsSync(versionsDir(root))) return [];
  return readdirSync(versionsDir(root)).filter((n) => NAME.test(n)).sort((a, b) => {
    const x = NAME.exec(a)!, y = NAME.exec(b)!;
    return x[1]! === y[1]! ? Number(x[2]) - Number(y[2]) : x[1]! < y[1]! ? -1 : 1;
  });
}

/** Opens a registered version by name, verified against its manifest (throws naming what is wrong). */
export function openVersion(root: string, name: string): Registered {
  const dir = versionDir(root, name);
  if (!NAME.test(name) || !existsSync(dir)) {
    const have = listNames(root);
    throw new Error(`no model version '${name}' in the registry ${root} (${have.length ? `it has: ${have.join(', ')}` : 'it is empty'})`);
  }
  const manifest = verifyVersion(dir);
  if (manifest.name !== name) throw new Error(`model version ${dir}: its manifest names it '${manifest.name}', not '${name}'`);
  return { name, dir, manifest };
}

export interface VersionEntry { name: string; dir: string; manifest: Manifest | null; problem: string | null; inService: string[] }

/** Every version with its verification result and the gates it is in service for. */
export function listVersions(root: string): VersionEntry[] {
  const service = inServiceAll(root);
  return listNames(root).map((name) => {
    const dir = versionDir(root, name);
    let manifest: Manifest | null = null, problem: string | null = null;
    try { manifest = verifyVersion(dir); } catch (e) { problem = (e as Error).message; }
    return { name, dir, manifest, problem, inService: Object.entries(service).filter(([, p]) => p.version === name).map(([g]) => g) };
  });
}

export interface ModelRef { dir: string; name: string; contentHash: string; registered: boolean }

/**
 * A model given on the command line: a registry name (fy2026.1) or a directory. A registered directory is verified;
 * an unregistered one gets the same content hash computed on the fly (the report says it was not registered).
 */
export function resolveModel(ref: string, root: string): ModelRef {
  if (NAME.test(ref) && !existsSync(ref)) { const v = openVersion(root, ref); return { dir: v.dir, name: v.name, contentHash: v.manifest.contentHash, registered: true }; }
  const dir = resolve(ref);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`model '${ref}': neither a version in the registry ${root} nor a directory`);
  if (isRegisteredVersion(dir)) { const m = verifyVersion(dir); return { dir, name: m.name, contentHash: m.contentHash, registered: true }; }
  const missing = REQUIRED_FILES.filter((f) => f !== 'MODEL_CARD.md' && f !== 'lineage.json' && !existsSync(join(dir, f)));
  if (missing.length) throw new Error(`model directory ${dir} is refused: missing file ${missing.join(', ')}`);
  return { dir, name: dir, contentHash: contentHash(fileEntries(dir)), registered: false };
}

// ---------- promotions ----------

export const Promotion = z.strictObject({
  at: z.string(), gate: z.string().min(1), version: z.string().regex(NAME), contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  by: z.string().min(1), why: z.string().min(1), previous: z.string().nullable(),
  /** The stage-gate review the promotion rests on (its review.json), when one was given. */
  review: z.strictObject({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), decision: z.string() }).optional(),
});
export type Promotion = z.output<typeof Promotion>;

const promotionsPath = (root: string) => join(root, 'promotions.jsonl');

/** The promotion history, oldest first (every line validated; a bad line is named). */
export function promotions(root: string): Promotion[] {
  const p = promotionsPath(root);
  if (!existsSync(p)) return [];
  return readFileSync(p, 'utf8').split('\n').filter((l) => l.trim()).map((l, i) => {
    let raw: unknown;
    try { raw = JSON.parse(l); } catch (e) { throw new Error(`${p}: line ${i + 1} is not valid JSON (${(e as Error).message})`); }
    return parseWith(Promotion, raw, `${p} line ${i + 1}`, 'promotion');
  });
}

/** The version in service for each gate (its latest promotion). */
export function inServiceAll(root: string): Record<string, Promotion> {
  const out: Record<string, Promotion> = {};
  for (const p of promotions(root)) out[p.gate] = p;
  return out;
}

/**
 * The review a promotion rests on (a review.json of src/review): it must be an official review of this very content
 * at this gate with the decision GO (CONDITIONAL too when `acceptConditional`); throws naming what does not fit.
 */
export function checkReview(path: string, gate: string, hash: string, acceptConditional = false): NonNullable<Promotion['review']> {
  let bytes: Buffer, r: { format?: string; official?: boolean; unofficial?: string[]; inputs?: { model?: { contentHash?: string }; gate?: { id?: string } }; decision?: { overall?: string } };
  try { bytes = readFileSync(path); r = JSON.parse(bytes.toString('utf8')); } catch (e) { throw new Error(`promote: review ${path}: cannot read it as JSON (${(e as Error).message})`); }
  const problems: string[] = [];
  if (r.format !== 'karakuri-review/1') problems.push(`it is not a karakuri review (format ${JSON.stringify(r.format)})`);
  if (r.inputs?.model?.contentHash !== hash) problems.push(`it reviewed content ${String(r.inputs?.model?.contentHash).slice(0, 16)}, not this version's ${hash.slice(0, 16)}`);
  if (r.inputs?.gate?.id !== gate) problems.push(`it is a review for gate '${r.inputs?.gate?.id}', not '${gate}'`);
  if (r.official !== true) problems.push(`it is not an official review (${(r.unofficial ?? []).join('; ') || 'unknown'})`);
  const d = r.decision?.overall;
  if (!(d === 'GO' || (acceptConditional && d === 'CONDITIONAL'))) problems.push(`its decision is ${d}${d === 'CONDITIONAL' ? ' (accept it explicitly with acceptConditional / --accept-conditional)' : ''}`);
  if (problems.length) throw new Error(`promote: review ${path} does not support promoting to ${gate}: ${problems.join('; ')}`);
  return { path: resolve(path), sha256: createHash('sha256').update(bytes!).digest('hex'), decision: d! };
}

/** Marks a (verified) version as the one in service for `gate`; appends to the history and returns the record. */
export function promote(root: string, name: string, gate: string, o: { why: string; by?: string; review?: string; acceptConditional?: boolean }): Promotion {
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(gate)) throw new Error(`promote: gate must be a lower-case id such as fy2026, got '${gate}'`);
  if (!o.why?.trim()) throw new Error('promote: say why (--why): the promotion history records it');
  const v = openVersion(root, name);
  const review = o.review ? checkReview(o.review, gate, v.manifest.contentHash, o.acceptConditional) : undefined;
  const rec: Promotion = { at: new Date().toISOString(), gate, version: name, contentHash: v.manifest.contentHash, by: o.by ?? who(), why: o.why.trim(), previous: inServiceAll(root)[gate]?.version ?? null, ...(review ? { review } : {}) };
  appendFileSync(promotionsPath(root), JSON.stringify(rec) + '\n');
  return rec;
}
