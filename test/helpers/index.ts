export * from './database';
export * from './wait';
export * from './sandbox';
