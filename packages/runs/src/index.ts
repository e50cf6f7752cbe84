export * from './redis';
export * from './store';
export * from './submit';
export * from './worker';
export * from './service';
export * from './schedule';
