import { expect } from 'vitest';
import type { SandboxControl as Control } from '@datasync/testkit';
import { expectSameRows, rowsOf, type Queryable as Q } from '@datasync/testkit/vitest';

/**
 * "The database equals the Avito source": the expected rows built from the sandbox's own data, compared
 * with the kit's engine (whole tables, every stored column, as sets). Shared by the e2e test and the
 * reliability suite, so every fault test asserts the same thing.
 */

/** A listing as the fake holds it (`/avito/_control/listings`). */
interface AvitoFakeListing {
  id: number;
  title: string;
  price: number | null;
  priceText: string;
  url: string;
  time: number;
}

/** The avito ids a sync of this seller must find (the fake's full expected result). */
export async function avitoSourceIds(control: Control, sellerHash: string): Promise<string[]> {
  return (await control.get<{ listings: { id: number }[] }>(`/avito/_control/listings?sellerId=${sellerHash}`)).listings
    .map((l) => String(l.id))
    .sort();
}

/**
 * A seller run's result (its linked items, in the upstream's order) and the stored listings of the
 * seller both equal the source: every column of avito_items, as sets. The seller route carries no
 * category, location or address, so those stay null; `raw` is the route's wire item (§5.2).
 */
export async function expectAvitoEqualToSource(db: Q, control: Control, runId: string, sellerHash: string): Promise<void> {
  const { listings } = await control.get<{ listings: AvitoFakeListing[] }>(`/avito/_control/listings?sellerId=${sellerHash}`);
  const expected = listings.map((l) => ({
    avito_id: String(l.id),
    title: l.title,
    price: l.price,
    price_text: l.priceText,
    url: l.url,
    category_id: null,
    category_name: null,
    location_id: null,
    location_name: null,
    address: null,
    seller_hash: sellerHash,
    published_at: l.time * 1000,
    raw: {
      id: l.id,
      title: l.title,
      price: l.priceText,
      time: l.time,
      uri: `ru.avito://1/item/show?itemId=${l.id}`,
      uri_mweb: `${l.url.replace(/^https:\/\/www\.avito\.ru/, '')}?context=H4sIAAAAAAAA_sandbox`,
    },
  }));
  const stored = await rowsOf(
    db,
    `SELECT avito_id::text, title, price::float8 AS price, price_text, url, category_id, category_name, location_id, location_name, address,
       seller_hash, (extract(epoch FROM published_at) * 1000)::float8 AS published_at, raw
     FROM avito_items WHERE seller_hash = $1 AND deleted_at IS NULL`,
    [sellerHash],
  );
  expectSameRows('avito_items of the seller', stored, expected);
  // The run's result set: each listing once, in the order the upstream listed them (newest first).
  const linked = await rowsOf<{ id: string }>(
    db,
    'SELECT i.avito_id::text AS id FROM avito_run_items r JOIN avito_items i ON i.id = r.item_id WHERE r.run_id = $1 ORDER BY r.position',
    [runId],
  );
  expect(
    linked.map((r) => r.id),
    "the run's linked items, in order",
  ).toEqual(listings.map((l) => String(l.id)));
}
