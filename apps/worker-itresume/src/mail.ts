import type { Logger } from '@datasync/logger';
import { sendMail, type SmtpSettings } from '@datasync/notifications';
import type { RunReport } from './sync';

export interface SmtpOptions extends SmtpSettings {
  recipients: string[];
}

export function renderReport(r: RunReport): { subject: string; text: string } {
  const subject = `IT Resume load ${r.start === r.end ? r.start : `${r.start}..${r.end}`}: ${r.ok ? 'OK' : 'FAILED'}`;
  const lines = [
    `Run ${r.runId}: ${r.ok ? 'finished' : 'FAILED'}`,
    ...(r.error ? [`Error: ${r.error}`] : []),
    '',
    `Fetched ${r.counts.fetched ?? 0}, valid ${r.counts.valid ?? 0}, new ${r.counts.inserted ?? 0}, skipped (malformed) ${r.counts.skipped ?? 0}`,
    ...Object.entries(r.counts)
      .filter(([k]) => k.startsWith('skipped_'))
      .map(([k, v]) => `  ${k.slice('skipped_'.length)}: ${v}`),
    '',
    'date        attempts  successful  unique_users  run  submit  success_rate',
    ...r.days.map(
      (d) =>
        `${d.date}  ${String(d.attempts).padStart(8)}  ${String(d.successful).padStart(10)}  ${String(d.uniqueUsers).padStart(12)}  ${String(d.runAttempts).padStart(3)}  ${String(d.submitAttempts).padStart(6)}  ${d.successRate === null ? '-' : `${(d.successRate * 100).toFixed(1)}%`}`,
    ),
    '',
    ...Object.entries(r.steps).map(([k, v]) => `${k}: ${v}`),
  ];
  return { subject, text: lines.join('\n') };
}

export async function sendReport(options: SmtpOptions, report: RunReport, log: Logger): Promise<void> {
  await sendMail(options, { to: options.recipients, ...renderReport(report) }, log);
}
