import { beforeAll, describe, expect, it } from 'vitest';
import { sourceWorker } from '../../helpers';
import { KEY, useCommandLine } from '../command-line';

const cli = useCommandLine({ workers: [sourceWorker('avito')] });
const datasync = (...args: string[]) => cli.datasync(...args);
let sellers: string[];

beforeAll(async () => {
  const all = (await cli.control.get<{ sellers: { hash: string; active: number }[] }>('/avito/_control/sellers')).sellers;
  sellers = all.filter((s) => s.active > 0).map((s) => s.hash);
});

describe('datasync command line (Avito)', () => {
  it('sync --wait exits 0 when the run is done, and the run is there', async () => {
    const { code, stdout, stderr } = await datasync('sync', 'avito.user', '--user', sellers[0]!, '--wait');
    expect(code, stderr).toBe(0);
    const runId = stdout.trim().split('\n')[0]!;
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(stderr).toMatch(new RegExp(`run ${runId} done in [\\d.]+ s: \\{.*"listings":\\d+`));
    const run = (await (await fetch(`${cli.stack.gateway.url}/api/runs/${runId}`, { headers: { 'x-api-key': KEY } })).json()) as {
      state: string;
    };
    expect(run.state).toBe('done');

    const runs = await datasync('runs', '--source', 'avito');
    expect(runs.code).toBe(0);
    expect(runs.stdout).toContain(`${runId}  done`);
    const one = await datasync('run', runId);
    expect(JSON.parse(one.stdout)).toMatchObject({ id: runId, state: 'done', percent: 100 });
  });

  it('sync --wait exits 1 with the error when the run fails', async () => {
    await cli.control.addFault({ path: '/avito/api/1/user', kind: 'status', status: 404 });
    const { code, stdout, stderr } = await datasync('sync', 'avito.user', '--user', sellers[1]!, '--wait');
    await cli.control.clearFaults();
    expect(code).toBe(1);
    const runId = stdout.trim();
    expect(stderr).toMatch(new RegExp(`run ${runId} failed: .*404`));
    expect((await datasync('run', runId)).code).toBe(1);
    expect((await datasync('run', runId, '--log')).stdout).toContain('"msg":"run failed"');
  });

  it('exits 2 with the field errors on bad parameters, queueing nothing', async () => {
    const { code, stderr } = await datasync('sync', 'avito.user', '--user', 'nope', '--wait');
    expect(code).toBe(2);
    expect(stderr).toMatch(/params\.user: must be the 32 lowercase hex characters/);
    expect((await datasync('sync', 'nowhere')).stderr).toMatch(/source: must be one of/);
    // No SMTP on this gateway: an email target would never arrive, so it is refused.
    const mail = await datasync('sync', 'avito.user', '--user', sellers[0]!, '--notify-email', 'ops@example.test');
    expect(mail.code).toBe(2);
    expect(mail.stderr).toMatch(/notify\.email: cannot be sent: SMTP_HOST is not set/);
  });
});
