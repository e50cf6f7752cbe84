export * from './labels';
export * from './render';
export * from './scaling';
export * from './settings';
export * from './worker-manifests';
export * from './workers';
