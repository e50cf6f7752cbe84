import { randomBytes } from 'node:crypto';

/**
 * Against the sandbox, notifications go to its catchers so they work out of the box: email to its
 * SMTP server (listed at /mail), and webhooks signed with a secret the sandbox shares, so its
 * catcher (/hooks) can say whether each signature verified. What is set already is kept.
 */
export function useSandboxOutputs(env: Record<string, string | undefined>, smtpPort: number): string[] {
  const filled: string[] = [];
  if (!env.SMTP_HOST) {
    env.SMTP_HOST = '127.0.0.1';
    env.SMTP_PORT = String(smtpPort);
    env.SMTP_SECURE = 'false';
    filled.push('SMTP_HOST');
  }
  if (!env.WEBHOOK_SECRET) {
    // A fresh one per start; the gateway signs with it and the sandbox checks with it. Never printed.
    env.WEBHOOK_SECRET = randomBytes(24).toString('hex');
    filled.push('WEBHOOK_SECRET');
  }
  // The webhook catcher is on loopback, which webhook targets are refused by default (a gateway
  // must not be made to call its own network); the sandbox stack is the exception.
  env.NOTIFY_ALLOW_PRIVATE ??= 'true';
  return filled;
}
