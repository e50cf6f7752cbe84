import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@datasync/logger';
import { postWebhook, sendMail } from '@datasync/notifications';
import { startSandbox, type RunningSandbox } from '@datasync/sandbox';

/**
 * The sandbox's mail and webhook catchers, fed by DataSync's own senders over real SMTP and HTTP:
 * what `pnpm start` points notifications at so they work with no mail server or receiver.
 */
const SECRET = 'whsec-catcher-3f9a1c';
const log = createLogger({ name: 'test', level: 'silent' });
let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, smtpPort: 0, seed: 42, log, webhookSecret: SECRET });
});
afterAll(async () => {
  await sandbox?.close();
});

const get = async <T>(path: string): Promise<T> => (await (await fetch(`${sandbox.url}${path}`)).json()) as T;

describe('mail catcher', () => {
  it('keeps every message it receives and lists it at /mail', async () => {
    expect(sandbox.smtpPort).toBeGreaterThan(0);
    const smtp = { host: '127.0.0.1', port: sandbox.smtpPort!, secure: false, from: 'DataSync <datasync@localhost>' };
    await sendMail(smtp, { to: ['ops@example.com', 'lead@example.com'], subject: 'Run done: тест', text: 'Привет\n42 rows' }, log);
    const list = await get<{ total: number; messages: { from: string; to: string[]; subject: string; text: string }[] }>('/mail');
    expect(list.total).toBe(1);
    expect(list.messages[0]).toMatchObject({
      from: 'datasync@localhost',
      to: ['ops@example.com', 'lead@example.com'],
      subject: 'Run done: тест',
    });
    expect(list.messages[0]!.text.trim()).toBe('Привет\n42 rows');

    const page = await fetch(`${sandbox.url}/mail`, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('Run done: тест');

    await fetch(`${sandbox.url}/_control/reset`, { method: 'POST' });
    expect((await get<{ total: number }>('/mail')).total).toBe(0);
  });
});

describe('webhook catcher', () => {
  // The catcher listens on loopback: deliveries to it need the allowance `pnpm start` sets for its sandbox.
  const received = () =>
    get<{ total: number; received: { path: string; event: string; delivery: string; signature: string; body: unknown }[] }>('/hooks');

  it('keeps each delivery and says whether its signature verified', async () => {
    const payload = { event: 'run.done', deliveryId: 'd-1', body: { event: 'run.done', run: { id: 'r1', state: 'done' } } };
    await postWebhook(`${sandbox.url}/hooks/good`, payload, { secret: SECRET, timeoutMs: 5000, allowPrivate: true });
    await postWebhook(
      `${sandbox.url}/hooks/forged`,
      { ...payload, deliveryId: 'd-2' },
      { secret: 'another secret', timeoutMs: 5000, allowPrivate: true },
    );
    await postWebhook(`${sandbox.url}/hooks/unsigned`, { ...payload, deliveryId: 'd-3' }, { timeoutMs: 5000, allowPrivate: true });
    // A correct signature over an old timestamp (a replayed delivery).
    const old = Math.floor(Date.now() / 1000) - 3600;
    const raw = JSON.stringify(payload.body);
    await fetch(`${sandbox.url}/hooks/replayed`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-datasync-timestamp': String(old),
        'x-datasync-signature': `sha256=${createHmac('sha256', SECRET).update(`${old}.${raw}`).digest('hex')}`,
      },
      body: raw,
    });

    const { total, received: list } = await received();
    expect(total).toBe(4);
    const verdicts = Object.fromEntries(list.map((w) => [w.path, w.signature]));
    expect(verdicts).toEqual({
      '/good': 'verified',
      '/forged': 'wrong signature',
      '/unsigned': 'missing',
      '/replayed': 'timestamp too old',
    });
    expect(list.find((w) => w.path === '/good')).toMatchObject({ event: 'run.done', delivery: 'd-1', body: payload.body });
    expect((await get<{ total: number }>('/hooks?path=/good')).total).toBe(1);
  });
});
