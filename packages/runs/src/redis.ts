import { Redis } from 'ioredis';

/** A Redis connection as BullMQ wants it (no per-command retry limit, so blocking calls survive). */
export function createRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}
