export * from './ledger';
export * from './read';
export * from './ranges';
