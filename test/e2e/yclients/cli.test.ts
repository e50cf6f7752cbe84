import { describe, expect, it } from 'vitest';
import { sourceWorker } from '../../helpers';
import { useCommandLine } from '../command-line';

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

describe('datasync command line (YClients)', () => {
  it('adds, lists and removes schedules', async () => {
    const added = await datasync('schedules', 'add', 'yclients', '--companyId', '42', '--cron', '0 6 * * *', '--tz', 'Europe/Moscow');
    expect(added.code, added.stderr).toBe(0);
    const id = added.stdout.split(/\s+/)[0]!;
    const list = await datasync('schedules', 'list');
    expect(list.stdout).toMatch(new RegExp(`${id}  active  yclients.sync +cron '0 6 \\* \\* \\*' Europe/Moscow  next 20`));
    expect((await datasync('schedules', 'rm', id)).code).toBe(0);
    expect((await datasync('schedules', 'list')).stdout).not.toContain(id);
  });

  it('sync --wait shows one bar over the whole run: never back, below 100 until done, on each entity in turn', async () => {
    // Each page a little slow, so the bar is sampled inside every entity.
    await cli.control.addFault({ path: '/yclients/api/v1', kind: 'delay', delayMs: 600 });
    const { code, stdout, stderr } = await datasync('sync', 'yclients', '--companyId', '176275', '--wait');
    await cli.control.clearFaults();
    expect(code, stderr).toBe(0);
    const runId = stdout.trim();
    // Not a terminal: one line per change, `<percent>% | <state> | <entity> (<n> of <of>) | <counts>`.
    const lines = stderr.split('\n').filter((l) => /^\d+(\.\d+)?% \|/.test(l));
    const samples = lines.map((l) => {
      const [percent, state, stage] = l.split(' | ');
      const step = /^(\w+) \((\d+) of 9\)$/.exec(stage ?? '');
      return { percent: Number.parseFloat(percent!), state, entity: step?.[1], number: step ? Number(step[2]) : undefined };
    });
    expect(samples.length, stderr).toBeGreaterThan(3);
    for (let i = 1; i < samples.length; i++) expect(samples[i]!.percent, lines.join('\n')).toBeGreaterThanOrEqual(samples[i - 1]!.percent);
    expect(
      samples.filter((s) => s.state !== 'done').every((s) => s.percent < 100),
      lines.join('\n'),
    ).toBe(true);
    expect(samples.at(-1)).toMatchObject({ percent: 100, state: 'done', entity: 'expense_categories', number: 9 });
    // The entity shown moves forward through the plan, and the slow paged ones are seen. The paged
    // entities run as concurrent lanes and the bar names the first of the plan not done: clients,
    // then records (more pages); transactions only if they outlast the records (here about as long).
    const numbers = samples.flatMap((s) => (s.number === undefined ? [] : [s.number]));
    for (let i = 1; i < numbers.length; i++) expect(numbers[i]).toBeGreaterThanOrEqual(numbers[i - 1]!);
    const seen = new Set(samples.filter((s) => s.state === 'running').map((s) => s.entity));
    for (const entity of ['clients', 'records']) expect([...seen], lines.join('\n')).toContain(entity);
    expect(stderr).toContain(`run ${runId} done in`);
  });
});
