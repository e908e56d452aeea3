import { defineConfig } from 'vitest/config';

/** The tests `npm run mutate` runs against each mutant: the unit tests only (no broker, no database). */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    testTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
