import { defineConfig } from 'vitest/config';

/**
 * Tests that need no Postgres, Redis or started stack: pure functions, and the sandbox's fakes and
 * the clients that talk to them over loopback HTTP. Name a new one `*.unit.test.ts`, or put it in
 * one of these folders. `pnpm test:unit` runs only these; `pnpm test` runs both projects, each file once.
 */
const UNIT = [
  '**/*.unit.test.ts',
  'apps/sandbox/test/**/*.test.ts',
  'packages/logger/test/**/*.test.ts',
  'packages/runs/test/**/*.test.ts',
  'packages/testkit/test/**/*.test.ts',
  'test/readme-patterns.test.ts',
];
const EXCLUDE = ['**/node_modules/**', 'test/docker/**', 'test/soak/**', 'test/scale/**'];

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/setup/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT, exclude: EXCLUDE } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['apps/*/test/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [...EXCLUDE, ...UNIT],
          // One migrated template database per run; each file's Redis keys removed after it.
          globalSetup: ['test/setup/global.ts'],
          setupFiles: ['test/setup/per-file.ts'],
        },
      },
    ],
  },
});
