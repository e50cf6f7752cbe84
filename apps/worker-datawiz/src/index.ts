export { startDatawizWorker, type RunningDatawizWorker } from './worker';
export { datawizHandlers } from './sync';
