import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CeilingProcess {
  pid: number;
  url: string;
  stop(): Promise<void>;
}

/** Starts express-ceiling.ts as its own process, the way the gateway is started (`node --import tsx`, production). */
export async function startCeiling(env: {
  REDIS_URL: string;
  REDIS_PREFIX: string;
  CEILING_QUEUE: string;
  CEILING_JOB: string;
  CEILING_ROUTE: string;
}): Promise<CeilingProcess> {
  const dir = path.dirname(fileURLToPath(import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(dir, 'express-ceiling.ts')], {
    cwd: path.join(dir, '..'),
    env: { ...process.env, ...env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ceiling server did not start in 30 s: ${output.slice(-2000)}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const line = /\{"msg":"ceiling listening","url":"([^"]+)"\}/.exec(output);
      if (line) {
        clearTimeout(timer);
        resolve(line[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the ceiling server exited before it listened: ${output.slice(-2000)}`));
    });
  });
  return {
    pid: child.pid!,
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
