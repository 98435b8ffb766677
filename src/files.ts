// Crash-safe file writes shared by every layer: a file written here is either absent, its old self, or complete,
// never torn (write to a temporary beside it, fsync, rename over, fsync the folder).
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes bytes to a temporary file beside `path` (named for this process, so concurrent writers never share one),
 * fsyncs it and renames it over `path`. The folder is created when missing.
 */
export function writeFileDurable(path: string, bytes: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      const buf = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true }); // the old file, if any, is untouched
    throw e;
  }
  syncDir(dirname(path));
}

/** fsync a directory so a rename in it survives a power cut (best effort where the OS refuses). */
export function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch { /* not supported here */ }
}
