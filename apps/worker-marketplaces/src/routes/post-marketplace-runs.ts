import { z } from 'zod';
import { marketplacePollParams, marketplacePushParams } from '../params';
import { submitRun } from '@datasync/runs';
import { connectionDoc, errorSchema, parseOr400, submittedSchema, takeConnection, type Route } from '@datasync/api-kit';

const responses = {
  200: { description: 'Run queued (or the identical run already queued or running); follow it at /api/runs/{id}', schema: submittedSchema },
  400: { description: 'Invalid input; nothing was queued', schema: errorSchema },
};

export const postMarketplacePoll: Route = {
  method: 'post',
  path: '/api/marketplaces/poll',
  summary: 'Poll one marketplace now for new orders, reserves and returns (kind: orders or returns; both when left out)',
  tag: 'marketplaces',
  body: marketplacePollParams.extend(connectionDoc),
  responses,
  async handle(input, deps) {
    const { connectionId, rest } = takeConnection(input.body ?? {});
    const params = parseOr400(marketplacePollParams, rest ?? {});
    const { runId } = await submitRun(deps, 'marketplaces', 'marketplaces.poll', params, { connectionId });
    return { body: { status: 'ok', parser_uuid: runId } };
  },
};

export const postMarketplacePush: Route = {
  method: 'post',
  path: '/api/marketplaces/push',
  summary: 'Push stock now: every value a marketplace does not have yet, and due retries of refused items',
  tag: 'marketplaces',
  body: marketplacePushParams.extend(connectionDoc),
  responses,
  async handle(input, deps) {
    const { connectionId, rest } = takeConnection(input.body ?? {});
    const params = parseOr400(marketplacePushParams, rest ?? {});
    const { runId } = await submitRun(deps, 'marketplaces', 'marketplaces.push', params, { connectionId });
    return { body: { status: 'ok', parser_uuid: runId } };
  },
};

const empty = z.object({});
export const postMarketplaceCatalog: Route = {
  method: 'post',
  path: '/api/marketplaces/catalog',
  summary: 'Read the products and warehouses of every marketplace now (ids matched by seller article and barcode)',
  tag: 'marketplaces',
  body: empty.extend(connectionDoc),
  responses,
  async handle(input, deps) {
    const { connectionId, rest } = takeConnection(input.body ?? {});
    parseOr400(empty, rest ?? {});
    const { runId } = await submitRun(deps, 'marketplaces', 'marketplaces.catalog', {}, { connectionId });
    return { body: { status: 'ok', parser_uuid: runId } };
  },
};
