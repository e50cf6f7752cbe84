export { startYclientsWorker, type RunningYclientsWorker } from './worker';
export { YclientsTransport } from './transport';
