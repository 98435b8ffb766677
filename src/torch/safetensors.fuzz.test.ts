// Corrupted files, many at once: a valid file with random byte changes (in the length, the header and the data) and
// random truncations must either load or fail with an Error that names the file, and never leave tensors behind.
import { describe, expect, it } from 'vitest';
import * as torch from './index.ts';
import { parseSafetensors, serializeSafetensors } from './safetensors.ts';

describe('safetensors under random corruption', () => {
  it('3,000 mutated files: each loads or throws "<file>: ..."; nothing leaks', () => {
    const src = { w: torch.randn([3, 4]), ids: torch.tensor(BigInt64Array.from([1n, -2n])), m: torch.tensor([1, 0, 1], { dtype: 'bool' }), h: torch.randn([2]).to('float16') };
    const base = serializeSafetensors(src, { format: 'pt' });
    torch.dispose(src);
    let s = 12345;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648); // seeded LCG: the same files every run
    const JSONISH = '0123456789[]{},:"-. eE';
    const live = torch.liveTensors().tensors;
    let loaded = 0, failed = 0;
    const foreign: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const b = Buffer.from(base);
      for (let j = 0, n = 1 + Math.floor(rnd() * 3); j < n; j++) {
        const mode = rnd(), at = Math.floor(rnd() * b.length);
        if (mode < 0.6) b[at] = Math.floor(rnd() * 256); // any byte
        else if (mode < 0.85) b[at] = JSONISH.charCodeAt(Math.floor(rnd() * JSONISH.length)); // plausible JSON
        else b[at]! ^= 1 << Math.floor(rnd() * 8); // a bit flip
      }
      const bytes = rnd() < 0.1 ? b.subarray(0, Math.floor(rnd() * b.length)) : b; // sometimes truncated too
      try {
        torch.dispose(parseSafetensors(bytes, 'f.safetensors').tensors);
        loaded++;
      } catch (e) {
        failed++;
        if (!(e instanceof Error && e.message.startsWith('f.safetensors: '))) foreign.push(String(e));
      }
    }
    expect(foreign).toEqual([]);
    expect(torch.liveTensors().tensors).toBe(live);
    expect(failed).toBeGreaterThan(2000); // most corruptions hit the header and are caught
    expect(loaded).toBeGreaterThan(100); // data-only changes still load
  });
});
