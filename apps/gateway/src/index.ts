export { createGatewayApp, type GatewayOptions } from './app';
export { startGateway, type RunningGateway } from './server';
export { routes } from './routes';
export type { Route } from '@datasync/api-kit';
