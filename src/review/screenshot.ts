// A PNG of a report page rendered by headless Chromium (scripts/screenshot.sh), for the README and the tests.
import { execFile, execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'scripts/screenshot.sh');

/** The Chromium binary on PATH, or null. */
export function chromiumPath(): string | null {
  for (const b of ['chromium', 'chromium-browser', 'google-chrome']) {
    try { return execFileSync('sh', ['-c', `command -v ${b}`], { encoding: 'utf8' }).trim() || null; } catch { /* next */ }
  }
  return null;
}

/** Renders `html` to `png` (width x height CSS px); resolves to the PNG's path. */
export function screenshot(html: string, png: string, size: [number, number] = [1280, 2400]): Promise<string> {
  return new Promise((ok, fail) => {
    execFile('bash', [SCRIPT, html, png, `${size[0]}x${size[1]}`], { timeout: 120_000 }, (e, _out, err) => (e ? fail(new Error(`screenshot of ${html}: ${err.trim() || e.message}`)) : ok(png)));
  });
}
