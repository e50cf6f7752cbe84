export * from './address-guard';
export * from './consumer';
export * from './mail';
export * from './webhook';
