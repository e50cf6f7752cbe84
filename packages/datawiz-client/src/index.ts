export * from './client';
export * from './errors';
export * from './schemas';
export * from './sale-input';
