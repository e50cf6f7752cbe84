import { describe, expect, it } from 'vitest';
import { useGateway } from '../gateway-under-test';

/**
 * What a newcomer sees when a request is wrong: JSON naming each bad field in words (never zod's
 * "Invalid input: expected …"), unknown fields by name, and a URL Node's parser refuses answered
 * like any other 400. Nothing is stored for a refused request.
 */
const gw = useGateway();

describe('input errors a user reads (YClients)', () => {
  it('names an unknown params field and the missing one in POST /api/runs, storing nothing', async () => {
    const { rowCount } = await gw.pool.query('SELECT 1 FROM sync_runs');
    const res = await gw.post('/api/runs', { source: 'yclients', params: { companyID: 176275 } });
    expect(res.status).toBe(400);
    expect(new Set(res.body.errors)).toEqual(
      new Set([
        { field: 'params.companyID', message: 'is not a known field' },
        { field: 'params.companyId', message: 'is required' },
      ]),
    );
    expect((await gw.pool.query('SELECT 1 FROM sync_runs')).rowCount).toBe(rowCount);
  });

  it('names an unknown params field of a schedule too', async () => {
    const res = await gw.post('/api/schedules', { source: 'yclients', params: { companyID: 1 }, everyMinutes: 60 });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'params.companyID', message: 'is not a known field' },
        { field: 'params.companyId', message: 'is required' },
      ]),
    );
    expect((await gw.pool.query('SELECT 1 FROM schedules')).rowCount).toBe(0);
  });

  it('says a number sent as text must be a number', async () => {
    const res = await gw.post('/api/yclients/sync', { companyId: '176275' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'companyId', message: 'must be a number, not text (write 176275 without quotes)' }]);
    const generic = await gw.post('/api/runs', { source: 'yclients', params: { companyId: 'abc' } });
    expect(generic.body.errors).toEqual([{ field: 'params.companyId', message: 'must be a number, not text' }]);
  });
});
