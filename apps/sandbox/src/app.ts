import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Logger } from '@datasync/logger';
import { FaultInjector, faultRuleSchema } from './faults';
import { RequestLog } from './requests';
import type { Fake } from './fake';
import { fakeFactories } from './fakes';
import { AccountRegistry, sandboxAccounts } from './accounts';
import { MailCatcher } from './catchers/mail';
import { WebhookCatcher } from './catchers/webhooks';

export interface SandboxOptions {
  seed: number;
  log: Logger;
  /** Fault rules active from the start (SANDBOX_FAULTS). */
  faults?: unknown[];
  /** The secret webhook signatures are checked with (WEBHOOK_SECRET); unset: not checked. */
  webhookSecret?: string;
  /** Goods added to the seeded catalogue of every marketplace fake (tests of a large seller). */
  catalogExtra?: number;
}

export interface Sandbox {
  app: Express;
  faults: FaultInjector;
  requests: RequestLog;
  fakes: Fake[];
  /** Keeps the mail DataSync sends (its SMTP server is started by `startSandbox`). */
  mail: MailCatcher;
  /** Keeps the webhooks DataSync posts to `/hooks/…`. */
  webhooks: WebhookCatcher;
}

/**
 * The sandbox: every external API DataSync talks to, faked on one port under its own prefix, with
 * seeded data, fault injection and a request log. Control endpoints live under `/_control` (and
 * each fake's own `/<prefix>/_control`).
 */
export function createSandbox(options: SandboxOptions): Sandbox {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'extended');
  const registry = new AccountRegistry();
  const accounts = sandboxAccounts(options.seed);
  const faults = new FaultInjector(options.seed, registry);
  const requests = new RequestLog(registry);
  for (const rule of options.faults ?? []) faults.add(faultRuleSchema.parse(rule));

  const fakes = fakeFactories.map((make) =>
    make({ seed: options.seed, catalogExtra: options.catalogExtra, faults, log: options.log, accounts, registry }),
  );
  const mail = new MailCatcher(options.log);
  const webhooks = new WebhookCatcher(options.webhookSecret);

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', fakes: fakes.map((f) => ({ name: f.name, prefix: f.prefix })) });
  });

  const control = express.Router();
  control.use(express.json());
  control.get('/faults', (_req, res) => {
    res.json({ rules: faults.list(), injected: faults.injected() });
  });
  control.post('/faults', (req, res) => {
    const body = z.union([faultRuleSchema, z.array(faultRuleSchema)]).safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: 'invalid fault rule', issues: body.error.issues });
      return;
    }
    const ids = (Array.isArray(body.data) ? body.data : [body.data]).map((r) => faults.add(r));
    res.status(201).json({ ids });
  });
  control.delete('/faults', (_req, res) => {
    faults.clear();
    res.status(204).end();
  });
  control.get('/requests', (req, res) => {
    const prefix = typeof req.query.prefix === 'string' ? req.query.prefix : '/';
    const list = requests.list(prefix);
    res.json({ total: list.length, requests: list });
  });
  control.delete('/requests', (_req, res) => {
    requests.clear();
    res.status(204).end();
  });
  control.post('/reset', (_req, res) => {
    faults.clear();
    requests.clear();
    for (const fake of fakes) fake.reset();
    mail.clear();
    webhooks.clear();
    res.status(204).end();
  });
  app.use('/_control', control);

  // DataSync's own outputs land here (not upstreams: no faults, not in the request log).
  app.use('/mail', mail.router);
  app.use('/hooks', webhooks.router);

  app.use(requests.middleware());
  app.use(faults.middleware());
  for (const fake of fakes) app.use(fake.prefix, fake.router);

  app.use((req, res) => {
    res.status(404).json({ error: `sandbox: no fake serves ${req.method} ${req.path}` });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    options.log.error({ err }, 'sandbox handler failed');
    if (!res.headersSent) res.status(500).json({ error: 'sandbox internal error' });
  });
  return { app, faults, requests, fakes, mail, webhooks };
}
