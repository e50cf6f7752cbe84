export * from './ledger';
export * from './read';
export * from './allocate';
export * from './allocation-rules';
