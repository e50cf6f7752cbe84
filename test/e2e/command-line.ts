import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import type { RunningSandbox } from '@datasync/sandbox';
import {
  createTestDatabase,
  sandboxControl,
  startStack,
  startTestSandbox,
  testEnv,
  type Stack,
  type TestDatabase,
  type WorkerStarter,
} from '../helpers';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const KEY = 'cli-test-key-0123456789';

/** What a command line test drives: the stack (gateway and `workers`), its sandbox, and `datasync`. */
export interface CommandLine {
  db: TestDatabase;
  sandbox: RunningSandbox;
  control: ReturnType<typeof sandboxControl>;
  stack: Stack;
  /** `datasync <args>` as a user runs it (the package's bin), against the test gateway. */
  datasync(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/**
 * Registers the file's beforeAll/afterAll: a test database, a sandbox, a gateway with an API key
 * and `workers`, with `env` added to the settings. The returned object is filled in before the first test.
 */
export function useCommandLine(options: {
  workers: WorkerStarter[];
  env?: (control: ReturnType<typeof sandboxControl>, sandboxUrl: string) => Promise<Record<string, string>>;
}): CommandLine {
  const cli = {
    datasync(...args: string[]) {
      const child = spawn(process.execPath, [path.join(root, 'packages/cli/bin/datasync.js'), ...args], {
        env: { ...process.env, ...cli.stack.env, GATEWAY_URL: cli.stack.gateway.url, GATEWAY_API_KEY: KEY },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
    },
  } as CommandLine;
  beforeAll(async () => {
    cli.db = await createTestDatabase();
    cli.sandbox = await startTestSandbox();
    cli.control = sandboxControl(cli.sandbox.url);
    cli.stack = await startStack(
      testEnv(cli.db.url, cli.sandbox.url, {
        GATEWAY_API_KEY: KEY,
        SCHEDULE_MIN_INTERVAL_SECONDS: '1',
        ...(await options.env?.(cli.control, cli.sandbox.url)),
      }),
      { workers: options.workers },
    );
  });
  afterAll(async () => {
    await cli.stack?.close();
    await cli.sandbox?.close();
    await cli.db?.drop();
  });
  return cli;
}
