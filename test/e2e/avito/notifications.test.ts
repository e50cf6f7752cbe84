import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { verifyWebhook } from '@datasync/notifications';
import type { RunningSandbox } from '@datasync/sandbox';
import {
  createTestDatabase,
  sandboxControl,
  startStack,
  startTestSandbox,
  testEnv,
  waitFor,
  type Stack,
  type TestDatabase,
  sourceWorker,
} from '../../helpers';
import type { OrError, Run, RunList, RunWebhook, Submitted } from '@datasync/testkit';

const SECRET = 'whsec-test-6b1f0c2e9a';

interface Delivery {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: RunWebhook;
}

let db: TestDatabase;
let sandbox: RunningSandbox;
let control: ReturnType<typeof sandboxControl>;
let stack: Stack;
let receiver: Server;
let hooks: string;
const deliveries: Delivery[] = [];
/** Per path: how many more requests answer 503 before the receiver accepts. */
const failFirst = new Map<string, number>();
let smtp: SMTPServer;
const mails: { to: string[]; body: string }[] = [];
let sellers: string[];

/** Our API; the body typed as the caller says (a submission or a refusal by default). */
const api = async <T = OrError<Submitted>>(method: string, path: string, body?: unknown) => {
  const res = await fetch(`${stack.gateway.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
};
const deliveredTo = (path: string, n = 1) =>
  waitFor(
    () => {
      const got = deliveries.filter((d) => d.path === path);
      return got.length >= n ? got : undefined;
    },
    { timeoutMs: 30_000, what: `a webhook on ${path}` },
  );

beforeAll(async () => {
  db = await createTestDatabase();
  sandbox = await startTestSandbox();
  control = sandboxControl(sandbox.url);
  receiver = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const left = failFirst.get(req.url!) ?? 0;
      if (left > 0) {
        failFirst.set(req.url!, left - 1);
        deliveries.push({ path: `${req.url}#refused`, headers: req.headers, raw, body: JSON.parse(raw) as RunWebhook });
        res.writeHead(503).end();
        return;
      }
      deliveries.push({ path: req.url!, headers: req.headers, raw, body: JSON.parse(raw) as RunWebhook });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  hooks = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let body = '';
      stream.on('data', (c: Buffer) => (body += c.toString()));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), body });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  stack = await startStack(
    testEnv(db.url, sandbox.url, {
      WEBHOOK_SECRET: SECRET,
      // The receiver is on loopback, which webhooks are refused without this.
      NOTIFY_ALLOW_PRIVATE: 'true',
      NOTIFY_BACKOFF_MS: '100',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String((smtp.server.address() as AddressInfo).port),
      HTTP_RETRIES: '1',
    }),
    { workers: [sourceWorker('avito')] },
  );
  const all = (await control.get<{ sellers: { hash: string; active: number }[] }>('/avito/_control/sellers')).sellers;
  sellers = all.filter((s) => s.active > 0).map((s) => s.hash);
});
afterAll(async () => {
  await stack?.close();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
  await sandbox?.close();
  await db?.drop();
});

/** What a receiver computes on its own: HMAC-SHA256 of "<timestamp>.<raw body>" with the shared secret. */
const expectedSignature = (d: Delivery) =>
  `sha256=${createHmac('sha256', SECRET)
    .update(`${String(d.headers['x-datasync-timestamp'])}.${d.raw}`)
    .digest('hex')}`;

describe('run notifications', () => {
  it('calls the webhook with a verifiable signed summary when a run is done', async () => {
    const { body } = await api('GET', `/api/avito/user?user=${sellers[0]}&notifyWebhookUrl=${encodeURIComponent(`${hooks}/done`)}`);
    const runId = body.parser_uuid;
    const [d] = await deliveredTo('/done');
    const run = (await api<Run>('GET', `/api/runs/${runId}`)).body;

    expect(d!.headers['x-datasync-event']).toBe('run.done');
    expect(d!.headers['x-datasync-signature']).toBe(expectedSignature(d!));
    expect(
      verifyWebhook(
        SECRET,
        { signature: String(d!.headers['x-datasync-signature']), timestamp: String(d!.headers['x-datasync-timestamp']) },
        d!.raw,
      ),
    ).toBe(true);
    // A body changed on the way, or another secret, does not verify.
    expect(
      verifyWebhook(
        SECRET,
        { signature: String(d!.headers['x-datasync-signature']), timestamp: String(d!.headers['x-datasync-timestamp']) },
        d!.raw.replace('done', 'failed'),
      ),
    ).toBe(false);
    expect(
      verifyWebhook(
        'other',
        { signature: String(d!.headers['x-datasync-signature']), timestamp: String(d!.headers['x-datasync-timestamp']) },
        d!.raw,
      ),
    ).toBe(false);

    expect(d!.body).toEqual({
      event: 'run.done',
      run: expect.objectContaining({ id: runId, source: 'avito', state: 'done', error: null }),
    });
    expect(d!.body.run.counts).toEqual(run.counts);
    expect(d!.body.run.counts.listings).toBeGreaterThan(0);
    expect(d!.body.run.durationMs).toBe(run.durationMs);
    // The target (possibly a secret URL) is not shown with the run.
    expect(JSON.stringify(run)).not.toContain(hooks);
  });

  it('calls the webhook and sends the email when a run fails, with the error', async () => {
    await control.addFault({ path: '/avito/api/1/user', kind: 'status', status: 404 });
    const submitted = await api('POST', '/api/runs', {
      source: 'avito',
      job: 'avito.user',
      params: { user: sellers[1] },
      notify: { webhookUrl: `${hooks}/failed`, email: 'ops@example.test' },
    });
    expect(submitted.status).toBe(200);
    const runId = submitted.body.parser_uuid;
    const [d] = await deliveredTo('/failed');
    await control.clearFaults();
    expect(d!.headers['x-datasync-event']).toBe('run.failed');
    expect(d!.headers['x-datasync-signature']).toBe(expectedSignature(d!));
    expect(d!.body.run).toMatchObject({ id: runId, state: 'failed', source: 'avito' });
    expect(d!.body.run.error).toMatch(/404/);
    expect(d!.body.run.error).toBe((await api<Run>('GET', `/api/runs/${runId}`)).body.error);

    const mail = await waitFor(() => mails.find((m) => m.to.includes('ops@example.test')), { what: 'the failure email' });
    expect(mail.body).toMatch(/Subject: DataSync avito\.user: FAILED/);
    expect(mail.body).toContain(runId);
  });

  it('retries a webhook the receiver refuses, with backoff, until it is accepted', async () => {
    failFirst.set('/flaky', 2);
    const { body } = await api('POST', '/api/runs', {
      source: 'avito',
      job: 'avito.user',
      params: { user: sellers[2] },
      notify: { webhookUrl: `${hooks}/flaky` },
    });
    const [ok] = await deliveredTo('/flaky');
    const refused = deliveries.filter((d) => d.path === '/flaky#refused');
    expect(refused).toHaveLength(2);
    expect(ok!.body.run.id).toBe(body.parser_uuid);
    // The same delivery each time, freshly signed.
    expect(new Set([...refused, ok!].map((d) => d.headers['x-datasync-delivery'])).size).toBe(1);
    expect(ok!.headers['x-datasync-signature']).toBe(expectedSignature(ok!));
  });

  it('refuses a bad notify target with a field error and queues nothing', async () => {
    const before = (await api<RunList>('GET', '/api/runs')).body.runs.length;
    const res = await api('POST', '/api/runs', {
      source: 'avito',
      job: 'avito.user',
      params: { user: sellers[0] },
      notify: { webhookUrl: 'not a url' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'notify.webhookUrl', message: 'must be an http(s) URL' }]);
    const avito = await api('GET', `/api/avito/user?user=${sellers[0]}&notifyEmail=nobody`);
    expect(avito.status).toBe(400);
    expect(avito.body.errors?.map((e) => e.field)).toEqual(['notifyEmail']);
    expect((await api<RunList>('GET', '/api/runs')).body.runs.length).toBe(before);
  });
});
