export { createConnectors, marketplaceSchedules, MARKETPLACE_SCHEDULE_IDS } from './worker';
export { mergeCatalogs, importCatalog } from './catalog';
export { ozonStage } from './connectors/ozon';
export { wbStage } from './connectors/wb';
export { ymStage } from './connectors/ym';
export type { CatalogEntry, Connector } from './connectors/types';
export type * from './routes/answers';
export { reconciledRecently } from './reconcile';
