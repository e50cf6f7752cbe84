export * from './route';
export * from './errors';
export * from './messages';
export * from './schemas';
export * from './sync-route';
export * from './start-run';
export * from './connection';
export * from './credentials-access';
