import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { createSandbox, type Sandbox, type SandboxOptions } from './app';

export interface RunningSandbox extends Sandbox {
  server: Server;
  url: string;
  /** The mail catcher's SMTP port, when `smtpPort` was given. */
  smtpPort?: number;
  close(): Promise<void>;
}

/**
 * Starts the sandbox on `port` (0: any free port) and answers its base URL; with `smtpPort`, the
 * mail catcher's SMTP server too.
 */
export async function startSandbox(options: SandboxOptions & { port: number; host?: string; smtpPort?: number }): Promise<RunningSandbox> {
  const sandbox = createSandbox(options);
  const server = createServer(sandbox.app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const smtpPort = options.smtpPort === undefined ? undefined : await sandbox.mail.listen(options.smtpPort, options.host ?? '127.0.0.1');
  return {
    ...sandbox,
    server,
    url: `http://127.0.0.1:${port}`,
    smtpPort,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await sandbox.mail.close();
    },
  };
}
