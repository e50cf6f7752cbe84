import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import type { RunningSandbox } from '@datasync/sandbox';
import { createLogger } from '@datasync/logger';
import { gatewayClient, sandboxControl, sourceWorker, startStack, testEnv, waitFor, type Stack } from '@datasync/testkit';
import { marketplaceEnv } from '../../helpers/marketplaces';

/**
 * A gateway and a marketplaces worker in this process whose log lines the test reads, with one
 * stored Ozon and one stored YM connection (the fakes' test credentials), their catalogues read,
 * and a push secret made for each.
 */
export async function startPushStack(databaseUrl: string, sandbox: RunningSandbox) {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim()) {
          raw.push(line);
          lines.push(JSON.parse(line) as Record<string, unknown>);
        }
      done();
    },
  });
  const apiKey = 'push-receiver-key';
  const k1 = randomBytes(32).toString('base64');
  const env = testEnv(databaseUrl, sandbox.url, {
    ...(await marketplaceEnv(sandbox.url)),
    GATEWAY_API_KEY: apiKey,
    DATASYNC_KEYS: JSON.stringify({ current: 'k1', keys: { k1 } }),
    // The scheduled stock push would race the one a targeted poll requests; the test's own are enough.
    MARKETPLACES_PUSH_INTERVAL_MS: '0',
  });
  const log = createLogger({ name: 'test', level: 'info', destination });
  const stack: Stack = await startStack(env, { workers: [sourceWorker('marketplaces')], log });
  const client = gatewayClient(stack.gateway.url, apiKey);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const control = sandboxControl(sandbox.url);
  const ozonCreds = await control.get<Record<string, string>>('/ozon/_control/credentials');
  const ymCreds = await control.get<Record<string, string>>('/ym/_control/credentials');

  const connect = async (name: string, settings: Record<string, unknown>, credentials: Record<string, string>) => {
    const made = await client.call<{ id: string }>('POST', '/api/connections', { source: 'marketplaces', name, settings, credentials });
    if (made.status !== 201) throw new Error(`connection ${name}: ${made.status} ${JSON.stringify(made.body)}`);
    const id = made.body.id;
    const catalog = await client.finished(
      await client.submit({ method: 'POST', path: '/api/marketplaces/catalog', body: { connectionId: id } }),
    );
    if (catalog.state !== 'done') throw new Error(`catalogue of ${name}: ${JSON.stringify(catalog.error)}`);
    const secret = await client.call<{ pushSecret: string; receiverPath: string }>(
      'POST',
      `/api/marketplaces/connections/${id}/push-secret`,
    );
    if (secret.status !== 200) throw new Error(`push secret of ${name}: ${secret.status}`);
    return { id, secret: secret.body.pushSecret, path: secret.body.receiverPath };
  };
  const ozon = await connect(
    'ozon-push',
    { marketplace: 'ozon', baseUrl: `${sandbox.url}/ozon` },
    { clientId: ozonCreds['Client-Id']!, apiKey: ozonCreds['Api-Key']! },
  );
  const ym = await connect(
    'ym-push',
    { marketplace: 'ym', baseUrl: `${sandbox.url}/ym`, campaignIds: [21421, 21422] },
    { apiKey: ymCreds['Api-Key']! },
  );

  /** POSTs a push as a marketplace would: no API key, a raw body. */
  const push = async (path: string, body: unknown) => {
    const res = await fetch(`${stack.gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
  };

  /** The stored push events of a connection, as a set of comparable strings. */
  const events = async (connectionId: string) =>
    (
      await pool.query<{ e: string }>(
        `SELECT message_type || ' ' || order_id || ' ' || coalesce(state, '') AS e FROM marketplace_push_events WHERE connection_id = $1`,
        [connectionId],
      )
    ).rows
      .map((r) => r.e)
      .sort();
  const allEvents = async () => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM marketplace_push_events')).rows[0]!.n);

  /** Waits until every event of the connection was read by a targeted poll. */
  const polled = (connectionId: string) =>
    waitFor(
      async () =>
        (await pool.query('SELECT 1 FROM marketplace_push_events WHERE connection_id = $1 AND polled_at IS NULL', [connectionId])).rows
          .length === 0 || undefined,
      { timeoutMs: 30_000, what: 'targeted polls' },
    );

  /** The ledger's orders of a connection: `orderId stage` strings. */
  const ledgerOrders = async (connectionId: string, marketplace: string) =>
    (
      await pool.query<{ o: string }>(
        `SELECT order_id || ' ' || stage AS o FROM marketplace_orders WHERE connection_id = $1 AND marketplace = $2`,
        [connectionId, marketplace],
      )
    ).rows
      .map((r) => r.o)
      .sort();

  return {
    stack,
    /** The master key the stack seals with (id `k1`). */
    k1,
    client,
    pool,
    control,
    ozon,
    ym,
    ozonSellerId: Number(ozonCreds['Client-Id']),
    lines,
    raw,
    push,
    events,
    allEvents,
    polled,
    ledgerOrders,
    async close() {
      await stack.close();
      await pool.end();
    },
  };
}
