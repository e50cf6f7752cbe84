import type { AddressInfo } from 'node:net';
import express, { type Router } from 'express';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Logger } from '@datasync/logger';
import { listPage } from './page';

export interface CaughtMail {
  id: number;
  receivedAt: string;
  /** The SMTP envelope: who sent it and every recipient it was delivered to. */
  from: string;
  to: string[];
  subject: string;
  text: string;
}

/** Kept in memory, newest first; older ones are forgotten past this many. */
const KEEP = 500;

/**
 * A local mail catcher: an SMTP server (no TLS, no authentication required) that keeps every
 * message it receives instead of delivering it, and `GET /mail` listing them. `pnpm start` points
 * SMTP_HOST/SMTP_PORT at it, so email notifications and reports work out of the box.
 */
export class MailCatcher {
  private messages: CaughtMail[] = [];
  private nextId = 1;
  private server?: SMTPServer;
  readonly router: Router;

  constructor(private readonly log: Logger) {
    this.router = express.Router();
    this.router.get('/', (req, res) => {
      if (req.accepts(['json', 'html']) === 'html') {
        res.type('html').send(
          listPage(
            'Mail caught by the sandbox',
            this.messages.map((m) => ({
              title: `${m.subject} → ${m.to.join(', ')}`,
              at: m.receivedAt,
              detail: `From: ${m.from}\n\n${m.text}`,
            })),
          ),
        );
        return;
      }
      res.json({ total: this.messages.length, messages: this.messages });
    });
    this.router.delete('/', (_req, res) => {
      this.clear();
      res.status(204).end();
    });
  }

  clear(): void {
    this.messages = [];
  }

  /** Starts the SMTP server on `port` (0: any free port) and answers the port it got. */
  async listen(port: number, host: string): Promise<number> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      size: 10 * 1024 * 1024,
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
            this.messages.unshift({
              id: this.nextId++,
              receivedAt: new Date().toISOString(),
              from,
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: mail.subject ?? '',
              text: mail.text ?? '',
            });
            this.messages.length = Math.min(this.messages.length, KEEP);
            callback();
          })
          .catch((err: Error) => {
            this.log.warn({ err }, 'mail catcher could not parse a message');
            callback(err);
          });
      },
    });
    server.on('error', (err) => this.log.warn({ err }, 'mail catcher error'));
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    return (server.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}
