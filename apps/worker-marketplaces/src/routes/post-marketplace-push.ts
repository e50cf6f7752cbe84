import { z } from 'zod';
import type { Route } from '@datasync/api-kit';
import { ozonDialect, ymDialect } from '../push-receiver/dialects';
import { PUSH_BODY_LIMIT, receivePush } from '../push-receiver/receive';

/**
 * The receivers the marketplaces push to (README "Push notifications"): no API key (a marketplace
 * cannot send ours); the connection's push secret in the path authenticates the sender.
 */
const answer = z.record(z.string(), z.unknown());

export const postOzonPush: Route = {
  method: 'post',
  path: '/api/marketplaces/push/ozon/:connectionId/:secret',
  summary: 'Ozon push notifications for one Ozon connection (the URL to give Ozon; secret from …/push-secret). No API key',
  tag: 'marketplaces',
  unauthenticated: { rawBodyLimit: PUSH_BODY_LIMIT },
  responses: {
    200: { description: 'TYPE_PING: {version,name,time}; any other message (a duplicate too): {"result":true}', schema: answer },
    400: {
      description: 'Malformed: {"error":{"code":"ERROR_PARAMETER_VALUE_MISSED","message":"<field>: …","details":null}}',
      schema: answer,
    },
    403: {
      description: 'Wrong secret, unknown connection, address not allowed, seller_id not the Client-Id (code ERROR_UNKNOWN)',
      schema: answer,
    },
    413: { description: 'Body over 256 KiB (code ERROR_UNKNOWN)', schema: answer },
  },
  handle: (input, deps) => receivePush(ozonDialect, input, deps),
};

export const postYmPush: Route = {
  method: 'post',
  path: '/api/marketplaces/push/yandex-market/:connectionId/:secret/notification',
  summary: 'Yandex Market API notifications for one YM connection (give YM the URL without /notification). No API key',
  tag: 'marketplaces',
  unauthenticated: { rawBodyLimit: PUSH_BODY_LIMIT },
  responses: {
    200: { description: 'Every notification taken (PING and duplicates too): {version,name,time}', schema: answer },
    400: { description: 'Malformed or unknown type: {"error":{"type":"WRONG_EVENT_FORMAT","message":"<field>: …"}}', schema: answer },
    403: {
      description: 'Wrong secret, unknown connection, address not allowed, campaignId not this cabinet (type UNKNOWN)',
      schema: answer,
    },
    413: { description: 'Body over 256 KiB (type UNKNOWN)', schema: answer },
  },
  handle: (input, deps) => receivePush(ymDialect, input, deps),
};
