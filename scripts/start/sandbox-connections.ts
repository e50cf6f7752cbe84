import {
  createConnection,
  credentialsSchemaFor,
  deleteConnection,
  listConnections,
  type ConnectionDeclaration,
  type KeyRing,
} from '@datasync/connections';
import type { Db } from '@datasync/db';

/** One account as `GET /<source>/_control/credentials` lists it (apps/sandbox/README.md "Accounts"). */
interface SandboxAccount {
  name: string;
  credentials: Record<string, string>;
  settings: Record<string, unknown>;
}

interface SourceLike {
  name: string;
  connection: ConnectionDeclaration;
  sandbox: { credentials?: readonly { upstream: string; path: string }[] };
}

export interface SandboxConnection {
  source: string;
  name: string;
  id: string;
  outcome: 'created' | 'kept' | 'recreated';
}

/** `sandbox-a`; a marketplace cabinet's `sandbox-ozon-a` (one source, three marketplaces). */
const connectionName = (account: SandboxAccount) =>
  typeof account.settings.marketplace === 'string' ? `sandbox-${account.settings.marketplace}-${account.name}` : `sandbox-${account.name}`;

/** Where the sandbox lists a source's accounts: its declared credential paths, else `/<source>/_control/credentials`. */
const listingPaths = (source: SourceLike, usesSandbox: readonly string[]) =>
  source.sandbox.credentials
    ? source.sandbox.credentials.filter((c) => usesSandbox.includes(c.upstream)).map((c) => c.path)
    : [`/${source.name}/_control/credentials`];

/**
 * `pnpm start` against the sandbox: one connection per sandbox account per source, named
 * `sandbox-<account>` (`sandbox-<marketplace>-<account>`), so several accounts can be synced out of
 * the box. Idempotent across restarts: a connection of that name is kept as it is, unless its
 * credentials were sealed under a key the ring no longer has (a deleted dev key file): then it is
 * made again. Values the source's declaration refuses are reported and skipped, never stored.
 */
export async function ensureSandboxConnections(options: {
  pool: Db['pool'];
  ring: KeyRing;
  sandboxUrl: string;
  sources: readonly SourceLike[];
  /** The sandbox-backed upstream variables: sources on real upstreams get no sandbox connections. */
  usesSandbox: readonly string[];
  warn: (line: string) => void;
}): Promise<SandboxConnection[]> {
  const made: SandboxConnection[] = [];
  for (const source of options.sources) {
    const accounts: SandboxAccount[] = [];
    for (const path of listingPaths(source, options.usesSandbox)) {
      const res = await fetch(`${options.sandboxUrl}${path}`).catch(() => undefined);
      if (!res?.ok) continue;
      accounts.push(...(((await res.json()) as { accounts?: SandboxAccount[] }).accounts ?? []));
    }
    if (accounts.length === 0) continue;
    const existing = new Map((await listConnections(options.pool, { source: source.name })).map((c) => [c.name, c]));
    for (const account of accounts) {
      const name = connectionName(account);
      const settings = source.connection.settings.safeParse(account.settings);
      const credentials = settings.success
        ? credentialsSchemaFor(source.connection, settings.data).safeParse(account.credentials)
        : undefined;
      if (!settings.success || !credentials?.success) {
        const issues = (settings.success ? credentials!.error! : settings.error).issues.map((i) => `${i.path.join('.')}: ${i.message}`);
        options.warn(`${source.name} ${name}: the sandbox's account does not fit the source's connection (${issues.join('; ')}); skipped`);
        continue;
      }
      const found = existing.get(name);
      if (found && options.ring.keys.has(found.keyId)) {
        made.push({ source: source.name, name, id: found.id, outcome: 'kept' });
        continue;
      }
      if (found) {
        try {
          await deleteConnection(options.pool, found.id, 'cli');
        } catch (err) {
          options.warn(`${source.name} ${name}: sealed under a key the ring lacks and could not be replaced (${(err as Error).message})`);
          continue;
        }
      }
      const connection = await createConnection(options.pool, options.ring, {
        source: source.name,
        name,
        settings: settings.data,
        credentials: Object.fromEntries(Object.entries(credentials.data).filter((e): e is [string, string] => e[1] !== undefined)),
        actor: 'cli',
      });
      made.push({ source: source.name, name, id: connection.id, outcome: found ? 'recreated' : 'created' });
    }
  }
  return made;
}
