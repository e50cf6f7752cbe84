import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sourceNames } from '../helpers';
import { useGateway } from './gateway-under-test';

/**
 * What a newcomer sees when a request is wrong: JSON naming each bad field in words (never zod's
 * "Invalid input: expected …"). Each source lists wrong requests to its routes in
 * `test/e2e/<source>/bad-requests.ts` (exported as `badRequests`); its own messages are tested in
 * `test/e2e/<source>/gateway-input-errors.test.ts`.
 */
const e2e = path.dirname(fileURLToPath(import.meta.url));
const sourcesBadRequests = (
  await Promise.all(
    sourceNames
      .filter((name) => existsSync(path.join(e2e, name, 'bad-requests.ts')))
      .map(async (name) => ((await import(`./${name}/bad-requests.ts`)) as { badRequests: [string, unknown][] }).badRequests),
  )
).flat();

const gw = useGateway();

describe('input errors a user reads', () => {
  it('every source lists wrong requests to check', () => {
    expect(sourcesBadRequests.length).toBeGreaterThan(0);
  });

  it("never answers zod's default wording", async () => {
    const bad: [string, unknown][] = [['/api/runs', { source: 'nope', params: [] }], ...sourcesBadRequests];
    for (const [path, body] of bad) {
      const res = await gw.post(path, body);
      expect(res.status, path).toBe(400);
      expect(res.body.errors?.length, path).toBeGreaterThan(0);
      for (const e of res.body.errors!)
        expect(e.message, `${path} ${e.field}`).not.toMatch(/Invalid input|expected \w+, received|Too (small|big)|Unrecognized key/);
    }
  });
});
