import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time on the 2-core machine (vitest's default is cores − 1, one file at a time):
    // most files wait on sockets, processes and timers, and every file has its own schema and ports.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
