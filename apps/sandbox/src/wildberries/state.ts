import type { SandboxAccount } from '../accounts';
import { accountCatalog, type CatalogItem } from '../marketplace-catalog';
import { WB_WAREHOUSES, generateWbData, type WbClaim, type WbGoodsReturn, type WbIds, type WbStock, type WbTask } from './data';

/** Everything the Wildberries fake holds; `reset()` rebuilds it from the seed. */
export class WbState {
  catalog: CatalogItem[] = [];
  ids!: WbIds;
  tasks: WbTask[] = [];
  claims: WbClaim[] = [];
  goodsReturns: WbGoodsReturn[] = [];
  stocks = new Map<string, WbStock>();

  constructor(
    private readonly account: SandboxAccount,
    private readonly catalogExtra?: number,
  ) {}

  reset(): void {
    this.catalog = accountCatalog(this.account, this.catalogExtra);
    const data = generateWbData(this.account.seed, this.catalog, Date.now(), this.account.idSeed);
    this.ids = data.ids;
    this.tasks = data.tasks;
    this.claims = data.claims;
    this.goodsReturns = data.goodsReturns;
    this.stocks = data.stocks;
  }

  byChrt(chrtId: number): CatalogItem | undefined {
    return this.catalog.find((c) => c.wb.chrtId === chrtId);
  }
}

export const warehouse = (id: number | undefined) => WB_WAREHOUSES.find((w) => w.id === id);
