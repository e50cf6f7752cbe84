import type pg from 'pg';
import type { ResolvedConnection } from '@datasync/connections';
import type { Marketplace } from '@datasync/queues';
import type { PushMessage } from './message';
import { readOzonMessage } from './ozon-message';
import { readYmMessage } from './ym-message';

/** Why a push was not taken, in the marketplace's own error vocabulary. */
export type Refusal = 'refused' | 'malformed' | 'too-large' | 'internal';

/**
 * How one marketplace pushes: its message format, the answers it expects (README "Push
 * notifications": Ozon `{"result":true}` / YM `{version,name,time}`, and each one's error body),
 * and how a message names its seller.
 */
export interface PushDialect {
  marketplace: Marketplace;
  read(body: unknown): PushMessage;
  ok(message: PushMessage, now: Date): unknown;
  error(refusal: Refusal, message: string): unknown;
  /** Whether the seller the message names is this connection's cabinet. */
  sellerIs(sellerId: string, connection: ResolvedConnection, db: Pick<pg.Pool, 'query'>): Promise<boolean>;
}

/** The application the receiver tells the marketplace it is (both ask for a name and a version). */
const RECEIVER = { name: 'DataSync', version: '1.0' };
const pong = (now: Date) => ({ ...RECEIVER, time: now.toISOString() });

export const ozonDialect: PushDialect = {
  marketplace: 'ozon',
  read: readOzonMessage,
  ok: (message, now) => (message.kind === 'ping' ? pong(now) : { result: true }),
  error: (refusal, message) => ({
    error: { code: refusal === 'malformed' ? 'ERROR_PARAMETER_VALUE_MISSED' : 'ERROR_UNKNOWN', message, details: null },
  }),
  // seller_id is the cabinet's Client-Id.
  sellerIs: async (sellerId, connection) => connection.credentials.clientId === sellerId,
};

export const ymDialect: PushDialect = {
  marketplace: 'ym',
  read: readYmMessage,
  ok: (_message, now) => pong(now),
  error: (refusal, message) => ({ error: { type: refusal === 'malformed' ? 'WRONG_EVENT_FORMAT' : 'UNKNOWN', message } }),
  // campaignId is one of the cabinet's campaigns: settings.campaignIds, or, unset, the campaigns its catalogue read.
  async sellerIs(sellerId, connection, db) {
    const listed = connection.settings.campaignIds;
    if (Array.isArray(listed)) return listed.map(String).includes(sellerId);
    const { rows } = await db.query(
      `SELECT 1 FROM marketplace_warehouses WHERE marketplace = 'ym' AND connection_id = $1 AND campaign_id = $2 LIMIT 1`,
      [connection.id, sellerId],
    );
    return rows.length > 0;
  },
};
