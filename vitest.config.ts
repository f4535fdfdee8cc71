import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'src/**/*.test.ts',
      'bench/**/*.test.ts',
      'examples/**/*.test.ts',
      'scripts/**/*.test.ts',
    ],
    testTimeout: 30_000,
    // Keep the 2-core machine responsive: property suites are CPU-heavy.
    pool: 'forks',
    // The memory tests check with WeakRefs and a full collection that finished work is freed.
    poolOptions: { forks: { execArgv: ['--expose-gc'] } },
  },
});
