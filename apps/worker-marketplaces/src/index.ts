export { startMarketplacesWorker, createConnectors, marketplaceSchedules, SCHEDULE_QUEUE, type RunningMarketplacesWorker } from './worker';
export { mergeCatalogs, importCatalog } from './catalog';
export { ozonStage } from './connectors/ozon';
export { wbStage } from './connectors/wb';
export { ymStage } from './connectors/ym';
