import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventEmitter } from 'node:events';
import path from 'node:path';
import { LOG_KEEP_DAYS, pruneLogFiles } from './retention';
import { pino, type Logger, type LoggerOptions, type DestinationStream, type TransportTargetOptions } from 'pino';

export type { Logger } from 'pino';
export { WarningTally } from './tally';

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
  'clientKey',
  // A connection's credentials object as a whole, and the master key ring.
  'credentials',
  'DATASYNC_KEYS',
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
  /**
   * Also write the log to a file a day in this directory (pino-roll), keeping the last
   * LOG_KEEP_DAYS days: older files are removed now (pruneLogFiles), at each run (pruneLogs) and
   * at midnight (pino-roll). Names: `<name>.YYYY-MM-DD.<n>.log` (pino-roll always adds the number).
   */
  logDir?: string;
  /** The lowest level a run's own log keeps (GET /api/runs/:id/log), whatever `level` is. Default info. */
  runLogLevel?: string;
}

export { LOG_KEEP_DAYS, pruneLogFiles } from './retention';

/**
 * The pino-roll options of an app's daily log file: `<logDir>/<name>.YYYY-MM-DD.1.log`, a new
 * file at local midnight, and at each roll every older file of that app beyond the last
 * LOG_KEEP_DAYS removed (also those left by earlier processes: `removeOtherLogFiles`).
 */
export function rollOptions(logDir: string, name: string) {
  return {
    file: path.join(logDir, name),
    frequency: 'daily' as const,
    dateFormat: 'yyyy-MM-dd',
    extension: '.log',
    mkdir: true,
    // pino-roll's count is the number of files kept *besides* the one being written.
    limit: { count: LOG_KEEP_DAYS - 1, removeOtherLogFiles: true },
  };
}

/** Receives every finished (redacted) log line written while one run is in hand. */
export type RunLogSink = (line: string) => void;

const runContext = new AsyncLocalStorage<string>();
const runSinks = new Map<string, RunLogSink>();

/**
 * Runs `work` as part of run `runId`: every line any logger of this process writes meanwhile (the
 * job's own, and the HTTP client's retries deep in a connector) carries `runId` and, after pino's
 * redaction, is handed to `sink` too. This is how a run's log is kept without secrets.
 */
export async function withRunLog<T>(runId: string, sink: RunLogSink, work: () => Promise<T>): Promise<T> {
  runSinks.set(runId, sink);
  try {
    return await runContext.run(runId, work);
  } finally {
    runSinks.delete(runId);
  }
}

const RUN_ID = /"runId":"([0-9a-f-]{36})"/;

function tapRunLine(line: string): void {
  if (runSinks.size === 0) return;
  const runId = RUN_ID.exec(line)?.[1];
  if (runId) runSinks.get(runId)?.(line);
}

/** The stream a logger writes its own lines to (closed by closeLogger). */
const OUTPUT = Symbol('datasync.output');
/** Where a logger writes its daily files (pruneLogs); child loggers inherit it through their prototype. */
const LOG_FILES = Symbol('datasync.logFiles');

export function createLogger(config: LoggerConfig): Logger {
  const level = config.level ?? 'info';
  const runLevel = config.runLogLevel ?? 'info';
  // The logger serialises what either stream wants; each stream keeps only its own levels, so a
  // run's log has its info lines even when the process logs only warnings (or nothing).
  const rank = (l: string) => pino.levels.values[l] ?? Infinity;
  const lowest = rank(runLevel) < rank(level) ? runLevel : level;
  const options: LoggerOptions = {
    name: config.name,
    level: lowest,
    redact: { paths: redactPaths, censor: '[redacted]' },
    base: { app: config.name, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => {
      const runId = runContext.getStore();
      return runId ? { runId } : {};
    },
  };
  let output: DestinationStream;
  if (config.destination) output = config.destination;
  else if (config.logDir) {
    const targets: TransportTargetOptions<Record<string, unknown>>[] = [
      config.pretty
        ? { target: 'pino-pretty', level, options: { colorize: true } }
        : { target: 'pino/file', level, options: { destination: 1 } },
      { target: 'pino-roll', level, options: rollOptions(config.logDir, config.name) },
    ];
    output = pino.transport({ targets });
  } else if (config.pretty) output = pino.transport({ target: 'pino-pretty', options: { colorize: true } });
  else output = pino.destination(1);
  const streams: { level: string; stream: DestinationStream }[] = [{ level: runLevel, stream: { write: tapRunLine } }];
  if (level !== 'silent') streams.push({ level, stream: output });
  const log = pino(options, pino.multistream(streams));
  (log as unknown as Record<symbol, unknown>)[OUTPUT] = output;
  if (config.logDir && !config.destination) {
    (log as unknown as Record<symbol, unknown>)[LOG_FILES] = { logDir: config.logDir, name: config.name };
    pruneOnce(config.logDir, config.name, log);
  }
  return log;
}

function pruneOnce(logDir: string, name: string, log: Logger | undefined): void {
  try {
    const removed = pruneLogFiles(logDir, name);
    if (removed.length > 0) log?.info({ removed, keepDays: LOG_KEEP_DAYS }, 'old log files removed');
  } catch (err) {
    // A log directory we cannot list or clean must not stop the app or its run.
    log?.warn({ err, logDir }, 'could not prune old log files');
  }
}

/**
 * Removes the app's log files older than the last LOG_KEEP_DAYS days, when `log` (or the logger it
 * is a child of) writes daily files; nothing otherwise. The workers call it at each run.
 */
export function pruneLogs(log: Logger): void {
  const files = (log as unknown as Record<symbol, { logDir: string; name: string } | undefined>)[LOG_FILES];
  if (files) pruneOnce(files.logDir, files.name, log);
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

/**
 * Opens an app's daily log file in this thread (what the pino-roll transport does in its worker
 * thread), e.g. to check the rotation under a fake clock.
 */
export async function openDailyLog(logDir: string, name: string): Promise<RollStream> {
  // pino-roll ships no types: imported by a non-literal specifier and typed by RollStream below.
  const specifier: string = 'pino-roll';
  const mod = (await import(specifier)) as { default: (options: ReturnType<typeof rollOptions>) => Promise<RollStream> };
  return mod.default(rollOptions(logDir, name));
}

/** The part of pino-roll's stream (a SonicBoom) DataSync uses. */
export interface RollStream extends EventEmitter {
  /** The file being written (null until opened: wait for 'ready'). */
  file: string | null;
  write(data: string): boolean;
  end(): void;
}

/** Flushes and closes a logger's transport (its log files), e.g. before removing the log directory. */
export async function closeLogger(log: Logger): Promise<void> {
  const stream = (log as unknown as Record<symbol, unknown>)[OUTPUT] as
    { end?: () => void; once?: (event: string, cb: () => void) => void; closed?: boolean } | undefined;
  if (!stream?.end || !stream.once || stream === process.stdout) return;
  const closed = new Promise<void>((resolve) => stream.once!('close', resolve));
  stream.end();
  await closed;
}
