/**
 * The highest stock value each marketplace takes (shared/reference/marketplaces.md §2.5: Ozon
 * `STOCK_TOO_BIG`, "must be under one million"; §3.5: WB `amount` 0–100000, 409 `UploadDataLimit`
 * above; §4.5.1 and the YM OpenAPI `UpdateStockItemDTO.count`: 0–2,000,000,000). A wanted value above
 * it is pushed as this maximum (never refused and left stale); the products API shows `clampedFrom`.
 */
export const STOCK_MAX = { ozon: 999_999, wb: 100_000, ym: 2_000_000_000 } as const;

export type StockMarketplace = keyof typeof STOCK_MAX;

/** What a marketplace is told for a wanted value: within 0 … its maximum. */
export const clampStock = (marketplace: StockMarketplace, wanted: number): number => Math.min(Math.max(0, wanted), STOCK_MAX[marketplace]);
