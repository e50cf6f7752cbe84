export { YclientsTransport } from './transport';
