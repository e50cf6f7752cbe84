import type { Logger } from '@datasync/logger';
import { startSourceWorker, type RunningWorker } from '@datasync/runs';
import { datawiz, type DatawizConfig } from './source';

export type RunningDatawizWorker = RunningWorker;

/** Opens Postgres and Redis and consumes the `datawiz` queue until `close()` (in this process: tests). */
export function startDatawizWorker(config: DatawizConfig, log: Logger): Promise<RunningDatawizWorker> {
  return startSourceWorker(datawiz, config, log);
}
