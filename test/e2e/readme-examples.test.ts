import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, waitFor, type TestDatabase } from '../helpers';
import { alive, deleteRedisPrefix, listening, processTree, startPnpmStart, waitUntilRunning, type PnpmStart } from '../helpers/pnpm-start';
import { commandPlaceholders, matchPattern, readmeExamples, type Bindings, type Example } from '../helpers/readme';

/**
 * The first hour of a newcomer: README.md's curl examples, read from the README at test time and
 * pasted as written into a shell against a real `pnpm start` (on free ports: the README's
 * 127.0.0.1:3000 and :4010 are rewritten to them), in README order, each answering what its
 * `# →` line says (test/helpers/readme.ts). Then the stack is stopped the way a user stops a
 * backgrounded `pnpm start`: SIGTERM to the pnpm process, and nothing may be left.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const examples = readmeExamples(readFileSync(path.join(root, 'README.md'), 'utf8'));

/**
 * What is not walked here, and why. Every other command of README must be a curl (the test fails
 * on a shell command it neither walks nor lists here).
 */
const NOT_WALKED: { section?: string; command?: RegExp; why: string }[] = [
  // Needs a Docker engine and builds images: `pnpm test:docker` brings that stack up and checks it.
  { section: 'Run with Docker', why: 'needs Docker (pnpm test:docker)' },
  // Needs a cluster with KEDA and a registry its nodes pull from: test/k8s validates the manifests and the keys they watch.
  { section: 'Run on Kubernetes', why: 'needs a Kubernetes cluster with KEDA (test/k8s)' },
  // Opens a browser: the stock page has its own Chromium test.
  { command: /^open /, why: 'needs a browser' },
  // The two first commands are what runs this test (pnpm test) and what it starts (pnpm start).
  { command: /^pnpm (install && pnpm start|test)\b/, why: 'this test runs under pnpm test and starts pnpm start itself' },
  // The command line has its own tests against a real gateway (test/e2e/cli.test.ts).
  { section: 'Command line', command: /^pnpm datasync /, why: 'the CLI (test/e2e/cli.test.ts)' },
  // The connections command line and key generation: test/e2e/connections/cli.test.ts and keys.test.ts.
  {
    section: 'Connections',
    command: /^(pnpm datasync |openssl |export DATASYNC_KEYS=)/,
    why: 'the CLI and the key ring (test/e2e/connections)',
  },
  ...['Re-syncing a stream', 'Backfilling a long window', 'Retrying a failed run'].map((section) => ({
    section,
    command: /^pnpm datasync /,
    why: 'the CLI (test/e2e/resync/cli.test.ts)',
  })),
  // Syncing through a connection from the command line: test/e2e/connections-sync.test.ts runs it.
  { section: 'Syncing a connection', command: /^pnpm datasync /, why: 'the CLI with --connection (test/e2e/connections-sync.test.ts)' },
  // Settings of a deployment beyond one machine, not commands: pnpm test:scale runs DataSync on each.
  { section: 'PgBouncer', why: 'settings for a PgBouncer deployment (test/scale/pgbouncer.test.ts)' },
  { section: 'Redis Cluster and Sentinel', why: 'settings for a Sentinel or Cluster deployment (test/scale/redis-*.test.ts)' },
  // Scheduling on a connection from the command line: test/e2e/connections/gaps.test.ts runs it.
  {
    section: 'Schedules, promotions and cabinets on a connection',
    command: /^pnpm datasync /,
    why: 'the CLI with --connection (test/e2e/connections/gaps.test.ts)',
  },
  // Writing a migration changes a development database and the repository.
  { section: 'Development', why: 'writes migrations into the checkout' },
];
const excluded = (e: Example) =>
  NOT_WALKED.some((n) => (n.section === undefined || n.section === e.section) && (n.command === undefined || n.command.test(e.command)));
const curlExamples = examples.filter((e) => e.command.startsWith('curl ') && !excluded(e));

let db: TestDatabase;
let stack: PnpmStart;
let tree: number[] = [];
const bindings: Bindings = new Map();
const prefix = `t-${Math.random().toString(16).slice(2, 10)}`;

/** The README's addresses, pointed at this test's ports. */
const localise = (text: string) =>
  text.replaceAll('127.0.0.1:3000', `127.0.0.1:${stack.ports.gateway}`).replaceAll('127.0.0.1:4010', `127.0.0.1:${stack.ports.sandbox}`);

/** Runs the command as pasted into bash; `curl` is wrapped only to report the status after the body. */
function run(command: string): Promise<{ status: number; body: string; stderr: string }> {
  const wrapper = 'curl() { command curl -sS --max-time 30 -w "\\n%{http_code}" "$@"; }';
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', `${wrapper}\n${command}`],
      { cwd: root, timeout: 60_000, maxBuffer: 20 * 1024 * 1024 },
      (_err, stdout, stderr) => {
        const cut = stdout.lastIndexOf('\n');
        resolve({ status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, Math.max(cut, 0)), stderr });
      },
    );
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  stack = await startPnpmStart({
    DATABASE_URL: db.url,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    // The examples poll; the limiter has its own test.
    GATEWAY_RATE_LIMIT_PER_MINUTE: '100000',
  });
  await waitUntilRunning(stack);
  tree = processTree(stack.child.pid!);
}, 240_000);

afterAll(async () => {
  // Whatever happened above, leave nothing running.
  if (stack && stack.child.exitCode === null && stack.child.signalCode === null) {
    try {
      process.kill(-stack.child.pid!, 'SIGKILL');
    } catch {
      // gone
    }
    await stack.exited;
  }
  for (const pid of alive(tree)) process.kill(pid, 'SIGKILL');
  await deleteRedisPrefix(prefix);
  await db?.drop();
});

describe('README.md examples, pasted against pnpm start', () => {
  it('finds the examples (the extraction itself works)', () => {
    expect(curlExamples.length).toBeGreaterThanOrEqual(20);
    expect(curlExamples.filter((e) => e.expect?.pattern).length).toBeGreaterThanOrEqual(12);
    expect(examples.filter((e) => !e.command.startsWith('curl ') && !excluded(e)).map((e) => `line ${e.line}: ${e.command}`)).toEqual([]);
  });

  for (const example of curlExamples) {
    it(`${example.section}, line ${example.line}: ${example.command.slice(0, 90)}`, async () => {
      const named = commandPlaceholders(example.command);
      let command = localise(example.command);
      for (const name of named) {
        expect(bindings.has(name), `<${name}> is bound by an earlier example`).toBe(true);
        command = command.replaceAll(`<${name}>`, String(bindings.get(name)));
      }
      const expectation = example.expect;
      const pattern = expectation?.pattern && JSON.parse(localise(JSON.stringify(expectation.pattern)));
      // Only what earlier examples bound is compared; names first seen in this answer bind.
      const before = new Set(bindings.keys());
      const compare = (name: string) => (named.includes(name) || expectation?.eventually === true) && before.has(name);
      const check = async () => {
        const res = await run(command);
        const statusOk = expectation?.status ? res.status === expectation.status : res.status >= 200 && res.status < 300;
        if (!statusOk) return `status ${res.status} (expected ${expectation?.status ?? '2xx'}): ${res.body.slice(0, 500)} ${res.stderr}`;
        if (!pattern) return undefined;
        let body: unknown;
        try {
          body = JSON.parse(res.body);
        } catch {
          return `not JSON: ${res.body.slice(0, 300)}`;
        }
        const problem = matchPattern(pattern, body, bindings, compare);
        return problem && `${problem}\nanswer: ${res.body.slice(0, 1500)}`;
      };
      let problem = await check();
      if (problem && expectation?.eventually) {
        await waitFor(async () => ((problem = await check()) ? undefined : true), {
          timeoutMs: 120_000,
          intervalMs: 1000,
          what: `${example.command}: ${expectation.text}`,
        }).catch(() => undefined);
      }
      expect(problem, `README line ${example.line}: ${example.command}\n# → ${expectation?.text ?? '(2xx)'}`).toBeUndefined();
    }, 180_000);
  }

  it('stops everything on SIGTERM to the pnpm process, as a backgrounded pnpm start is stopped', async () => {
    expect(tree.length).toBeGreaterThanOrEqual(8); // pnpm, its shell, tsx, start.ts, the seven services
    const ports = [stack.ports.gateway, stack.ports.sandbox, stack.ports.smtp];
    for (const port of ports) expect(await listening(port), `port ${port} before`).toBe(true);
    process.kill(stack.child.pid!, 'SIGTERM');
    await stack.exited;
    await waitFor(
      async () => {
        const open = (await Promise.all(ports.map(async (p) => ((await listening(p)) ? p : undefined)))).filter(Boolean);
        const left = alive(tree);
        return open.length === 0 && left.length === 0 ? true : undefined;
      },
      { timeoutMs: 30_000, what: 'every port closed and every process of pnpm start gone' },
    );
    expect(stack.output()).toContain('stopping DataSync (SIGTERM)');
  }, 60_000);
});
