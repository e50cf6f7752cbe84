import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';

/** What `/ready` reports besides draining: the dependencies a worker needs, reachable or not. */
export type DependencyPing = () => Promise<{ redis: boolean; postgres: boolean }>;

export interface HealthListener {
  url: string;
  close(): Promise<void>;
}

/** True when `check` resolves true within `ms`; false when it fails or hangs. */
export function answersWithin(check: Promise<boolean>, ms = 1000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([check.catch(() => false), late]).finally(() => clearTimeout(timer));
}

/**
 * A worker's probes (WORKER_HEALTH_PORT): `/health` answers 200 while the process runs (a draining
 * worker is alive: a liveness probe must not restart it); `/ready` answers 503 from the moment the
 * worker drains, else 200 when Redis and Postgres answer. Nothing else is served (no secrets, no
 * data), so it needs no API key.
 */
export async function startHealthListener(options: {
  port: number;
  host: string;
  draining: () => boolean;
  ping: DependencyPing;
}): Promise<HealthListener> {
  const server = createServer((req, res) => {
    const answer = (status: number, body: Record<string, unknown>) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(405, { status: 'method not allowed' });
    if (path === '/health') return answer(200, { status: 'ok' });
    if (path !== '/ready') return answer(404, { status: 'not found', error: { code: 'not_found', message: 'only /health and /ready' } });
    if (options.draining()) return answer(503, { status: 'draining' });
    void options.ping().then(
      (s) => answer(s.redis && s.postgres ? 200 : 503, { status: s.redis && s.postgres ? 'ready' : 'not ready', ...s }),
      () => answer(503, { status: 'not ready' }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const shown = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
