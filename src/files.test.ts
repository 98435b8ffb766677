// writeFileDurable: complete files, replaced whole, no temporaries left behind, the old file kept when a write fails.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileDurable } from './files.ts';

const fresh = () => mkdtempSync(join(tmpdir(), 'karakuri-files-'));

describe('writeFileDurable', () => {
  it('writes text and bytes, creating the folder, and replaces an old file whole', () => {
    const dir = fresh();
    const path = join(dir, 'a', 'b', 'x.json');
    writeFileDurable(path, 'first version, longer than the second\n');
    expect(readFileSync(path, 'utf8')).toBe('first version, longer than the second\n');
    writeFileDurable(path, new Uint8Array([104, 105]));
    expect(readFileSync(path, 'utf8')).toBe('hi');
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['x.json']);
  });

  it('keeps what was stored and leaves no temporary when the write cannot complete', () => {
    const dir = fresh();
    const path = join(dir, 'target');
    mkdirSync(path); // a folder in the way: the rename over it fails
    writeFileSync(join(path, 'kept.txt'), 'data');
    expect(() => writeFileDurable(path, 'new')).toThrow(/target/);
    expect(readFileSync(join(path, 'kept.txt'), 'utf8')).toBe('data');
    expect(readdirSync(dir)).toEqual(['target']);
  });
});
