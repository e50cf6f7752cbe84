/**
 * `pnpm --filter @datasync/bench propagation`: order → other marketplaces told, push on vs poll only
 * (`--trials=N` orders per mode, default 6; `--poll-ms=N` the poll-only tick, default 10000;
 * `--modes=poll` or `--modes=push` one mode only).
 */
import { runPropagation } from './propagation';

const arg = (name: string, fallback: number) => {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  return raw === undefined ? fallback : Number(raw);
};
const modesArg = process.argv.find((a) => a.startsWith('--modes='))?.slice('--modes='.length);
const modes = (modesArg?.split(',') ?? ['poll', 'push']) as ('poll' | 'push')[];
const result = await runPropagation({ trials: arg('trials', 6), pollEveryMs: arg('poll-ms', 10_000), modes });
process.exitCode = !modes.includes('push') || result.push.median < 2000 ? 0 : 1;
