import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { parseKeyRing } from '@datasync/connections';
import { preparedStatementsOf } from '@datasync/config';
import { createDb } from '@datasync/db';
import type { Logger } from '@datasync/logger';
import { smtpFromConfig, startNotificationConsumer } from '@datasync/notifications';
import {
  answersWithin,
  closeQueues,
  countUpstreamRequests,
  createQueues,
  createRedis,
  jobOptionsOf,
  MetricsRecorder,
  RunGroupCommit,
  startScheduleConsumer,
} from '@datasync/runs';
import { catalog, type Config } from '@datasync/sources';
import { createGatewayApp } from './app';
import { answerParserErrors } from './client-error';
import { createGatewayMetrics } from './metrics';

export interface RunningGateway {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Opens Postgres and Redis, serves the app, and closes everything on `close()`. */
export async function startGateway(config: Config, log: Logger): Promise<RunningGateway> {
  // A malformed key ring stops the start, naming DATASYNC_KEYS; an absent one only refuses to store credentials.
  const keyRing = parseKeyRing(config.DATASYNC_KEYS);
  if (!keyRing) log.warn('DATASYNC_KEYS is not set: connections cannot be stored (503); the environment credentials still work');
  const db = createDb({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, applicationName: 'datasync-gateway' });
  const redis = createRedis(config);
  const queues = createQueues(catalog, redis, config.REDIS_PREFIX, jobOptionsOf(config), log);
  // Schedule ticks and run notifications are consumed by the gateways: BullMQ hands each tick
  // or delivery to one of them, however many run.
  const quotas = { maxQueuedRunsPerSource: config.RUN_MAX_QUEUED_PER_SOURCE };
  // The runs requests start are stored and queued in batches (one transaction, one addBulk).
  const groupCommit = new RunGroupCommit(
    { pool: db.pool, queues, quotas },
    {
      windowMs: config.RUN_GROUP_COMMIT_WINDOW_MS,
      maxBatch: config.RUN_GROUP_COMMIT_MAX_BATCH,
      // Never more than the pool has connections, so a batch never waits for one.
      maxInFlight: Math.min(config.RUN_GROUP_COMMIT_MAX_IN_FLIGHT, config.DATABASE_POOL_MAX),
      prepared: preparedStatementsOf(config),
    },
  );
  const schedules = await startScheduleConsumer({ connection: redis, prefix: config.REDIS_PREFIX, pool: db.pool, queues, log, quotas });
  const notifications = await startNotificationConsumer({
    connection: redis,
    prefix: config.REDIS_PREFIX,
    pool: db.pool,
    schedules: schedules.queue,
    log,
    settings: {
      webhookSecret: config.WEBHOOK_SECRET,
      webhookTimeoutMs: config.WEBHOOK_TIMEOUT_MS,
      smtp: smtpFromConfig(config),
      attempts: config.NOTIFY_ATTEMPTS,
      backoffMs: config.NOTIFY_BACKOFF_MS,
      maxConsecutiveFailures: config.SCHEDULE_MAX_CONSECUTIVE_FAILURES,
      allowPrivate: config.NOTIFY_ALLOW_PRIVATE,
    },
  });
  // The gateway's own upstream calls (a source's routes that call its upstream) count too.
  const releaseUpstream = countUpstreamRequests(new MetricsRecorder(redis, config.REDIS_PREFIX), config.REDIS_PREFIX);
  const metrics = createGatewayMetrics({ pool: db.pool, redis, prefix: config.REDIS_PREFIX, queues: [...queues.all(), schedules.queue] });
  // The rate limiters' own connection: a command fails after one reconnect attempt instead of
  // waiting for Redis, so an outage lets requests through instead of holding them.
  // Auto-pipelined: the counts of the requests that arrive in one event-loop turn go to Redis in one
  // write (a system call per request was a tenth of the gateway's CPU in bench figure 4).
  const limiterRedis = createRedis(config, { maxRetriesPerRequest: 1, commandTimeout: 2_000, enableAutoPipelining: true });
  limiterRedis.on('error', () => undefined);
  let draining = false;
  const app = createGatewayApp({
    draining: () => draining,
    limiter: { redis: limiterRedis, prefix: config.REDIS_PREFIX },
    metrics,
    log,
    apiKey: config.GATEWAY_API_KEY,
    bodyLimit: config.GATEWAY_BODY_LIMIT,
    rateLimitPerMinute: config.GATEWAY_RATE_LIMIT_PER_MINUTE,
    authFailuresPerMinute: config.GATEWAY_AUTH_FAILURES_PER_MINUTE,
    trustProxy: config.GATEWAY_TRUST_PROXY,
    jsonBounds: {
      maxDepth: config.GATEWAY_JSON_MAX_DEPTH,
      maxItems: config.GATEWAY_JSON_MAX_ITEMS,
      maxString: config.GATEWAY_JSON_MAX_STRING,
    },
    publicUrl: config.PUBLIC_URL,
    opsQueues: [schedules.queue, notifications.queue],
    deps: {
      pool: db.pool,
      queues,
      redis,
      schedules: schedules.queue,
      quotas,
      groupCommit,
      settings: {
        redisPrefix: config.REDIS_PREFIX,
        scheduleMinIntervalSeconds: config.SCHEDULE_MIN_INTERVAL_SECONDS,
        scheduleMaxPerSource: config.SCHEDULE_MAX_PER_SOURCE,
        emailEnabled: smtpFromConfig(config) !== undefined,
        notifyAllowPrivate: config.NOTIFY_ALLOW_PRIVATE,
        maxNotifyTargetsPerRun: config.NOTIFY_MAX_TARGETS_PER_RUN,
      },
      config,
      log,
      async ping() {
        // Commands wait for a reconnect (maxRetriesPerRequest: null): a dependency that does not answer within a second is down.
        const [redisOk, pgOk] = await Promise.all([
          answersWithin(redis.ping().then((r) => r === 'PONG')),
          answersWithin(db.pool.query('SELECT 1').then(() => true)),
        ]);
        return { redis: redisOk, postgres: pgOk };
      },
    },
  });
  const host = config.GATEWAY_HOST ?? (config.GATEWAY_API_KEY ? '0.0.0.0' : '127.0.0.1');
  if (!config.GATEWAY_API_KEY) {
    log.warn(
      { host },
      'GATEWAY_API_KEY is not set: the gateway accepts requests without a key and listens on 127.0.0.1 only unless GATEWAY_HOST says otherwise',
    );
  }
  const server = createServer(app);
  answerParserErrors(server, log);
  // A client trickling its headers or body holds a socket no longer than this.
  server.requestTimeout = config.GATEWAY_REQUEST_TIMEOUT_MS;
  server.headersTimeout = Math.min(10_000, config.GATEWAY_REQUEST_TIMEOUT_MS);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.GATEWAY_PORT, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  return {
    url,
    server,
    async close() {
      // /ready answers 503 at once, while the schedule ticks and deliveries in hand finish; HTTP is
      // served until then, so a balancer that still sends requests is answered.
      draining = true;
      await notifications.close();
      await schedules.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      releaseUpstream();
      await closeQueues(queues);
      redis.disconnect();
      limiterRedis.disconnect();
      await db.close();
    },
  };
}
