import { describe, expect, it } from 'vitest';
import { sourceWorker } from '../../helpers';
import { useCommandLine } from '../command-line';

/** `datasync sync … --resync`, `--backfill` and `datasync retry` as a user types them. */
const cli = useCommandLine({
  workers: [sourceWorker('yclients')],
  async env(control, sandboxUrl) {
    const yclients = await control.get<{ partnerToken: string; login: string; password: string }>('/yclients/_control/credentials');
    return {
      YCLIENTS_BASE_URL: `${sandboxUrl}/yclients/api/v1`,
      YCLIENTS_PARTNER_TOKEN: yclients.partnerToken,
      YCLIENTS_LOGIN: yclients.login,
      YCLIENTS_PASSWORD: yclients.password,
      YCLIENTS_REQUESTS_PER_SECOND: '1000',
      YCLIENTS_REQUESTS_PER_MINUTE: '100000',
    };
  },
});
const datasync = (...args: string[]) => cli.datasync(...args);

describe('datasync command line: resync, backfill, retry', () => {
  it('re-syncs named streams, refuses unknown ones by name, and retries only failed runs', async () => {
    const synced = await datasync('sync', 'yclients', '--companyId', '176275', '--resync', 'clients,records', '--wait');
    expect(synced.code, synced.stderr).toBe(0);
    const id = synced.stdout.trim();
    const shown = await datasync('run', id);
    expect(JSON.parse(shown.stdout)).toMatchObject({ state: 'done', resync: ['clients', 'records'] });

    const unknown = await datasync('sync', 'yclients', '--companyId', '176275', '--resync', 'clinets');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/resync.*clinets \(its streams: clients, records, transactions\)/);

    const noWindow = await datasync('sync', 'yclients', '--companyId', '176275', '--backfill');
    expect(noWindow.code).toBe(2);
    expect(noWindow.stderr).toContain('backfill');

    const retryDone = await datasync('retry', id);
    expect(retryDone.code).toBe(2);
    expect(retryDone.stderr).toContain(`run ${id} is done; only a failed run can be retried`);
  }, 120_000);
});
