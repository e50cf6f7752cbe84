export * from './ledger';
export * from './read';
