export { createSandbox, type Sandbox, type SandboxOptions } from './app';
export { startSandbox, type RunningSandbox } from './server';
export type { FaultRuleInput } from './faults';
export type { LoggedRequest } from './requests';
export type { CatalogItem } from './marketplace-catalog';
