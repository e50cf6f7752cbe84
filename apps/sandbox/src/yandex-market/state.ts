import type { SandboxAccount } from '../accounts';
import { accountCatalog, type CatalogItem } from '../marketplace-catalog';
import { toInt } from '../marketplace-params';
import { YM_CAMPAIGNS, generateYmData, isReserve, stockKey, type YmIds, type YmOrder, type YmReturn, type YmStock } from './data';

/** An offer's stock at one warehouse: AVAILABLE = last pushed, FREEZE = open reserves, FIT = both. */
export interface StockRow {
  item: CatalogItem;
  available: number;
  freeze: number;
  fit: number;
  updatedAt: number | null;
  pushes: number;
}

/** Everything the Yandex Market fake holds; `reset()` rebuilds it from the seed. */
export class YmState {
  catalog: CatalogItem[] = [];
  ids!: YmIds;
  orders: YmOrder[] = [];
  returns: YmReturn[] = [];
  stocks = new Map<string, YmStock>();

  constructor(
    private readonly account: SandboxAccount,
    private readonly catalogExtra?: number,
  ) {}

  reset(): void {
    this.catalog = accountCatalog(this.account, this.catalogExtra);
    const data = generateYmData(this.account.seed, this.catalog, Date.now(), this.account.idSeed);
    this.ids = data.ids;
    this.orders = data.orders;
    this.returns = data.returns;
    this.stocks = data.stocks;
  }

  byOffer(offerId: string): CatalogItem | undefined {
    return this.catalog.find((c) => c.ym.offerId === offerId);
  }

  /** The offers of a warehouse with a pushed stock or a reserve. */
  stockRows(warehouseId: number): StockRow[] {
    // Units held by open orders, per offer (summed once: large catalogues).
    const held = new Map<string, number>();
    for (const o of this.orders) {
      if (!isReserve(o) || o.campaign.warehouseId !== warehouseId) continue;
      for (const l of o.items) held.set(l.item.ym.offerId, (held.get(l.item.ym.offerId) ?? 0) + l.count);
    }
    return this.catalog.flatMap((item) => {
      const s = this.stocks.get(stockKey(warehouseId, item.ym.offerId));
      const freeze = held.get(item.ym.offerId) ?? 0;
      if (!s && freeze === 0) return [];
      const available = s?.count ?? 0;
      return [{ item, available, freeze, fit: available + freeze, updatedAt: s?.updatedAt ?? null, pushes: s?.pushes ?? 0 }];
    });
  }
}

export const campaignOf = (id: unknown) => YM_CAMPAIGNS.find((c) => c.id === toInt(id));
