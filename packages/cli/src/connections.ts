import { readFileSync } from 'node:fs';
import type { GatewayClient } from './client';

/**
 * `pnpm datasync connections …`: the gateway's /api/connections. Credentials are read from
 * `--credentials-file <file>` (or `-` for stdin), so they stay out of shell history and the process
 * list; `--credentials '<json>'` is accepted for scripts that already hold them in a variable.
 */
export const CONNECTIONS_USAGE = `  connections list [--source <s>]
  connections show <id> [--source <s>]      (--source for the env connection, id 00000000-…)
  connections add <source> --name <n> (--credentials-file <file|-> | --credentials '<json>') [--settings '<json>']
  connections update <id> [--name <n>] [--settings '<json>'] [--credentials-file <file|-> | --credentials '<json>']
  connections remove <id>
  connections test <id>                     one authenticated call upstream; exit 1 if refused
  keys rotate                               re-wrap every data key under DATASYNC_KEYS' current key
                                            (Postgres directly: DATABASE_URL, DATASYNC_KEYS)`;

export class ConnectionsUsageError extends Error {}

type Options = Map<string, string | true>;

interface ConnectionView {
  id: string;
  source: string;
  name: string;
  kind: string;
  state: string;
  lastError: string | null;
  lastUsedAt: string | null;
  keyId: string | null;
}

function jsonOption(options: Options, name: string): Record<string, unknown> | undefined {
  const value = options.get(name);
  if (value === undefined) return undefined;
  if (value === true) throw new ConnectionsUsageError(`--${name} needs a JSON object`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    // Never echo it: it may be credentials.
    throw new ConnectionsUsageError(`--${name} is not valid JSON`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConnectionsUsageError(`--${name} must be a JSON object`);
  return parsed as Record<string, unknown>;
}

function credentialsOf(options: Options): Record<string, unknown> | undefined {
  const file = options.get('credentials-file');
  if (file === undefined) return jsonOption(options, 'credentials');
  if (file === true) throw new ConnectionsUsageError('--credentials-file needs a path, or - for stdin');
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new ConnectionsUsageError(
      `cannot read --credentials-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return jsonOption(new Map([['credentials', text]]), 'credentials');
}

const line = (c: ConnectionView) =>
  `${c.id}  ${c.source.padEnd(12)}  ${c.name.padEnd(20)}  ${c.kind.padEnd(6)}  ${c.state.padEnd(7)}  key ${c.keyId ?? '-'}  last used ${c.lastUsedAt ?? '-'}${
    c.lastError ? `  (${c.lastError})` : ''
  }`;

/** Runs one `connections` subcommand; answers the exit code. */
export async function connectionsCommand(client: GatewayClient, rest: string[], options: Options, json: boolean): Promise<number> {
  const [sub, arg] = rest;
  const source = options.get('source');
  const sourceQuery = typeof source === 'string' ? `?source=${encodeURIComponent(source)}` : '';
  const name = options.get('name');
  switch (sub) {
    case undefined:
    case 'list': {
      const { connections } = await client.call<{ connections: ConnectionView[] }>('GET', `/api/connections${sourceQuery}`);
      if (json) console.log(JSON.stringify(connections, null, 2));
      else if (connections.length === 0) console.error('no connections');
      else for (const c of connections) console.log(line(c));
      return 0;
    }
    case 'show': {
      if (!arg) throw new ConnectionsUsageError('connections show needs a connection id');
      console.log(JSON.stringify(await client.call('GET', `/api/connections/${encodeURIComponent(arg)}${sourceQuery}`), null, 2));
      return 0;
    }
    case 'add': {
      if (!arg)
        throw new ConnectionsUsageError(
          'connections add needs a source, e.g. connections add yclients --name salon-1 --credentials-file creds.json',
        );
      if (typeof name !== 'string') throw new ConnectionsUsageError('connections add needs --name <name>');
      const credentials = credentialsOf(options);
      if (!credentials) throw new ConnectionsUsageError('connections add needs --credentials-file <file|-> or --credentials <json>');
      const created = await client.call<ConnectionView>('POST', '/api/connections', {
        source: arg,
        name,
        credentials,
        settings: jsonOption(options, 'settings') ?? {},
      });
      console.log(json ? JSON.stringify(created, null, 2) : created.id);
      return 0;
    }
    case 'update': {
      if (!arg) throw new ConnectionsUsageError('connections update needs a connection id');
      const credentials = credentialsOf(options);
      const settings = jsonOption(options, 'settings');
      const body = {
        ...(typeof name === 'string' ? { name } : {}),
        ...(settings ? { settings } : {}),
        ...(credentials ? { credentials } : {}),
      };
      const updated = await client.call<ConnectionView>('PATCH', `/api/connections/${encodeURIComponent(arg)}`, body);
      console.log(json ? JSON.stringify(updated, null, 2) : line(updated));
      return 0;
    }
    case 'remove':
    case 'rm': {
      if (!arg) throw new ConnectionsUsageError('connections remove needs a connection id');
      console.log(JSON.stringify(await client.call('DELETE', `/api/connections/${encodeURIComponent(arg)}`)));
      return 0;
    }
    case 'test': {
      if (!arg) throw new ConnectionsUsageError('connections test needs a connection id');
      const result = await client.call<{ ok: boolean; detail?: string; error?: string }>(
        'POST',
        `/api/connections/${encodeURIComponent(arg)}/test`,
      );
      if (json) console.log(JSON.stringify(result, null, 2));
      else if (result.ok) console.log(`ok: ${result.detail ?? ''}`);
      else console.error(`refused: ${result.error ?? ''}`);
      return result.ok ? 0 : 1;
    }
    default:
      throw new ConnectionsUsageError(`unknown connections command ${sub}`);
  }
}
