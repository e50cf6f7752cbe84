/**
 * `pnpm start`'s terminal: the apps write JSON lines (what containers and log files keep); here a
 * person reads them as short human lines, and learns when every app is up (the banner comes after
 * their start-up lines). LOG_PRETTY=false keeps the JSON as it is.
 */
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { prettyFactory } from 'pino-pretty';

/** The line an app writes once it serves: the sandbox and the gateway listen, a worker consumes its queue. */
const READY = /(^| )(listening|consuming)$/;

/** Fields every line carries that the terminal does not need (the app is shown by its name). */
const IGNORED = 'pid,hostname,app,queue,source,attempt,jobId';

export interface Terminal {
  /** Prints one app's output (stdout or stderr) from now on. */
  attach(app: string, stream: Readable, to: NodeJS.WritableStream): void;
  /** Resolves once every app named has written its ready line, or after `timeoutMs` with those that have not. */
  ready(apps: string[], timeoutMs: number): Promise<string[]>;
}

export function createTerminal(options: { pretty: boolean; colors: boolean }): Terminal {
  const pretty = options.pretty
    ? prettyFactory({ colorize: options.colors, translateTime: 'SYS:HH:MM:ss', ignore: IGNORED, singleLine: true, errorLikeObjectKeys: [] })
    : undefined;
  const up = new Set<string>();
  const waiters = new Set<() => void>();

  const print = (app: string, line: string, to: NodeJS.WritableStream) => {
    let parsed: { msg?: unknown } | undefined;
    if (line.startsWith('{')) {
      try {
        parsed = JSON.parse(line) as { msg?: unknown };
      } catch {
        parsed = undefined;
      }
    }
    if (parsed && typeof parsed.msg === 'string' && READY.test(parsed.msg) && !up.has(app)) {
      up.add(app);
      for (const wake of waiters) wake();
    }
    // Anything that is not a log line (a crash's stack, a tool's output) is shown as written.
    to.write(`${parsed && pretty ? pretty(parsed).trimEnd() : line}\n`);
  };

  return {
    attach(app, stream, to) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => print(app, line, to));
    },
    ready(apps, timeoutMs) {
      return new Promise((resolve) => {
        const missing = () => apps.filter((a) => !up.has(a));
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(missing());
        };
        const check = () => {
          if (missing().length === 0) done();
        };
        const timer = setTimeout(done, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}
