import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@datasync/logger';
import { startSandbox, type RunningSandbox } from '../src/index';

let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 42, log: createLogger({ name: 'sandbox', level: 'silent' }) });
});
afterAll(async () => {
  await sandbox?.close();
});

describe('corrupt fault', () => {
  it('reaches nested fields (the item wrappers of Avito)', async () => {
    const sellers = (await (await fetch(`${sandbox.url}/avito/_control/sellers`)).json()) as { sellers: { hash: string }[] };
    const page = (await (
      await fetch(`${sandbox.url}/avito/api/1/user/profile/items?sellerId=${sellers.sellers[0]!.hash}&page=1&limit=10`, {
        headers: { 'x-sandbox-fault': JSON.stringify({ kind: 'corrupt', field: 'value.title', value: null, count: 2 }) },
      })
    ).json()) as { result: { items: { value: { title?: unknown } }[] } };
    expect(page.result.items.filter((i) => i.value.title === null)).toHaveLength(2);
  });
});
