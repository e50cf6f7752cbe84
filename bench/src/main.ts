/** `pnpm bench` (every figure at the issue's sizes), `pnpm bench --smoke` (tiny sizes, seconds), `--only=1,4` (some figures), `--load-scale=0.2` (figure 1's data set at a fifth). */
import { runBench } from './index';

const mode = process.argv.includes('--smoke') ? 'smoke' : 'full';
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
  .map(Number);
const scale = process.argv.find((a) => a.startsWith('--load-scale='))?.slice('--load-scale='.length);
const loadScale = scale === undefined ? undefined : Number(scale);
if (loadScale !== undefined && !(loadScale > 0)) throw new Error(`--load-scale must be a positive number, got ${scale}`);
const result = await runBench({ mode, only, loadScale });
const missed = result.figures.flatMap((f) => f.metrics.filter((m) => m.ok === false).map((m) => `figure ${f.id}: ${m.name}`));
if (missed.length > 0) console.log(`targets missed: ${missed.join('; ')}`);
