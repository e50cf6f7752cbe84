import type { Logger } from '@datasync/logger';
import { startSourceWorker, type RunningWorker } from '@datasync/runs';
import { yclients, type YclientsConfig } from './source';

export type RunningYclientsWorker = RunningWorker;

/** Opens Postgres and Redis and consumes the `yclients` queue until `close()` (in this process: tests). */
export function startYclientsWorker(config: YclientsConfig, log: Logger): Promise<RunningYclientsWorker> {
  return startSourceWorker(yclients, config, log);
}
