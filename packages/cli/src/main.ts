/**
 * `pnpm datasync <command>`: drives DataSync through the gateway's HTTP API (GATEWAY_URL,
 * GATEWAY_API_KEY). Exit codes: 0 ok, 1 the run failed, 2 bad usage or the gateway refused.
 */
import { loadConfig, migrationDatabaseUrl } from '@datasync/config';
import { parseArgs, paramValue, target } from './args';
import { ApiError, GatewayClient, type Run } from './client';
import { connectionsCommand, ConnectionsUsageError, CONNECTIONS_USAGE } from './connections';
import { rotateCommand } from './keys';
import { watchRun } from './watch';

const USAGE = `usage: pnpm datasync <command>

  sync <source>[.<job>] [--<param> <value> ...] [--params '<json>'] [--wait]
       [--notify-webhook <url>] [--notify-email <address>] [--connection <connection id>]
       [--resync <stream>,<stream>] [--backfill] [--chunk-days <n>]
                     start a run of a job (a source with one job may be named alone);
                     --resync reads those streams again from the start, --backfill (or
                     --chunk-days) cuts a window of days into child runs, one after another
  retry <id> [--wait]
                     put a failed run back in the queue; it resumes from its checkpoint
  runs [--source <s>] [--state <queued|running|done|failed>] [--trigger <manual|schedule>] [--idle] [--limit <n>]
                     newest first; scheduled runs that found nothing only with --idle
  run <id> [--log]   one run as JSON (--log: its log lines)
  schedules list
  schedules add <source>[.<job>] (--every <minutes> | --cron '<expr>' [--tz <zone>]) [--name <n>]
                [--<param> <value> ...] [--params '<json>'] [--notify-webhook <url>] [--notify-email <a>]
                [--connection <connection id>]   each tick's run uses that connection (account)
  schedules rm <id>
  schedules resume <id>
${CONNECTIONS_USAGE}
  migrate            create the database if missing and apply migrations (DIRECT_DATABASE_URL, else DATABASE_URL)

Sources, jobs and their parameters: the gateway's /docs (POST /api/runs).

Exit codes: 0 ok, 1 the run failed, 2 bad usage or the gateway refused.`;

const FLAGS = new Set(['wait', 'log', 'json', 'help', 'idle', 'backfill']);
/** Options of the command line itself; every other --option is a parameter of the job. */
const OWN = new Set([
  'wait',
  'log',
  'json',
  'help',
  'params',
  'notify-webhook',
  'notify-email',
  'connection',
  'every',
  'cron',
  'tz',
  'name',
  'resync',
  'backfill',
  'chunk-days',
]);

class UsageError extends Error {}

function jobParams(options: Map<string, string | true>): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  const json = options.get('params');
  if (typeof json === 'string') {
    try {
      Object.assign(params, JSON.parse(json) as object);
    } catch {
      throw new UsageError('--params must be a JSON object');
    }
  }
  for (const [k, v] of options) if (!OWN.has(k)) params[k] = paramValue(v);
  return params;
}

function notifyOf(options: Map<string, string | true>) {
  const webhookUrl = options.get('notify-webhook');
  const email = options.get('notify-email');
  if (webhookUrl === undefined && email === undefined) return undefined;
  return { ...(typeof webhookUrl === 'string' ? { webhookUrl } : {}), ...(typeof email === 'string' ? { email } : {}) };
}

/** `--resync a,b` and `--backfill` / `--chunk-days n` as the request's `resync` and `backfill`. */
function runOptionsOf(options: Map<string, string | true>) {
  const resync = options.get('resync');
  if (resync === true) throw new UsageError('--resync needs stream names, e.g. --resync clients,records');
  const chunkDays = options.get('chunk-days');
  if (chunkDays === true) throw new UsageError('--chunk-days needs a number of days');
  return {
    ...(typeof resync === 'string'
      ? {
          resync: resync
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        }
      : {}),
    ...(typeof chunkDays === 'string' ? { backfill: { chunkDays: Number(chunkDays) } } : options.has('backfill') ? { backfill: true } : {}),
  };
}

/** Follows a run to its end (--wait): exit 1 when it failed. */
async function waitAndReport(client: GatewayClient, runId: string, json: boolean): Promise<number> {
  const run = await watchRun(client, runId);
  if (json) console.log(JSON.stringify(run, null, 2));
  if (run.state === 'failed') {
    console.error(`run ${run.id} failed: ${run.error ?? 'unknown error'}`);
    return 1;
  }
  console.error(`run ${run.id} done in ${((run.durationMs ?? 0) / 1000).toFixed(1)} s: ${JSON.stringify(run.counts)}`);
  return 0;
}

const line = (run: Run) =>
  `${run.id}  ${run.state.padEnd(7)}  ${run.jobName.padEnd(16)}  ${(run.trigger ?? 'manual').padEnd(8)}  ${run.createdAt}  ${
    run.durationMs === null ? '' : `${(run.durationMs / 1000).toFixed(1)}s`
  }  ${run.error ?? JSON.stringify(run.counts)}`;

/** What `runs` says when nothing matches, naming the filters (on stderr: stdout stays a list). */
function noRunsText(q: URLSearchParams): string {
  const filters = [...q].filter(([k]) => k !== 'idle' && k !== 'limit').map(([k, v]) => `${k} ${v}`);
  const hidden = q.has('idle') ? '' : ' (scheduled runs that found nothing are hidden; --idle lists them)';
  return `no runs${filters.length ? ` with ${filters.join(', ')}` : ''}${hidden}`;
}

async function main(argv: string[]): Promise<number> {
  const config = loadConfig();
  const client = new GatewayClient(config.GATEWAY_URL ?? `http://127.0.0.1:${config.GATEWAY_PORT}`, config.GATEWAY_API_KEY);
  const { positional, options } = parseArgs(argv, FLAGS);
  const [command, ...rest] = positional;
  if (!command || options.has('help')) {
    console.log(USAGE);
    return options.has('help') ? 0 : 2;
  }
  const json = options.has('json');

  switch (command) {
    case 'sync': {
      if (!rest[0]) throw new UsageError('sync needs a source or a job, e.g. sync <source>.<job> --<param> <value>');
      const submitted = await client.call<{ parser_uuid: string }>('POST', '/api/runs', {
        ...target(rest[0]),
        params: jobParams(options),
        ...(notifyOf(options) ? { notify: notifyOf(options) } : {}),
        ...runOptionsOf(options),
        // The connection (account) to sync; the env connection when left out.
        ...(typeof options.get('connection') === 'string' ? { connectionId: options.get('connection') } : {}),
      });
      const runId = submitted.parser_uuid;
      console.log(runId);
      if (!options.has('wait')) return 0;
      return waitAndReport(client, runId, json);
    }
    case 'retry': {
      if (!rest[0]) throw new UsageError('retry needs a run id');
      const retried = await client.call<{ parser_uuid: string }>('POST', `/api/runs/${rest[0]}/retry`);
      console.log(retried.parser_uuid);
      if (!options.has('wait')) return 0;
      return waitAndReport(client, retried.parser_uuid, json);
    }
    case 'runs': {
      const q = new URLSearchParams();
      for (const k of ['source', 'state', 'trigger', 'limit']) {
        const v = options.get(k);
        if (typeof v === 'string') q.set(k, v);
      }
      if (options.has('idle')) q.set('idle', 'true');
      const { runs } = await client.call<{ runs: Run[] }>('GET', `/api/runs${q.size ? `?${q}` : ''}`);
      if (json) console.log(JSON.stringify(runs, null, 2));
      else if (runs.length === 0) console.error(noRunsText(q));
      else for (const r of runs) console.log(line(r));
      return 0;
    }
    case 'run': {
      if (!rest[0]) throw new UsageError('run needs a run id');
      if (options.has('log')) {
        const { lines } = await client.call<{ lines: Record<string, unknown>[] }>('GET', `/api/runs/${rest[0]}/log`);
        for (const l of lines) console.log(typeof l === 'string' ? l : JSON.stringify(l));
        return 0;
      }
      const run = await client.call<Run>('GET', `/api/runs/${rest[0]}`);
      console.log(JSON.stringify(run, null, 2));
      return run.state === 'failed' ? 1 : 0;
    }
    case 'schedules': {
      const [sub, arg] = rest;
      if (sub === 'list' || sub === undefined) {
        const { schedules } = await client.call<{ schedules: Record<string, unknown>[] }>('GET', '/api/schedules');
        if (json) console.log(JSON.stringify(schedules, null, 2));
        for (const s of json ? [] : schedules) {
          const when = s.cron ? `cron '${String(s.cron)}' ${String(s.timezone)}` : `every ${String(s.everyMinutes)} min`;
          console.log(
            `${String(s.id)}  ${String(s.state).padEnd(6)}  ${String(s.job).padEnd(16)}  ${when}  next ${String(s.nextRunAt ?? '-')}${s.pausedReason ? `  (${String(s.pausedReason)})` : ''}`,
          );
        }
        return 0;
      }
      if (sub === 'add') {
        if (!arg)
          throw new UsageError('schedules add needs a source or a job, e.g. schedules add <source>.<job> --<param> <value> --every 60');
        const every = options.get('every');
        const cron = options.get('cron');
        const tz = options.get('tz');
        const name = options.get('name');
        const body = {
          ...target(arg),
          params: jobParams(options),
          ...(typeof every === 'string' ? { everyMinutes: Number(every) } : {}),
          ...(typeof cron === 'string' ? { cron } : {}),
          ...(typeof tz === 'string' ? { timezone: tz } : {}),
          ...(typeof name === 'string' ? { name } : {}),
          ...(notifyOf(options) ? { notify: notifyOf(options) } : {}),
          ...(typeof options.get('connection') === 'string' ? { connectionId: options.get('connection') } : {}),
        };
        const s = await client.call<{ id: string; nextRunAt: string | null }>('POST', '/api/schedules', body);
        console.log(json ? JSON.stringify(s, null, 2) : `${s.id}  next run ${s.nextRunAt ?? '-'}`);
        return 0;
      }
      if ((sub === 'rm' || sub === 'resume') && arg) {
        const s =
          sub === 'rm' ? await client.call('DELETE', `/api/schedules/${arg}`) : await client.call('POST', `/api/schedules/${arg}/resume`);
        console.log(JSON.stringify(s));
        return 0;
      }
      throw new UsageError('schedules list | add <source> ... | rm <id> | resume <id>');
    }
    case 'connections':
      return connectionsCommand(client, rest, options, json);
    case 'keys': {
      if (rest[0] !== 'rotate') throw new UsageError('keys rotate is the keys command');
      return rotateCommand(config);
    }
    case 'migrate': {
      const { migrate } = await import('@datasync/db/migrate');
      await migrate(migrationDatabaseUrl(config));
      return 0;
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError || err instanceof ConnectionsUsageError) console.error(`${err.message}\n\n${USAGE}`);
  else if (err instanceof ApiError) console.error(`error: ${err.message}`);
  else console.error(`error: ${(err as Error).message}`);
  process.exitCode = 2;
}
