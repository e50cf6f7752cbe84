export { startAvitoWorker, type RunningAvitoWorker } from './worker';
export { parseMobileItems, parsePrice } from './parse';
