import type { Router } from 'express';
import type { Logger } from '@datasync/logger';
import type { FaultInjector } from './faults';

/** What every fake gets from the sandbox. */
export interface FakeContext {
  seed: number;
  /** Goods added to the seeded catalogue of every marketplace fake (a large seller, for limit tests). */
  catalogExtra?: number;
  faults: FaultInjector;
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
