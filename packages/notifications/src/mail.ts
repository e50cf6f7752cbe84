import nodemailer from 'nodemailer';
import type { Logger } from '@datasync/logger';

/** The SMTP settings of the config, as every mail of DataSync is sent with them. */
export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
  from: string;
}

/** SMTP_* of the config, or undefined when SMTP_HOST is not set (mail is then skipped). */
export function smtpFromConfig(config: {
  SMTP_HOST?: string;
  SMTP_PORT: number;
  SMTP_SECURE: boolean;
  SMTP_USER?: string;
  SMTP_PASSWORD?: string;
  SMTP_FROM: string;
}): SmtpSettings | undefined {
  if (!config.SMTP_HOST) return undefined;
  return {
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    secure: config.SMTP_SECURE,
    user: config.SMTP_USER,
    password: config.SMTP_PASSWORD,
    from: config.SMTP_FROM,
  };
}

/** Sends one plain-text mail; throws when the server refuses it (callers retry). */
export async function sendMail(smtp: SmtpSettings, mail: { to: string[]; subject: string; text: string }, log: Logger): Promise<void> {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
    // A plain local relay (and the test server) offers no certificate.
    tls: { rejectUnauthorized: smtp.secure },
  });
  try {
    const info = await transport.sendMail({ from: smtp.from, to: mail.to, subject: mail.subject, text: mail.text });
    log.info({ messageId: info.messageId, recipients: mail.to.length }, 'email sent');
  } finally {
    transport.close();
  }
}
