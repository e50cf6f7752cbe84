import { randomBytes } from 'node:crypto';
import { createLogger } from '@datasync/logger';
import { startSandbox, type RunningSandbox } from '@datasync/sandbox';
import {
  dropKeysUnder,
  gatewayClient,
  sandboxControl,
  sourceWorker,
  startStack,
  testEnv,
  waitFor,
  type GatewayTestClient,
  type Stack,
} from '@datasync/testkit';
import { createBenchDatabase } from './stack';

/**
 * The propagation figure of issue #22: an order created on one marketplace's fake → the other
 * marketplaces' fakes told the new stock, with the fakes pushing order events to the gateway
 * ("push on") and with polls only ("poll only"), in the same run against the same stack.
 *
 * The clock is the sandbox's own: the start is taken just before the fake creates the order (the
 * fake stamps it with the same clock), the end is the latest time a target fake took the new value
 * (`updated_at_ms` / `updatedAtMs` of its `/_control/stocks`), never anything DataSync reports.
 * Targets: WB and YM for an Ozon order, WB for a YM order. Ozon is not a target: it takes one update
 * per (product, warehouse) every 30 s, which DataSync deliberately waits out, so an Ozon figure would
 * measure that rule, not the pipeline.
 */

type Mp = 'ozon' | 'wb' | 'ym';
export interface PropagationConnections {
  ozon: string;
  wb: string;
  ym: string;
}
export interface PropagationSample {
  mode: 'push' | 'poll';
  origin: 'ozon' | 'ym';
  sku: string;
  ms: number;
}
export interface PropagationResult {
  pollEveryMs: number;
  samples: PropagationSample[];
  push: { median: number; max: number; n: number };
  poll: { median: number; max: number; n: number };
}

interface StockRow {
  code: string;
  warehouseId?: number;
  warehouse_id?: number;
  stock?: number;
  amount?: number;
  count?: number;
  updated_at_ms?: number | null;
  updatedAtMs?: number | null;
}
const PREFIX: Record<Mp, string> = { ozon: '/ozon', wb: '/wb', ym: '/ym' };
/** WB's 700001 is "being processed" in the sandbox: never pushed to. */
const pushedTo = (mp: Mp, r: StockRow) => !(mp === 'wb' && r.warehouseId === 700_001);
const valueOf = (r: StockRow) => r.stock ?? r.amount ?? r.count ?? -1;
const receivedAt = (r: StockRow) => r.updated_at_ms ?? r.updatedAtMs ?? 0;

/** What each target fake holds for `code`: its values and the latest time it took one. */
async function told(sandboxUrl: string, mp: Mp, code: string) {
  const control = sandboxControl(sandboxUrl);
  const rows = (await control.get<{ stocks: StockRow[] }>(`${PREFIX[mp]}/_control/stocks`)).stocks.filter(
    (r) => r.code === code && pushedTo(mp, r),
  );
  return { values: rows.map(valueOf), at: Math.max(0, ...rows.map(receivedAt)) };
}

/** Waits until every target holds `value` for `code` (all its warehouses), answering the latest receipt time. */
async function reached(sandboxUrl: string, targets: Mp[], code: string, value: number, timeoutMs: number): Promise<number> {
  return waitFor(
    async () => {
      let latest = 0;
      for (const mp of targets) {
        const t = await told(sandboxUrl, mp, code);
        if (t.values.length === 0 || t.values.some((v) => v !== value)) return undefined;
        latest = Math.max(latest, t.at);
      }
      return latest;
    },
    { timeoutMs, intervalMs: 20, what: `${code} = ${value} on ${targets.join(', ')}` },
  );
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * Measures `trials` orders per mode, alternating Ozon and YM as the origin, each on its own SKU
 * (counted first at 40 units, the origins polled once so the seeded open orders reserve before any
 * trial; a trial expects the ledger's available stock less the one unit ordered). Poll only: the fakes push nothing and
 * a poll of each origin cabinet is submitted every `pollEveryMs` (the schedule's tick). Push on: the
 * fakes push to the gateway's receivers (`receivers`), no poll is submitted.
 */
export async function measurePropagation(options: {
  sandboxUrl: string;
  client: GatewayTestClient;
  connections: PropagationConnections;
  receivers: { ozon: string; ym: string };
  trials: number;
  pollEveryMs: number;
  /** Which modes to measure (default both). */
  modes?: ('poll' | 'push')[];
  print?: (line: string) => void;
}): Promise<PropagationResult> {
  const modes = options.modes ?? ['poll', 'push'];
  const { sandboxUrl, client, connections, receivers } = options;
  const print = options.print ?? ((line: string) => console.log(line));
  const control = sandboxControl(sandboxUrl);
  const catalog = await control.get<{ items: { code: string; cargoType: number }[] }>('/ozon/_control/catalog');
  const codes = catalog.items.filter((i) => i.cargoType !== 3).map((i) => i.code);
  if (codes.length < 2 * options.trials) throw new Error(`the catalogue has ${codes.length} plain goods, ${2 * options.trials} needed`);
  // Every SKU counted once, up front: the adjustments' pushes (and Ozon's 30 s per pair) are over before any trial.
  for (const code of codes.slice(0, 2 * options.trials)) {
    const res = await client.call('POST', `/api/marketplaces/products/${encodeURIComponent(code)}/adjustments`, {
      onHand: 40,
      reason: 'propagation figure',
    });
    if (res.status !== 200) throw new Error(`adjusting ${code}: ${res.status} ${res.text}`);
  }
  // A first full poll of each origin: its open seeded orders reserve now, not during a trial.
  for (const mp of ['ozon', 'ym'] as const) {
    const run = await client.finished(
      await client.submit({ method: 'POST', path: '/api/marketplaces/poll', body: { marketplace: mp, connectionId: connections[mp] } }),
      120_000,
    );
    if (run.state !== 'done') throw new Error(`first poll of ${mp}: ${JSON.stringify(run.error)}`);
  }
  const available = async (code: string) =>
    (await client.call<{ available: number }>('GET', `/api/marketplaces/products/${encodeURIComponent(code)}`)).body.available;
  for (const code of codes.slice(0, 2 * options.trials)) await reached(sandboxUrl, ['wb', 'ym'], code, await available(code), 60_000);

  const samples: PropagationSample[] = [];
  const trial = async (mode: 'push' | 'poll', origin: 'ozon' | 'ym', code: string) => {
    const targets: Mp[] = origin === 'ozon' ? ['wb', 'ym'] : ['wb'];
    const expected = (await available(code)) - 1;
    const started = Date.now();
    if (origin === 'ozon') await control.post('/ozon/_control/postings', { items: [{ offer_id: code, quantity: 1 }] });
    else await control.post('/ym/_control/orders', { items: [{ offerId: code, count: 1 }] });
    const at = await reached(sandboxUrl, targets, code, expected, 30_000 + 3 * options.pollEveryMs);
    samples.push({ mode, origin, sku: code, ms: at - started });
    print(`  ${mode} ${origin} order of ${code}: ${targets.join('+')} told after ${at - started} ms`);
  };

  // Poll only: no pushes; the origins are polled on a fixed tick, as the schedule would.
  for (const mp of ['ozon', 'ym'] as const) await control.delete(`${PREFIX[mp]}/_control/push`);
  let ticking = modes.includes('poll');
  const ticker = (async () => {
    while (ticking) {
      for (const mp of ['ozon', 'ym'] as const) {
        const res = await client.call('POST', '/api/marketplaces/poll', { marketplace: mp, connectionId: connections[mp] });
        if (res.status !== 200) print(`  poll of ${mp} refused: ${res.status} ${res.text}`);
      }
      await new Promise((r) => setTimeout(r, options.pollEveryMs));
    }
  })();
  try {
    if (modes.includes('poll'))
      for (let i = 0; i < options.trials; i++) {
        // A trial ends just after a poll; without a pause every order would wait a whole tick. Pauses spread
        // over the tick (golden-ratio steps) give orders arriving at any point of it, as real ones do.
        await new Promise((r) => setTimeout(r, ((i * 0.618) % 1) * options.pollEveryMs));
        await trial('poll', i % 2 ? 'ym' : 'ozon', codes[i]!);
      }
  } finally {
    ticking = false;
    await ticker;
  }
  // Push on: the fakes push their order events to the gateway's receivers; nothing is polled.
  if (modes.includes('push')) {
    for (const mp of ['ozon', 'ym'] as const) await control.post(`${PREFIX[mp]}/_control/push`, { url: receivers[mp] });
    for (let i = 0; i < options.trials; i++) await trial('push', i % 2 ? 'ym' : 'ozon', codes[options.trials + i]!);
  }

  const of = (mode: 'push' | 'poll') => {
    const ms = samples.filter((s) => s.mode === mode).map((s) => s.ms);
    return { median: median(ms), max: ms.length ? Math.max(...ms) : NaN, n: ms.length };
  };
  return { pollEveryMs: options.pollEveryMs, samples, push: of('push'), poll: of('poll') };
}

/** The figure as the bench prints its tables. */
export function formatPropagation(r: PropagationResult): string[] {
  const s = (ms: number) => (Number.isNaN(ms) ? '–' : `${(ms / 1000).toFixed(2)} s`);
  return [
    'Propagation: order created on a marketplace → the other marketplaces told the new stock (sandbox clock)',
    '| mode | median | max | orders | target |',
    '| --- | --- | --- | --- | --- |',
    `| push on | ${s(r.push.median)} | ${s(r.push.max)} | ${r.push.n} | < 2 s${r.push.n ? `: ${r.push.median < 2000 ? 'met' : 'MISSED'}` : ''} |`,
    `| poll only (a poll every ${s(r.pollEveryMs)}) | ${s(r.poll.median)} | ${s(r.poll.max)} | ${r.poll.n} | |`,
  ];
}

/**
 * A gateway and a marketplaces worker in this process with one stored connection per marketplace
 * (the sandbox's account `a`), catalogues read, and a push secret for Ozon and YM: the receivers'
 * URLs the fakes are pointed at.
 */
export async function startPropagationStack(
  databaseUrl: string,
  sandbox: RunningSandbox,
  extra: Record<string, string> = {},
  /** false: no push secrets (poll only). */
  push = true,
) {
  const apiKey = `propagation-${randomBytes(6).toString('hex')}`;
  const env = testEnv(databaseUrl, sandbox.url, {
    GATEWAY_API_KEY: apiKey,
    DATASYNC_KEYS: JSON.stringify({ current: 'k1', keys: { k1: randomBytes(32).toString('base64') } }),
    MARKETPLACES_POLL_INTERVAL_MS: '0',
    MARKETPLACES_CATALOG_INTERVAL_MS: '0',
    MARKETPLACES_PUSH_INTERVAL_MS: '0',
    ...extra,
  });
  const stack: Stack = await startStack(env, { workers: [sourceWorker('marketplaces')] });
  const client = gatewayClient(stack.gateway.url, apiKey);
  const control = sandboxControl(sandbox.url);
  const connections = {} as PropagationConnections;
  const receivers = {} as { ozon: string; ym: string };
  for (const mp of ['ozon', 'wb', 'ym'] as const) {
    const listing = await control.get<{
      accounts: { name: string; credentials: Record<string, string>; settings: Record<string, unknown> }[];
    }>(`${PREFIX[mp]}/_control/credentials`);
    const a = listing.accounts.find((x) => x.name === 'a')!;
    const made = await client.call<{ id: string }>('POST', '/api/connections', {
      source: 'marketplaces',
      name: `propagation-${mp}`,
      credentials: a.credentials,
      settings: a.settings,
    });
    if (made.status !== 201) throw new Error(`connection ${mp}: ${made.status} ${made.text}`);
    connections[mp] = made.body.id;
    const catalog = await client.finished(
      await client.submit({ method: 'POST', path: '/api/marketplaces/catalog', body: { connectionId: made.body.id } }),
    );
    if (catalog.state !== 'done') throw new Error(`catalogue of ${mp}: ${JSON.stringify(catalog.error)}`);
    if (mp === 'wb' || !push) continue;
    const secret = await client.call<{ receiverPath: string }>('POST', `/api/marketplaces/connections/${made.body.id}/push-secret`);
    if (secret.status !== 200) throw new Error(`push secret of ${mp}: ${secret.status} ${secret.text}`);
    receivers[mp] = `${stack.gateway.url}${secret.body.receiverPath}`;
  }
  return { stack, client, connections, receivers, redisPrefix: env.REDIS_PREFIX!, redisUrl: env.REDIS_URL! };
}

/** `pnpm --filter @datasync/bench propagation`: its own database, sandbox and stack, the figure printed. */
export async function runPropagation(options: {
  trials: number;
  pollEveryMs: number;
  modes?: ('poll' | 'push')[];
  print?: (line: string) => void;
}) {
  const print = options.print ?? ((line: string) => console.log(line));
  const db = await createBenchDatabase();
  const sandbox = await startSandbox({ port: 0, seed: 42, log: createLogger({ name: 'sandbox', level: 'silent' }) });
  let started: Awaited<ReturnType<typeof startPropagationStack>> | undefined;
  try {
    // Poll only means every poll reads in full: no reconciliation interval.
    started = await startPropagationStack(
      db.url,
      sandbox,
      { MARKETPLACES_RECONCILE_INTERVAL_MS: '0' },
      (options.modes ?? ['push']).includes('push'),
    );
    const result = await measurePropagation({ sandboxUrl: sandbox.url, ...started, ...options, print });
    for (const line of formatPropagation(result)) print(line);
    return result;
  } finally {
    await started?.stack.close();
    if (started) await dropKeysUnder(started.redisPrefix, started.redisUrl);
    await sandbox.close();
    await db.drop();
  }
}
