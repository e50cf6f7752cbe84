import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { multiAccountRouter, ownerOf, type AccountFake, type SandboxAccount } from '../accounts';
import type { Fake, FakeContext } from '../fake';
import { seededFaker } from '../random';
import { dailyFacts } from './facts';
import {
  DAY_COUNT,
  FIRST_DAY,
  MALFORMED_SHARE,
  REQUESTED_DEFECTS,
  generateDay,
  generateItResumeData,
  type Attempt,
  type Course,
} from './data';
import { daysInMonth, formatCreatedAt, outcomeServiceUrl, parseWindowParam, sourcedId, toWire } from './wire';

/** Account `a`'s partner (the sandbox's historical one). Keys are compared case-sensitively, as the real ones are. */
export const ITRESUME_CLIENT = { client: 'Sandboxschool', clientKey: 'SBX7Q2' } as const;
/** Every sandbox account's partner, by account name. */
export const ITRESUME_ACCOUNT_CLIENTS: Record<string, { client: string; clientKey: string }> = {
  a: ITRESUME_CLIENT,
  b: { client: 'Othercodeschool', clientKey: 'OCS4K9' },
};

/** Every `COLLIDING_EVERY`-th well-formed submit of account `a` is also account `b`'s, with the opposite outcome. */
const COLLIDING_EVERY = 10;
export const STATISTICS_PATH = '/api/statistics';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * IT Resume's B2B statistics endpoint (shared/reference/itresume.md §5): every grader attempt of
 * the partner's students in a window, one unpaged JSON array. Assumed where the reference is
 * unconfirmed (see apps/sandbox/README.md): 403/400 bodies, inclusive `end`, ascending order.
 */
export function createItResumeFake(ctx: FakeContext): Fake {
  ctx.faults.registerPreset('itresume.internal-error', {
    status: 500,
    body: '<h1>Server Error (500)</h1>',
    contentType: 'text/html',
  });
  ctx.faults.registerPreset('itresume.bad-gateway', {
    status: 502,
    body: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>',
    contentType: 'text/html',
  });
  const accounts = ctx.accounts.map((account) => createItResumeAccount(account));
  ctx.registry.register('/itresume', ownerOf(accounts));
  const router = multiAccountRouter(accounts, () => ({
    client: ITRESUME_CLIENT.client,
    client_key: ITRESUME_CLIENT.clientKey,
    path: STATISTICS_PATH,
  }));
  return { name: 'itresume', prefix: '/itresume', router, reset: () => accounts.forEach((a) => a.reset()) };
}

/**
 * An account's seeded attempts: its own students (seeded by the account), and for accounts other
 * than `a` also a share of `a`'s attempts under the same natural key (user, created_at, type,
 * sourcedid) but the opposite outcome: the API gives attempts no id, so only the connection tells
 * two partners' identical keys apart.
 */
function accountData(account: SandboxAccount) {
  const data = generateItResumeData(seededFaker(account.seed));
  if (account.seed === account.idSeed) return data;
  const colliding = generateItResumeData(seededFaker(account.idSeed))
    .attempts.filter((a) => a.defect === null && a.type === 'submit')
    .filter((_, i) => i % COLLIDING_EVERY === 0)
    .map((a): Attempt => ({ ...a, correct: !a.correct, booleanCorrect: false }));
  return { ...data, attempts: [...data.attempts, ...colliding].sort((x, y) => x.atMicros - y.atMicros) };
}

/** One partner's statistics endpoint and control routes. */
function createItResumeAccount(account: SandboxAccount): AccountFake {
  const credentials = ITRESUME_ACCOUNT_CLIENTS[account.name]!;
  let attempts: Attempt[] = [];
  let users: { id: string; course: Course }[] = [];
  let extra = seededFaker(account.seed + 1);

  const reset = () => {
    const data = accountData(account);
    attempts = data.attempts;
    users = data.users;
    extra = seededFaker(account.seed + 1);
  };
  reset();

  /** start <= created_at <= end, both in microseconds. */
  const window = (start: number, end: number) => attempts.filter((a) => a.atMicros >= start && a.atMicros <= end);

  type Parsed = { start: number; end: number } | { error: string };
  const parseWindow = (req: Request): Parsed => {
    const startText = str(req.query.start);
    const endText = str(req.query.end);
    if (!startText || !endText) return { error: 'start and end are required' };
    const start = parseWindowParam(startText);
    const end = parseWindowParam(endText);
    if (start === undefined) return { error: `start: unsupported date format: ${startText}` };
    if (end === undefined) return { error: `end: unsupported date format: ${endText}` };
    return { start, end };
  };

  const router = express.Router();

  router.get(STATISTICS_PATH, (req: Request, res: Response) => {
    const client = str(req.query.client);
    const clientKey = str(req.query.client_key);
    if (!client || !clientKey || !str(req.query.start) || !str(req.query.end)) {
      res.status(400).json({ detail: 'client, client_key, start and end are required' });
      return;
    }
    if (client !== credentials.client || clientKey !== credentials.clientKey) {
      res.status(403).json({ detail: 'invalid client' });
      return;
    }
    const w = parseWindow(req);
    if ('error' in w) {
      res.status(400).json({ detail: w.error });
      return;
    }
    res.json(res.locals.sandboxEmptyPage ? [] : window(w.start, w.end).map(toWire));
  });

  // Control: what a test needs to know without going through the endpoint's checks.
  router.get('/_control/days', (_req: Request, res: Response) => {
    const facts = dailyFacts(attempts);
    res.json({
      firstDay: FIRST_DAY,
      seededDays: DAY_COUNT,
      malformedShare: MALFORMED_SHARE,
      days: facts.map((d) => ({ date: d.date, served: d.served })),
    });
  });

  router.get('/_control/attempts', (req: Request, res: Response) => {
    const w = parseWindow(req);
    if ('error' in w) {
      res.status(400).json({ detail: w.error });
      return;
    }
    const found = window(w.start, w.end);
    res.json({
      total: found.length,
      items: found.map(toWire),
      malformed: found.flatMap((a, index) => (a.defect ? [{ index, kind: a.defect }] : [])),
      // The same attempts in the fake's own terms (what a loader should store), not its wire form.
      attempts: found.map((a) => ({
        lti_user_id: a.userId,
        course_key: a.courseKey.slice('course-v1:'.length),
        lms_host: a.lmsHost,
        task_id: a.taskId,
        oauth_consumer_key: a.oauthConsumerKey,
        lis_result_sourcedid: sourcedId(a),
        lis_outcome_service_url: outcomeServiceUrl(a),
        is_correct: a.correct,
        attempt_type: a.type,
        created_at: formatCreatedAt(a.atMicros),
        defect: a.defect,
      })),
    });
  });

  router.get('/_control/facts', (req: Request, res: Response) => {
    const from = str(req.query.from) ?? str(req.query.date);
    const to = str(req.query.to) ?? str(req.query.date);
    const days = dailyFacts(attempts).filter((d) => (!from || d.date >= from) && (!to || d.date <= to));
    res.json({ days });
  });

  const lateSchema = z.object({
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    count: z.number().int().min(1).max(10_000),
    defect: z.enum(REQUESTED_DEFECTS).optional(),
  });
  // Late data: attempts added to a day after a first load (reset() removes them); well-formed, or
  // all carrying `defect` (impossible_date: in a month shorter than 31 days, served as its 31st/29th/30th).
  router.post('/_control/attempts', express.json(), (req: Request, res: Response) => {
    const body = lateSchema.safeParse(req.body);
    if (!body.success || parseWindowParam(body.data.date) === undefined) {
      res.status(400).json({ detail: 'expected {date: "YYYY-MM-DD", count: 1..10000, defect?: "impossible_date"}' });
      return;
    }
    const [year, month] = body.data.date.split('-').map(Number) as [number, number];
    if (body.data.defect === 'impossible_date' && daysInMonth(year, month) === 31) {
      res.status(400).json({ detail: 'impossible_date needs a date in a month shorter than 31 days' });
      return;
    }
    const added = generateDay(extra, body.data.date, users, body.data.count, false);
    if (body.data.defect) for (const a of added) a.defect = body.data.defect;
    attempts = [...attempts, ...added].sort((a, b) => a.atMicros - b.atMicros);
    res.status(201).json({ added: added.length, items: added.map(toWire) });
  });

  return {
    account,
    router,
    reset,
    owns: (req) => req.query.client === credentials.client && req.query.client_key === credentials.clientKey,
    listing: () => ({ name: account.name, credentials: { client: credentials.client, clientKey: credentials.clientKey }, settings: {} }),
  };
}
