import { z } from 'zod';
import { CredentialsUnreadable, markConnectionState, recordAudit, resolveConnection, type ProbeResult } from '@datasync/connections';
import { actorOf, keyRingOf, errorSchema, parseOr400, type Route } from '@datasync/api-kit';
import { connectionIdParams, sourceOr400 } from './connection-schemas';
import { getConnection } from '@datasync/connections';

const testResult = z.object({
  ok: z.boolean(),
  /** What the upstream said: the call made and its status; or its refusal (credential values scrubbed). */
  detail: z.string().optional(),
  error: z.string().optional(),
  /** The upstream's HTTP status, when it answered. */
  upstreamStatus: z.number().int().optional(),
  state: z.enum(['ok', 'failing']),
});

/** A test is one call: it must not wait as long as a run's retries would. */
const PROBE_TIMEOUT_CAP_MS = 15_000;

export const postConnectionTest: Route = {
  method: 'post',
  path: '/api/connections/:id/test',
  summary: "Try a connection: one cheap authenticated call upstream; answers ok or the upstream's refusal, and sets the state",
  tag: 'connections',
  params: connectionIdParams,
  responses: {
    200: { description: "The outcome (ok true or false); the connection's state follows it", schema: testResult },
    400: { description: 'Malformed id', schema: errorSchema },
    404: { description: 'No such connection', schema: errorSchema },
    503: { description: 'No key ring (DATASYNC_KEYS) to open the credentials with', schema: errorSchema },
  },
  async handle(input, deps) {
    const { id } = parseOr400(connectionIdParams, input.params);
    const stored = await getConnection(deps.pool, id);
    const source = sourceOr400(stored.source);
    const actor = actorOf(deps);
    let result: ProbeResult;
    try {
      const connection = await resolveConnection(deps.pool, keyRingOf(deps), { source: source.name, connectionId: id, actor });
      const probe = (await source.connection.probe()).default;
      const timeout = Number(deps.config.HTTP_TIMEOUT_MS) || PROBE_TIMEOUT_CAP_MS;
      result = await probe({
        credentials: connection.credentials,
        settings: connection.settings,
        config: deps.config,
        timeoutMs: Math.min(timeout, PROBE_TIMEOUT_CAP_MS),
      });
    } catch (err) {
      if (!(err instanceof CredentialsUnreadable)) throw err;
      result = { ok: false, error: err.message };
    }
    await markConnectionState(deps.pool, id, result.ok ? { ok: true } : { ok: false, error: result.error });
    await recordAudit(deps.pool, {
      actor,
      connectionId: id,
      action: 'tested',
      detail: result.ok ? { ok: true, detail: result.detail } : { ok: false, error: result.error, upstreamStatus: result.status },
    });
    deps.log.info(
      { connectionId: id, source: source.name, ok: result.ok, upstreamStatus: result.ok ? undefined : result.status },
      'connection tested',
    );
    return {
      body: result.ok
        ? { ok: true, detail: result.detail, state: 'ok' }
        : { ok: false, error: result.error, ...(result.status ? { upstreamStatus: result.status } : {}), state: 'failing' },
    };
  },
};
