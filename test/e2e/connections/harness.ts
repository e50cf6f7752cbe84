import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { RunningSandbox } from '@datasync/sandbox';
import { keysUnder, spawnGateway, type AppProcess } from '../../helpers';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A DATASYNC_KEYS value: `current` and fresh (or given) 32-byte keys. */
export function keyRing(current: string, keys: Record<string, string>): string {
  return JSON.stringify({ current, keys });
}
export const newKey = () => randomBytes(32).toString('base64');

/** A real gateway process logging at debug (its lines are searched for secrets), and every answer it gave. */
export interface Gateway extends AppProcess {
  url: string;
  /** Every answer's text, for the leak search. */
  answers: string[];
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; text: string }>;
}

export async function startGateway(env: Record<string, string>): Promise<Gateway> {
  const proc = await spawnGateway(env, { logLevel: 'debug' });
  const answers: string[] = [];
  return {
    ...proc,
    answers,
    async call<T>(method: string, p: string, body?: unknown) {
      const res = await fetch(`${proc.url}${p}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      answers.push(text);
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, text };
    },
  };
}

/** The whole `connections` table as comparable rows (bytes as hex), by id. */
export async function connectionsTable(pool: pg.Pool): Promise<Record<string, unknown>[]> {
  const { rows } = await pool.query(
    `SELECT id, source, name, settings, key_id, encode(wrapped_key, 'hex') AS wrapped_key, encode(wrapped_key_iv, 'hex') AS wrapped_key_iv,
            encode(wrapped_key_tag, 'hex') AS wrapped_key_tag, encode(credentials_iv, 'hex') AS credentials_iv,
            encode(credentials_tag, 'hex') AS credentials_tag, encode(credentials_ciphertext, 'hex') AS credentials_ciphertext,
            state, last_error, last_error_at, created_at, updated_at, last_used_at
     FROM connections ORDER BY id`,
  );
  return rows as Record<string, unknown>[];
}

/** The sandbox's seeded credentials of each fake, in the sources' credential fields. */
export async function sandboxCredentials(sandbox: RunningSandbox) {
  const get = async (p: string) => (await (await fetch(`${sandbox.url}${p}`)).json()) as Record<string, string>;
  const y = await get('/yclients/_control/credentials');
  const d = await get('/datawiz/_control/credentials');
  const o = await get('/ozon/_control/credentials');
  return {
    yclients: { partnerToken: y.partnerToken!, login: y.login!, password: y.password! },
    datawiz: { clientId: d.client_id!, clientSecret: d.client_secret!, username: d.username!, password: d.password! },
    ozon: { clientId: o['Client-Id']!, apiKey: o['Api-Key']! },
  };
}

/** `pg_dump` of the database as text (the binary at /usr/bin or under /usr/lib/postgresql). */
export function pgDump(url: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      'pg_dump',
      ['--no-owner', url],
      { maxBuffer: 200 * 1024 * 1024, env: { ...process.env, PATH: `${process.env.PATH}:/usr/lib/postgresql/15/bin` } },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    ),
  );
}

/** Every key under the prefix with its value (strings, hashes, lists, sets, zsets, streams) as text. */
export async function redisDump(prefix: string): Promise<string> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    const out: string[] = [];
    for (const key of await keysUnder(prefix)) {
      const type = await redis.type(key);
      const value =
        type === 'string'
          ? await redis.get(key)
          : type === 'hash'
            ? await redis.hgetall(key)
            : type === 'list'
              ? await redis.lrange(key, 0, -1)
              : type === 'set'
                ? await redis.smembers(key)
                : type === 'zset'
                  ? await redis.zrange(key, 0, -1)
                  : type === 'stream'
                    ? await redis.xrange(key, '-', '+')
                    : null;
      out.push(`${key} ${JSON.stringify(value)}`);
    }
    return out.join('\n');
  } finally {
    redis.disconnect();
  }
}

/** `pnpm datasync <args>` as an operator runs it, with `env` (DATABASE_URL, DATASYNC_KEYS, GATEWAY_URL…). */
export function datasync(env: Record<string, string>, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(root, 'packages/cli/bin/datasync.js'), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

/** The secrets (each at least 6 characters) found in `text`, for a message that names which leaked. */
export function leaked(text: string, secrets: readonly string[]): string[] {
  return secrets.filter((s) => s.length >= 6 && text.includes(s));
}
