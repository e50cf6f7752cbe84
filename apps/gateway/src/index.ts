export { createGatewayApp, type GatewayOptions } from './app';
export { startGateway, type RunningGateway } from './server';
