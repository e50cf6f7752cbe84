export { GatewayClient, ApiError, type GatewayAnswer, type Run } from './client';
export { parseArgs, paramValue, target } from './args';
export { watchRun } from './watch';
