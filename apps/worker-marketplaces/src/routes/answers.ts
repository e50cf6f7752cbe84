import type { z } from 'zod';
import type { Marketplace } from '@datasync/queues';
import type { ListingIds } from '../connectors/types';
import type { movementSchema } from './get-marketplace-product';
import type { FboStockView } from './fbo-stock-view';
import type { warehouseSchema } from './list-marketplace-warehouses';
import type { marketplaceSchema } from './list-marketplaces';
import type { orderSchema, productSchema, returnSchema } from './marketplace-schemas';

/**
 * The marketplaces routes' answers as clients read them, inferred from the routes' own response
 * schemas (so the tests' reading cannot drift from what the routes declare).
 */

/** A product: `ids` has an entry for every marketplace (the schema builds it from MARKETPLACES at run time). */
export type MarketplaceProduct = Omit<z.infer<typeof productSchema>, 'ids'> & { ids: Record<Marketplace, ListingIds> };
export type StockMovement = z.infer<typeof movementSchema>;
export type MarketplaceOrder = z.infer<typeof orderSchema>;
export type MarketplaceReturn = z.infer<typeof returnSchema>;
export type MarketplaceWarehouse = z.infer<typeof warehouseSchema>;
export type MarketplaceEntry = z.infer<typeof marketplaceSchema>;

/** `GET /api/marketplaces/products/:sku`. */
export type ProductWithMovements = MarketplaceProduct & { movements: StockMovement[] };
/** `GET /api/marketplaces/products`. */
export interface ProductList {
  total: number;
  products: MarketplaceProduct[];
}
/** A product of `GET /api/marketplaces/products` with its FBO stock (shown only; README "FBO stock"). */
export type ListedProduct = MarketplaceProduct & { fbo: FboStockView[] };
export type { FboStockView };
/** `POST /api/marketplaces/products/:sku/adjustments`: the product after it, and the push run. */
export interface AdjustmentAnswer {
  status: 'ok';
  product: MarketplaceProduct;
  parser_uuid: string;
}
/** `GET /api/marketplaces/products/:sku/movements`. */
export interface MovementList {
  sku: string;
  movements: StockMovement[];
}
/** `GET /api/marketplaces/orders` and `/reserves`. */
export interface OrderList {
  orders: MarketplaceOrder[];
}
/** `GET /api/marketplaces/returns`. */
export interface ReturnList {
  returns: MarketplaceReturn[];
}
/** `GET /api/marketplaces/warehouses`. */
export interface WarehouseList {
  warehouses: MarketplaceWarehouse[];
}
/** `GET /api/marketplaces`: every marketplace by id, with its display name. */
export interface MarketplaceList {
  marketplaces: MarketplaceEntry[];
}
