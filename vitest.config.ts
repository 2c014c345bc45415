import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One tfjs engine per file; files run in separate forks so backends do not interfere.
    pool: 'forks',
    setupFiles: ['./test/setup.ts'],
    reporters: ['default', './test/summary_reporter.ts'],
  },
});
