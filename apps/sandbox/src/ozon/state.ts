import type { SandboxAccount } from '../accounts';
import { accountCatalog, type CatalogItem } from '../marketplace-catalog';
import {
  OZON_WAREHOUSES,
  RESERVE_STATUSES,
  generateOzonData,
  stockKey,
  type OzonIds,
  type OzonReturn,
  type Posting,
  type StockRecord,
} from './data';

/** One (product, warehouse) the seller holds stock or a reserve on. */
export interface StockRow {
  item: CatalogItem;
  warehouseId: number;
  stock: number;
  reserved: number;
  record?: StockRecord;
}

/** Everything the Ozon fake holds; `reset()` rebuilds it from the seed. */
export class OzonState {
  catalog: CatalogItem[] = [];
  ids!: OzonIds;
  postings: Posting[] = [];
  returns: OzonReturn[] = [];
  stocks = new Map<string, StockRecord>();

  constructor(
    private readonly account: SandboxAccount,
    /** The cabinet's Client-Id, which Ozon also shows as a return's `company_id`. */
    readonly clientId: string,
    private readonly catalogExtra?: number,
  ) {}

  reset(): void {
    this.catalog = accountCatalog(this.account, this.catalogExtra);
    const data = generateOzonData(this.account.seed, this.catalog, Date.now(), this.account.idSeed);
    this.ids = data.ids;
    this.postings = data.postings;
    this.returns = data.returns;
    this.stocks = data.stocks;
  }

  byOffer(offerId: string): CatalogItem | undefined {
    return this.catalog.find((c) => c.ozon.offerId === offerId);
  }
  byProduct(productId: number): CatalogItem | undefined {
    return this.catalog.find((c) => c.ozon.productId === productId);
  }
  bySku(sku: number): CatalogItem | undefined {
    return this.catalog.find((c) => c.ozon.sku === sku || c.ozon.fboSku === sku);
  }

  /** Every (product, warehouse) with a stock record or a reserve (reserves summed once: large catalogues). */
  stockRows(): StockRow[] {
    const held = new Map<string, number>();
    for (const p of this.postings) {
      if (!RESERVE_STATUSES.includes(p.status)) continue;
      for (const pr of p.products) {
        const key = stockKey(pr.item.ozon.productId, p.warehouse.warehouse_id);
        held.set(key, (held.get(key) ?? 0) + pr.quantity);
      }
    }
    const rows: StockRow[] = [];
    for (const item of this.catalog) {
      for (const w of OZON_WAREHOUSES) {
        const record = this.stocks.get(stockKey(item.ozon.productId, w.warehouse_id));
        const r = held.get(stockKey(item.ozon.productId, w.warehouse_id)) ?? 0;
        if (record || r > 0) rows.push({ item, warehouseId: w.warehouse_id, stock: record?.stock ?? 0, reserved: r, record });
      }
    }
    return rows;
  }
}

export const warehouse = (id: number) => OZON_WAREHOUSES.find((w) => w.warehouse_id === id);
