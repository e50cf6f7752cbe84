/**
 * The test kit: what tests, the bench and the docker test share to drive DataSync. Nothing here
 * imports vitest (the bench runs it under plain tsx); the assertions are in `@datasync/testkit/vitest`.
 */
export * from './answers';
export { gatewayClient, type GatewayTestClient } from './api';
export { isFinished, waitForRun } from './run-waiter';
export { waitFor } from './wait';
export { root, spawnApp, spawnGateway, spawnWorker, waitForLine, type AppProcess, type SpawnOptions, type WorkerProcess } from './launcher';
export { startStack, testEnv, type Stack, type WorkerStarter } from './stack';
export { sourceWorker } from './source-worker';
export { sandboxControl, startTestSandbox, type SandboxControl } from './sandbox';
export { adminQuery, createTestDatabase, databaseUrl, TEMPLATE_DB, TEST_DB_PREFIX, type TestDatabase } from './database';
export { dropKeysUnder, keysUnder, prefixesInUse, testPrefix, TEST_PREFIX_ROOT, TEST_REDIS_URL } from './redis-keys';
export { fastUpstreamSettings, sandboxBaseUrls, sourceNames, workerApp } from './source-list';
