import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The node flags of an app's `pnpm start` when it reads `node <flags> --import tsx src/main.ts`
 * (worker-yclients sets V8's young generation size there), so the root `pnpm start`, the tests and
 * the bench run the process with the heap production gives it; none when it is plain `tsx src/main.ts`.
 * `appDir` is the app's folder (apps/<app>), absolute.
 */
export function startNodeArgs(appDir: string): string[] {
  const pkg = JSON.parse(readFileSync(path.join(appDir, 'package.json'), 'utf8')) as { scripts?: { start?: string } };
  const match = /^node\s+(.*?)\s*--import tsx src\/main\.ts$/.exec(pkg.scripts?.start ?? '');
  return match?.[1]?.split(/\s+/).filter(Boolean) ?? [];
}
