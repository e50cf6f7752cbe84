import type { Request, Response, Router } from 'express';
import { pushConfigSchema, type PushSender } from './push-sender';

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])$/;

/** True for an http(s) URL whose host is this machine. */
export function isLoopbackUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK.test(url.hostname);
  } catch {
    return false;
  }
}

/**
 * `POST /_control/push` (configure: 201 with the check message's outcome; 400 naming a bad field or
 * a non-loopback URL; 502 when the receiver failed the check), `GET` (the read-back), `DELETE` (off).
 */
export function mountPushControl(router: Router, sender: PushSender): void {
  router.post('/_control/push', async (req: Request, res: Response) => {
    const parsed = pushConfigSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.join('.') || 'body';
      return void res
        .status(400)
        .json({ error: `invalid push configuration: ${field}: ${issue.message}`, field, issues: parsed.error.issues });
    }
    if (!isLoopbackUrl(parsed.data.url)) {
      return void res
        .status(400)
        .json({ error: 'url: the sandbox pushes to loopback only (http(s)://127.0.0.1, [::1] or localhost)', field: 'url' });
    }
    const outcome = await sender.configure(parsed.data);
    if (!outcome.ok)
      return void res.status(502).json({ error: 'the receiver did not answer the check message with 200 in time', ping: outcome.ping });
    res.status(201).json(sender.report());
  });
  router.get('/_control/push', (_req: Request, res: Response) => {
    res.json(sender.report());
  });
  router.delete('/_control/push', (_req: Request, res: Response) => {
    sender.disable();
    res.json(sender.report());
  });
}
