export * from './errors';
export * from './http';
export * from './rate-limit';
export * from './paginate';
export * from './bulk';
