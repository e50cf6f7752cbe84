export * from './errors';
export * from './http';
export * from './rate-limit';
export * from './paginate';
export * from './bulk';
export * from './method-limits';
export * from './cooldown';
export * from './statements';
