// Entry of bench/torch (see run-train-step.ts). Both sides run with OMP_WAIT_POLICY=PASSIVE: otherwise the OpenMP
// threads of whichever process ran last keep spinning on the 2 cores while the other one works, and each side
// measures the other's idle spin (measured: the Python transformer step went from 44 to 204 ms).
//   npx tsx bench/torch/train-step.ts [--rounds 15] [--steps 10] [--threads N]
import { spawnSync } from 'node:child_process';

if (process.env.OMP_WAIT_POLICY?.toUpperCase() !== 'PASSIVE') {
  const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit', env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' },
  });
  process.exit(r.status ?? 1);
}
await import('./run-train-step.ts');
