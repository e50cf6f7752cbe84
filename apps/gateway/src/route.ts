import type pg from 'pg';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { DatawizClient } from '@datasync/datawiz-client';
import type { QueueSet, Quotas } from '@datasync/runs';

/** What route handlers may use. Passed in, so handlers run in tests without Express. */
export interface GatewayDeps {
  pool: pg.Pool;
  queues: QueueSet;
  ping(): Promise<{ redis: boolean; postgres: boolean }>;
  redis: Redis;
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
  /** The Datawiz API, for routes that call it synchronously (creating promotions). */
  datawiz?: DatawizClient;
}

export interface RouteInput {
  query: unknown;
  params: Record<string, string>;
  body: unknown;
}

export interface RouteResult {
  status?: number;
  body: unknown;
}

/** One HTTP route: how Express serves it and how the OpenAPI document describes it. */
export interface Route {
  method: 'get' | 'post' | 'delete';
  /** Express path, e.g. `/api/runs/:id`. */
  path: string;
  summary: string;
  tag: string;
  query?: z.ZodObject;
  params?: z.ZodObject;
  body?: z.ZodType;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  handle(input: RouteInput, deps: GatewayDeps): Promise<RouteResult>;
}
