export { parseMobileItems, parsePrice } from './parse';
