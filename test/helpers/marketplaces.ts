import {
  gatewayClient,
  sandboxControl,
  sourceWorker,
  startStack,
  testEnv,
  waitFor,
  type GatewayAnswer,
  type Stack,
} from '@datasync/testkit';
import type { BodyAt } from './marketplace-answers';

/** The marketplace fakes' published test credentials, as the worker's environment. */
export async function marketplaceEnv(sandboxUrl: string): Promise<Record<string, string>> {
  const control = sandboxControl(sandboxUrl);
  const ozon = await control.get<Record<string, string>>('/ozon/_control/credentials');
  const wb = await control.get<{ tokens: { full: string } }>('/wb/_control/credentials');
  const ym = await control.get<Record<string, string>>('/ym/_control/credentials');
  return {
    OZON_BASE_URL: `${sandboxUrl}/ozon`,
    OZON_CLIENT_ID: ozon['Client-Id']!,
    OZON_API_KEY: ozon['Api-Key']!,
    WB_MARKETPLACE_BASE_URL: `${sandboxUrl}/wb/marketplace`,
    WB_CONTENT_BASE_URL: `${sandboxUrl}/wb/content`,
    WB_ANALYTICS_BASE_URL: `${sandboxUrl}/wb/analytics`,
    WB_TOKEN: wb.tokens.full,
    YM_BASE_URL: `${sandboxUrl}/ym`,
    YM_API_KEY: ym['Api-Key']!,
    // Tests poll on demand; the push schedule retries refused items quickly.
    MARKETPLACES_POLL_INTERVAL_MS: '0',
    MARKETPLACES_CATALOG_INTERVAL_MS: '0',
    MARKETPLACES_PUSH_INTERVAL_MS: '1000',
    MARKETPLACES_PUSH_RETRY_MS: '500',
  };
}

/** A gateway (+ a marketplaces worker in this process unless told otherwise) with the kit's typed client of its API. */
export async function startMarketplaceStack(
  databaseUrl: string,
  sandboxUrl: string,
  extra: Record<string, string> = {},
  options: { inProcessWorker?: boolean } = {},
) {
  const env = testEnv(databaseUrl, sandboxUrl, { ...(await marketplaceEnv(sandboxUrl)), ...extra });
  const stack: Stack = await startStack(env, { workers: options.inProcessWorker === false ? [] : [sourceWorker('marketplaces')] });
  const client = gatewayClient(stack.gateway.url, env.GATEWAY_API_KEY);
  /** Any answer, its body typed by the path called (see `AnswerAt`). */
  const api = <P extends string>(method: string, path: P, body?: unknown): Promise<GatewayAnswer<BodyAt<P>>> =>
    client.call<BodyAt<P>>(method, path, body);
  const finished = (id: string) => client.finished(id);
  /** Starts a run through the API and waits for it to finish. */
  const run = async (path: string, body: unknown = {}) => finished(await client.submit({ method: 'POST', path, body }));
  const product = async (sku: string) => (await api('GET', `/api/marketplaces/products/${encodeURIComponent(sku)}`)).body;
  return { stack, api, run, finished, product };
}

/**
 * What each fake was last told for one SKU, on the warehouses DataSync pushes to (WB's 700001 is
 * "being processed" and so left out).
 */
export async function toldByFakes(sandboxUrl: string, code: string): Promise<{ ozon: number[]; wb: number[]; ym: number[] }> {
  const control = sandboxControl(sandboxUrl);
  const ozon = await control.get<{ stocks: { code: string; stock: number }[] }>(
    `/ozon/_control/stocks?offer_id=${encodeURIComponent(code)}`,
  );
  const wb = await control.get<{ stocks: { code: string; amount: number; warehouseId: number }[] }>('/wb/_control/stocks');
  const ym = await control.get<{ stocks: { code: string; count: number }[] }>('/ym/_control/stocks');
  return {
    ozon: ozon.stocks.filter((s) => s.code === code).map((s) => s.stock),
    wb: wb.stocks.filter((s) => s.code === code && s.warehouseId !== 700_001).map((s) => s.amount),
    ym: ym.stocks.filter((s) => s.code === code).map((s) => s.count),
  };
}

/** Waits until every warehouse of every fake was told `value` for `code`. */
export function fakesReach(sandboxUrl: string, code: string, value: number, timeoutMs = 30_000) {
  return waitFor(
    async () => {
      const told = await toldByFakes(sandboxUrl, code);
      const all = [...told.ozon, ...told.wb, ...told.ym];
      return told.ozon.length >= 2 && told.wb.length >= 2 && told.ym.length >= 2 && all.every((v) => v === value) ? told : undefined;
    },
    { timeoutMs, what: `${code} = ${value} on every marketplace` },
  );
}
