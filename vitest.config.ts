import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each run gets its own TMPDIR and fails if a test leaves anything in it; then one
    // PostgreSQL server for the run (embedded, or ASODESK_OMNI_TEST_PG_URL).
    globalSetup: ['./test/temp-guard.ts', './test/pg-server.ts'],
    setupFiles: ['./test/setup-temp.ts'],
    exclude: ['test/bench/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    restoreMocks: true,
    reporters: ['default', './test/summary-reporter.ts'],
    // Integration tests spawn emulators and SQLite files; two cores, so keep forks bounded.
    pool: 'forks',
    maxWorkers: 2,
  },
});
