import type pg from 'pg';
import type { Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { z } from 'zod';
import type { Env } from '@datasync/config';
import type { Logger } from '@datasync/logger';
import type { QueueSet, Quotas, RunGroupCommit } from '@datasync/runs';

/** What route handlers may use. Passed in, so handlers run in tests without Express. */
export interface GatewayDeps {
  pool: pg.Pool;
  queues: QueueSet;
  ping(): Promise<{ redis: boolean; postgres: boolean }>;
  redis: Redis | Cluster;
  /** The `schedules` queue, whose job schedulers realise the schedules. */
  schedules: Queue;
  settings: {
    redisPrefix: string;
    scheduleMinIntervalSeconds: number;
    /** SCHEDULE_MAX_PER_SOURCE. */
    scheduleMaxPerSource: number;
    /** SMTP is configured: email targets can be delivered. */
    emailEnabled: boolean;
    /** NOTIFY_ALLOW_PRIVATE: webhook URLs may name loopback and private addresses. */
    notifyAllowPrivate: boolean;
    /** NOTIFY_MAX_TARGETS_PER_RUN. */
    maxNotifyTargetsPerRun: number;
  };
  /** Held by every run a request starts (`submitRun` reads it from these deps). */
  quotas: Quotas;
  /** Batches the plain run submissions of a window into one transaction and one addBulk (`submitRun` reads it from these deps). */
  groupCommit?: RunGroupCommit;
  /**
   * The gateway's configuration (the shared base and every source's slice), for a source's own
   * routes that call its upstream synchronously; such a route parses its slice from it.
   */
  config: Env & Readonly<Record<string, unknown>>;
  log: Logger;
}

export interface RouteInput {
  query: unknown;
  params: Record<string, string>;
  body: unknown;
  /** An `unauthenticated` route's body as sent (undefined when it was larger than its limit: `bodyTooLarge`). */
  rawBody?: Buffer;
  /** An `unauthenticated` route's body was larger than its `rawBodyLimit` (not read past it). */
  bodyTooLarge?: boolean;
  /** The client's address (its TCP peer, or what a configured proxy says), for an allow-list. */
  ip?: string;
}

export interface RouteResult {
  status?: number;
  body: unknown;
}

/**
 * One HTTP route: how Express serves it and how the OpenAPI document describes it. The gateway's
 * own routes and a source's (`routes` of its declaration) have this one shape.
 */
export interface Route {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express path, e.g. `/api/runs/:id`. */
  path: string;
  summary: string;
  tag: string;
  query?: z.ZodObject;
  params?: z.ZodObject;
  body?: z.ZodType;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  /**
   * A route a third party calls without the gateway's API key (a marketplace pushing events): it
   * authenticates the caller itself (a secret in its path) and answers in the caller's own error
   * format. Served before the API key check and the JSON parser: its body comes raw, at most
   * `rawBodyLimit` bytes (more is never read: `bodyTooLarge`).
   */
  unauthenticated?: { rawBodyLimit: number };
  handle(input: RouteInput, deps: GatewayDeps): Promise<RouteResult>;
}
