import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@datasync/logger';
import { startSandbox, type RunningSandbox } from '../src/index';

let sandbox: RunningSandbox;
const statistics = '/itresume/api/statistics?client=Sandboxschool&client_key=SBX7Q2&start=2026-04-01&end=2026-04-01%2023:59:59';

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 42, log: createLogger({ name: 'sandbox', level: 'silent' }) });
});
afterAll(async () => {
  await sandbox?.close();
});

const get = async (path: string, fault?: unknown) =>
  (await (await fetch(`${sandbox.url}${path}`, { headers: fault ? { 'x-sandbox-fault': JSON.stringify(fault) } : {} })).json()) as Record<
    string,
    unknown
  >[];

describe('corrupt fault', () => {
  it('removes or retypes a field of `count` items from the middle of the page, leaving the others as served', async () => {
    const clean = await get(statistics);
    const removed = await get(statistics, { kind: 'corrupt', field: 'lti_user_id' });
    const middle = Math.floor(clean.length / 2);
    expect(removed).toHaveLength(clean.length);
    expect('lti_user_id' in removed[middle]!).toBe(false);
    expect(removed.filter((_, i) => i !== middle)).toEqual(clean.filter((_, i) => i !== middle));

    const retyped = await get(statistics, { kind: 'corrupt', field: 'lti_user_id', value: 7, count: 3 });
    expect(retyped.filter((r) => r.lti_user_id === 7)).toHaveLength(3);
  });
});
