export { datawizHandlers } from './sync';
