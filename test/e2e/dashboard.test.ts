import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import type { RunningSandbox } from '@datasync/sandbox';
import { opsQueues } from '@datasync/queues';
import { sourceNames as sources } from '@datasync/sources';
import { createTestDatabase, startStack, startTestSandbox, testEnv, waitFor, type Stack, type TestDatabase } from '../helpers';

/** Bull Board as a person opens it: every queue listed, and nothing fetched from anywhere but the gateway. */
const KEY = 'dashboard-key-0123456789';
let db: TestDatabase;
let sandbox: RunningSandbox;
let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox();
  stack = await startStack(testEnv(db.url, sandbox.url, { GATEWAY_API_KEY: KEY }), { workers: [] });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await sandbox?.close();
  await db?.drop();
});

describe('queue dashboard (/admin/queues)', () => {
  it('lists every queue (the sources, schedules, notifications) and makes no request off the gateway', async () => {
    const context = await browser.newContext({ httpCredentials: { username: 'ops', password: KEY } });
    const page = await context.newPage();
    const requests: string[] = [];
    const consoleErrors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await page.goto(`${stack.gateway.url}/admin/queues`);

    // Queue names as the catalog and the ops queues define them (not as the dashboard code lists them).
    const expected = [...sources, opsQueues.schedules, opsQueues.notifications];
    expect(expected).toHaveLength(7);
    await waitFor(
      async () => {
        const text = await page.locator('body').innerText();
        return expected.every((n) => text.includes(n)) ? true : undefined;
      },
      { timeoutMs: 20_000, what: 'every queue on the page' },
    );
    // The overview's queue cards link to each queue's page: one per queue, no more.
    const hrefs = await Promise.all((await page.locator('a[href*="queue/"]').all()).map((a) => a.getAttribute('href')));
    const linked = hrefs.map((h) => decodeURIComponent(new URL(h!, stack.gateway.url).pathname.split('/queue/')[1] ?? ''));
    expect(new Set(linked)).toEqual(new Set(expected));
    await page.waitForLoadState('networkidle');

    const origin = new URL(stack.gateway.url).origin;
    expect(requests.length).toBeGreaterThan(3);
    expect(requests.filter((u) => !u.startsWith('data:') && new URL(u).origin !== origin)).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await context.close();
  });
});
