import { z } from 'zod';
import { createPushSecret, getConnection, readPushSecret } from '@datasync/connections';
import { actorOf, errorSchema, keyRingOf, NotFoundError, parseOr400, type Route } from '@datasync/api-kit';

const params = z.strictObject({ id: z.uuid({ error: 'must be a connection id (a UUID)' }) });
const secretView = z.object({
  connectionId: z.string(),
  marketplace: z.string(),
  pushSecret: z.string().describe('Give it to the marketplace only, inside the receiver URL'),
  receiverPath: z.string().describe("The receiver's path on this gateway: prefix it with the gateway's public URL"),
});

const receiverPathOf = (id: string, marketplace: string, secret: string) =>
  marketplace === 'ozon' ? `/api/marketplaces/push/ozon/${id}/${secret}` : `/api/marketplaces/push/yandex-market/${id}/${secret}`;

/** A pushing marketplace's connection (Ozon or YM), or 404 naming why not. */
async function pushingConnection(pool: Parameters<typeof getConnection>[0], id: string) {
  const connection = await getConnection(pool, id);
  const marketplace = String(connection.settings.marketplace);
  if (connection.source !== 'marketplaces' || (marketplace !== 'ozon' && marketplace !== 'ym'))
    throw new NotFoundError(`connection ${id} is not an Ozon or Yandex Market connection (only they push events)`);
  return { connection, marketplace };
}

const responses = {
  200: { description: 'The push secret and the receiver path (a secret: show it to the seller only)', schema: secretView },
  400: { description: 'Malformed id', schema: errorSchema },
  404: { description: 'No such Ozon or YM connection (GET: or no secret made yet)', schema: errorSchema },
};

/** What both routes answer: the secret and the path to paste into the marketplace's cabinet. */
const secretAnswer = (id: string, marketplace: string, secret: string) => ({
  body: { connectionId: id, marketplace, pushSecret: secret, receiverPath: receiverPathOf(id, marketplace, secret) },
});

export const postPushSecret: Route = {
  method: 'post',
  path: '/api/marketplaces/connections/:id/push-secret',
  summary: 'Make a new push secret for an Ozon or YM connection (the previous one stops working); answers the receiver path',
  tag: 'marketplaces',
  params,
  responses,
  async handle(input, deps) {
    const { id } = parseOr400(params, input.params);
    const { marketplace } = await pushingConnection(deps.pool, id);
    const secret = await createPushSecret(deps.pool, keyRingOf(deps), id, actorOf(deps));
    return secretAnswer(id, marketplace, secret);
  },
};

export const getPushSecret: Route = {
  method: 'get',
  path: '/api/marketplaces/connections/:id/push-secret',
  summary: "An Ozon or YM connection's push secret and receiver path (the reveal is audited)",
  tag: 'marketplaces',
  params,
  responses,
  async handle(input, deps) {
    const { id } = parseOr400(params, input.params);
    const { marketplace } = await pushingConnection(deps.pool, id);
    const secret = await readPushSecret(deps.pool, keyRingOf(deps), id, actorOf(deps));
    if (secret === undefined) throw new NotFoundError(`connection ${id} has no push secret yet: POST this path to make one`);
    return secretAnswer(id, marketplace, secret);
  },
};
