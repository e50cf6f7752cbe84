import { defineConfig } from 'vitest/config';

/**
 * `pnpm test:scale` (run by `.ci/run` after `pnpm test`): DataSync beyond one machine. Each file
 * starts what it needs on local ports (a Redis Cluster, a Sentinel group, PgBouncer) and stops it;
 * a part that cannot run here says why in its output instead of passing silently. One file at a
 * time: the files start servers of their own and the machine has two cores.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    include: ['test/scale/**/*.test.ts'],
    reporters: ['default', './test/setup/summary-reporter.ts'],
    globalSetup: ['test/setup/global.ts'],
    setupFiles: ['test/setup/per-file.ts'],
  },
});
