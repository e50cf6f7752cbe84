import type pg from 'pg';

/** What the scale-out test reaches: the gateway and the sandbox on the host, and the stack's database. */
export interface DockerApi {
  gateway: string;
  sandbox: string;
  db: pg.Pool;
  /** GET/POST JSON with retries on network errors (what the test itself uses). */
  getJson<T>(url: string, init?: RequestInit): Promise<T>;
}

/**
 * The work `pnpm test:docker` scales a source's worker with: found by folder convention as
 * `test/e2e/<source>-docker.ts` (its default export), for the first source of the registry that
 * has one. The script does the rest (compose, replicas, scaling in and out, tear-down).
 */
export interface DockerWorkload {
  /** Compose environment for the run (e.g. the rate limit lifted: the sandbox does not enforce it). */
  env: Record<string, string>;
  /** The route that starts one run. */
  route: string;
  /** The first round of request bodies (seeded and generated upstream data). */
  first(api: DockerApi): Promise<object[]>;
  /** `n` more bodies for fresh upstream data (round 1: after scaling in, 2: after scaling out). */
  more(api: DockerApi, n: number): Promise<object[]>;
  /** A body whose data is already synced (re-synced after scaling in). */
  again: object;
  /** Throws unless the database equals the upstream for what `body` synced. */
  expectEqualToSource(api: DockerApi, body: object): Promise<void>;
  /** What was compared, for the log. */
  compared: string;
}
