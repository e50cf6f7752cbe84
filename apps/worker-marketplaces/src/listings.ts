import type { Marketplace } from '@datasync/queues';
import { ozonListing } from './connectors/ozon';
import type { ListingSpec } from './connectors/types';
import { wbListing } from './connectors/wb';
import { ymListing } from './connectors/ym';

/**
 * Every marketplace's listing fields, for readers without connectors (the gateway shows `ids` with
 * every field of every marketplace, null where a product has no listing there). Typed by
 * MARKETPLACES, so a marketplace added there fails to compile until its connector's spec is named.
 */
export const LISTINGS = { ozon: ozonListing, wb: wbListing, ym: ymListing } satisfies Record<Marketplace, ListingSpec>;

export { completeIds, type ListingIds, type ListingSpec } from './connectors/types';
