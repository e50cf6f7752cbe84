/** `pnpm bench` (every figure at the sizes), `pnpm bench --smoke` (tiny sizes, seconds), `--only=1,4` (some figures). */
import { runBench } from './index';

const mode = process.argv.includes('--smoke') ? 'smoke' : 'full';
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
  .map(Number);
const result = await runBench({ mode, only });
const missed = result.figures.flatMap((f) => f.metrics.filter((m) => m.ok === false).map((m) => `figure ${f.id}: ${m.name}`));
if (missed.length > 0) console.log(`targets missed: ${missed.join('; ')}`);
