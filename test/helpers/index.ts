export * from './database';
export * from './wait';
export * from './sandbox';
export * from './stack';
export * from './sources';
export * from './redis';
export * from './proxy';
export * from './redis-keys';
