import { z } from 'zod';
import { UpstreamAuthError, UpstreamError, UpstreamRequestError } from '@datasync/connector-kit';
import { markConnectionState } from '@datasync/connections';
import {
  DatawizNotConfiguredError,
  drfFieldErrors,
  MAX_SALES_PER_REQUEST,
  parseSales,
  saleCounts,
  saleInputSchema,
  type SaleInput,
} from '@datasync/datawiz-client';
import {
  actorOf,
  ApiError,
  connectionDoc,
  errorSchema,
  InvalidRequestError,
  ServiceUnavailableError,
  takeConnection,
  takeQueryConnection,
  type GatewayDeps,
  type Route,
} from '@datasync/api-kit';
import { clientForConnection } from './client-for-connection';

/**
 * One promotion, or a list of up to 1000 (sent upstream as one batch: all or nothing). For the
 * OpenAPI document only: the handler checks with parseSales, which names every field of every element.
 */
const body = z.union([saleInputSchema.safeExtend(connectionDoc), z.array(saleInputSchema).min(1).max(MAX_SALES_PER_REQUEST)]);
/** A list has no room for `connectionId`: it names the connection in the query instead. */
const query = z.object({ connection: connectionDoc.connectionId });

/** Reported field errors are capped: a list of 1000 bad promotions still answers a readable 400. */
const MAX_REPORTED = 200;

type Outcome = 'accepted' | 'rejected' | 'failed';

async function record(
  deps: GatewayDeps,
  sales: SaleInput[],
  outcome: Outcome,
  details: {
    httpStatus?: number;
    response?: unknown;
    counts?: { inserted: number; updated: number };
    error?: string;
    /** The stored connection that sent; the environment connection when undefined. */
    connectionId?: string;
  },
): Promise<void> {
  await deps.pool.query({
    text: `INSERT INTO datawiz_sale_submissions (outcome, http_status, sale_ids, request, response, inserted, updated, error, connection_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, COALESCE($9::uuid, '00000000-0000-0000-0000-000000000000'))`,
    values: [
      outcome,
      details.httpStatus ?? null,
      sales.map((s) => s.sale_id),
      JSON.stringify(sales),
      details.response === undefined ? null : JSON.stringify(details.response),
      details.counts?.inserted ?? null,
      details.counts?.updated ?? null,
      details.error ?? null,
      details.connectionId ?? null,
    ],
  });
}

/**
 * Creates (or updates, on sale_id) Datawiz promotions: validated here with the API's own rules so a
 * bad one never leaves, then POSTed as one JSON array to `sale/`. Answers Datawiz's counts; its
 * field errors come back field by field (`1.name`, `0.products.2.product_id`).
 */
export const postDatawizSales: Route = {
  method: 'post',
  path: '/api/datawiz/sales',
  summary:
    'Create or update Datawiz promotions (one object or a list); answers {updated, inserted}. connectionId (body; ?connection= for a list) sends with that connection',
  tag: 'datawiz',
  body,
  query,
  responses: {
    201: { description: 'Datawiz accepted every promotion', schema: saleCounts },
    400: { description: 'Invalid promotions (checked here, or refused by Datawiz); nothing was written', schema: errorSchema },
    502: { description: 'Datawiz was unreachable or refused our credentials', schema: errorSchema },
    503: { description: 'Datawiz credentials are not configured', schema: errorSchema },
  },
  async handle(input, deps) {
    const single = !Array.isArray(input.body);
    // The connection is not a field of a promotion: taken out before the promotions are checked.
    const fromBody = single ? takeConnection(input.body) : { rest: input.body };
    const connectionId = fromBody.connectionId ?? takeQueryConnection(input.query).connectionId;
    const parsed = parseSales(fromBody.rest);
    if (!parsed.ok) {
      const shown = parsed.issues.slice(0, MAX_REPORTED);
      if (parsed.issues.length > shown.length)
        shown.push({ field: '(request)', message: `${parsed.issues.length - shown.length} more errors not shown` });
      throw new InvalidRequestError(shown, 'The promotions are invalid; nothing was sent to Datawiz');
    }
    const { sales } = parsed;

    // An unknown connection is a 400 naming connectionId, before anything is sent.
    const { client, connectionId: stored, connectionName } = await clientForConnection(deps, connectionId, actorOf(deps));
    try {
      client.assertConfigured();
    } catch (err) {
      if (err instanceof DatawizNotConfiguredError) throw new ServiceUnavailableError(err.message);
      throw err;
    }

    try {
      const counts = await client.createSales(sales);
      await record(deps, sales, 'accepted', { httpStatus: 201, response: counts, counts, connectionId: stored });
      if (stored) await markConnectionState(deps.pool, stored, { ok: true });
      return { status: 201, body: counts };
    } catch (err) {
      if (err instanceof UpstreamRequestError && err.status === 400) {
        await record(deps, sales, 'rejected', { httpStatus: 400, response: err.body, error: err.message, connectionId: stored });
        const errors = drfFieldErrors(err.body).map((e) => ({ ...e, field: single ? e.field.replace(/^0\./, '') : e.field }));
        throw new ApiError(400, 'upstream_rejected', 'Datawiz rejected the promotions; nothing was written', errors, 'bad request');
      }
      if (err instanceof UpstreamError) {
        await record(deps, sales, 'failed', {
          httpStatus: err.status,
          error: err.message,
          response: err instanceof UpstreamRequestError ? err.body : undefined,
          connectionId: stored,
        });
        const code = err instanceof UpstreamAuthError ? 'upstream_auth_failed' : err.code;
        if (stored && err instanceof UpstreamAuthError) {
          // The connection's credentials were refused: it shows as failing, as after a run or a test.
          await markConnectionState(deps.pool, stored, { ok: false, error: err.message });
          throw new ApiError(502, code, `connection ${connectionName}: ${err.message}`, undefined, 'upstream error');
        }
        throw new ApiError(502, code, err.message, undefined, 'upstream error');
      }
      throw err;
    }
  },
};
