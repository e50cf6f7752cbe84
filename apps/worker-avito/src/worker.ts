import type { Logger } from '@datasync/logger';
import { startSourceWorker, type RunningWorker } from '@datasync/runs';
import { avito, type AvitoConfig } from './source';

export type RunningAvitoWorker = RunningWorker;

/** Opens Postgres and Redis and consumes the `avito` queue until `close()` (in this process: tests). */
export function startAvitoWorker(config: AvitoConfig, log: Logger): Promise<RunningAvitoWorker> {
  return startSourceWorker(avito, config, log);
}
