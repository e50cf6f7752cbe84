import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

/** Keys whose values never reach a log line, at any of the first four levels of an object. */
const SECRET_KEYS = [
  'authorization',
  'Authorization',
  'password',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'partnerToken',
  'userToken',
  'apiKey',
  'api_key',
  'x-api-key',
  'client_secret',
  'clientSecret',
  'client_key',
  'secret',
  'cookie',
  'set-cookie',
];

export const redactPaths: string[] = SECRET_KEYS.flatMap((k) => {
  const key = /^[A-Za-z_$][\w$]*$/.test(k) ? k : `["${k}"]`;
  const dot = key.startsWith('[') ? '' : '.';
  return [key, `*${dot}${key}`, `*.*${dot}${key}`, `*.*.*${dot}${key}`];
});

export interface LoggerConfig {
  name: string;
  level?: string;
  pretty?: boolean;
  /** Extra stream (tests capture lines with it). */
  destination?: DestinationStream;
}

export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    name: config.name,
    level: config.level ?? 'info',
    redact: { paths: redactPaths, censor: '[redacted]' },
    base: { app: config.name, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (config.destination) return pino(options, config.destination);
  if (config.pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return pino(options);
}

export interface JobLogContext {
  queue: string;
  jobId: string;
  source: string;
  attempt: number;
}

/** The per-job child logger: every line of a run carries queue, jobId, source and attempt. */
export function jobLogger(base: Logger, ctx: JobLogContext): Logger {
  return base.child(ctx);
}

/**
 * Closes an app once on SIGINT or SIGTERM (finishing work in hand), logging why, then exits.
 * Every app's start-up file ends with this.
 */
export function closeOnSignals(log: Logger, close: () => Promise<void>): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    try {
      await close();
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'error while stopping');
      process.exit(1);
    }
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
