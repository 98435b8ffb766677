// Test runner configuration: tests live beside the code as *.test.ts.
// Forks (not threads) so that the native libtorch addon and the MuJoCo wasm each load once per process.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
