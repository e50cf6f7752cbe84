import type { Router } from 'express';
import type { Logger } from '@datasync/logger';
import type { FaultInjector } from './faults';
import type { AccountRegistry, SandboxAccount } from './accounts';

/** What every fake gets from the sandbox. */
export interface FakeContext {
  seed: number;
  /** Goods added to the seeded catalogue of every marketplace fake (a large seller, for limit tests). */
  catalogExtra?: number;
  faults: FaultInjector;
  /** The accounts every fake serves (`a` first: the sandbox's historical credentials and data). */
  accounts: SandboxAccount[];
  /** Where a fake registers how to tell its accounts' requests apart (fault rules' `account`, the request log). */
  registry: AccountRegistry;
  log: Logger;
}

/** One external API, served under `prefix` (its base URL is `http://<sandbox>/<prefix>`). */
export interface Fake {
  name: string;
  prefix: string;
  router: Router;
  /** Puts the fake's data back to its seeded state (tests call `POST /_control/reset`). */
  reset(): void;
}

export type FakeFactory = (ctx: FakeContext) => Fake;
