// `karakuri serve` as a user runs it: it listens and prints where, answers /healthz, requires the keys given by
// --api-key and KARAKURI_API_KEYS, answers an observation, stops cleanly on SIGTERM; bad flags are named.
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { packMessage, unpackMessage, type NdArray } from '../protocol/ndarray.ts';
import { connect } from './test-ws.ts';
import { karakuriMessage, writeTestModel } from './test-model.ts';

const bin = new URL('../../../bin/karakuri.js', import.meta.url).pathname;

describe('karakuri serve', () => {
  it('serves with API keys from the flag and the environment, and stops on SIGTERM', async () => {
    const { dir, cfg } = writeTestModel();
    const child = spawn(process.execPath, [bin, 'serve', '--model', dir, '--port', '0', '--host', '127.0.0.1', '--api-key', 'flag-key-1234', '--max-batch', '4'], {
      env: { ...process.env, KARAKURI_API_KEYS: 'env-key-5678, other-key-000' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '', err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); const m = /ws:\/\/127\.0\.0\.1:(\d+)[^]*libtorch threads/.exec(out); if (m) resolve(Number(m[1])); });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
    });
    expect(out).toMatch(/3 API key\(s\) required; shield on; max batch 4/);
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).text()).toBe('OK\n');
    await expect(connect(port)).rejects.toMatchObject({ status: 401 });
    for (const key of ['flag-key-1234', 'env-key-5678']) {
      const c = await connect(port, { Authorization: `Api-Key ${key}` });
      await c.next();
      c.send(packMessage(karakuriMessage(cfg)));
      const r = unpackMessage((await c.next()).data) as { actions: NdArray };
      expect(r.actions.shape).toEqual([10, 7]);
      c.close();
    }
    const code = await new Promise<number | null>((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); });
    expect(code, err).toBe(0);
    expect(out).toMatch(/karakuri serve: stopped/);
  });

  it('names a bad flag', () => {
    const r = spawnSync(process.execPath, [bin, 'serve', '--model', '/nonexistent', '--max-batch', '0'], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--max-batch: Too small/i);
  });
});
