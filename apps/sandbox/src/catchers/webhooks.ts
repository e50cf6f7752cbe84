import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { type Router } from 'express';
import { listPage } from './page';

/** Whether a delivery's `X-DataSync-Signature` checked out against the catcher's secret. */
export type SignatureCheck = 'verified' | 'wrong signature' | 'timestamp too old' | 'missing' | 'no secret to check with';

export interface CaughtWebhook {
  id: number;
  receivedAt: string;
  /** The path after `/hooks`, e.g. `/datasync`. */
  path: string;
  event: string | null;
  delivery: string | null;
  signature: SignatureCheck;
  /** The body as JSON when it parses, else the text. */
  body: unknown;
}

const KEEP = 500;
/** The same window a receiver should allow (README "Notifications"). */
const TOLERANCE_SECONDS = 300;

/**
 * A webhook catcher: `POST /hooks/<anything>` is kept and answered 200, and `GET /hooks` lists what
 * came with the verdict on its signature, recomputed here from the raw bytes (HMAC-SHA256 over
 * `<timestamp>.<body>` with the webhook secret `pnpm start` gives both the gateway and the sandbox).
 * Written apart from packages/notifications on purpose: it checks that code, it does not reuse it.
 */
export class WebhookCatcher {
  private received: CaughtWebhook[] = [];
  private nextId = 1;
  readonly router: Router;

  constructor(private readonly secret: string | undefined) {
    this.router = express.Router();
    this.router.get('/', (req, res) => {
      const path = typeof req.query.path === 'string' ? req.query.path : undefined;
      const list = path ? this.received.filter((w) => w.path === path) : this.received;
      if (req.accepts(['json', 'html']) === 'html') {
        res.type('html').send(
          listPage(
            'Webhooks caught by the sandbox',
            list.map((w) => ({
              title: `${w.event ?? 'POST'} on ${w.path}: signature ${w.signature}`,
              at: w.receivedAt,
              detail: JSON.stringify(w.body, null, 2),
            })),
          ),
        );
        return;
      }
      res.json({ total: list.length, received: list });
    });
    this.router.delete('/', (_req, res) => {
      this.clear();
      res.status(204).end();
    });
    this.router.post(/.*/, express.raw({ type: () => true, limit: '5mb' }), (req, res) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const text = raw.toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // kept as text
      }
      this.received.unshift({
        id: this.nextId++,
        receivedAt: new Date().toISOString(),
        path: req.path,
        event: req.get('x-datasync-event') ?? null,
        delivery: req.get('x-datasync-delivery') ?? null,
        signature: this.check(req.get('x-datasync-signature'), req.get('x-datasync-timestamp'), raw),
        body,
      });
      this.received.length = Math.min(this.received.length, KEEP);
      res.json({ status: 'received' });
    });
  }

  clear(): void {
    this.received = [];
  }

  private check(signature: string | undefined, timestamp: string | undefined, raw: Buffer): SignatureCheck {
    if (!signature) return 'missing';
    if (!this.secret) return 'no secret to check with';
    const expected = Buffer.from(
      `sha256=${createHmac('sha256', this.secret)
        .update(`${timestamp ?? ''}.`)
        .update(raw)
        .digest('hex')}`,
    );
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'wrong signature';
    const age = Math.abs(Date.now() / 1000 - Number(timestamp));
    return Number.isFinite(age) && age <= TOLERANCE_SECONDS ? 'verified' : 'timestamp too old';
  }
}
