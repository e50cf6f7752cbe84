import { createServer } from 'node:net';

/** A port `pnpm start` is about to listen on, and what for. */
export interface PortNeed {
  /** The variable that sets it, e.g. GATEWAY_PORT. */
  variable: string;
  port: number;
  host: string;
  /** Who listens there, for the message: "the gateway". */
  what: string;
}

/** True when something else already listens on `host:port` (0: any port, never taken). */
function isTaken(need: PortNeed): Promise<boolean> {
  if (need.port === 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE' || err.code === 'EACCES'));
    probe.listen({ port: need.port, host: need.host, exclusive: true }, () => probe.close(() => resolve(false)));
  });
}

/**
 * Every port of the stack, checked before anything starts: a taken one would otherwise let
 * `pnpm start` print "DataSync is running" with another program's URL, then fail.
 * Answers the message to print, or undefined when all are free.
 */
export async function checkPorts(needs: PortNeed[]): Promise<string | undefined> {
  const taken: PortNeed[] = [];
  for (const need of needs) if (await isTaken(need)) taken.push(need);
  if (taken.length === 0) return undefined;
  const lines = taken.map((n) => `  port ${n.port} on ${n.host} (${n.variable}, ${n.what}) is already in use by another program`);
  const example = taken.map((n) => `${n.variable}=${n.port + 1}`).join(' ');
  return [
    'DataSync cannot start: a port it needs is taken.',
    ...lines,
    `Stop that program (is DataSync already running?), or choose other ports: ${example} pnpm start`,
  ].join('\n');
}
