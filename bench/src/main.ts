/** `pnpm bench` (every figure at the sizes) or `pnpm bench --smoke` (tiny sizes, seconds). */
import { runBench } from './index';

const mode = process.argv.includes('--smoke') ? 'smoke' : 'full';
const result = await runBench({ mode });
const missed = result.figures.flatMap((f) => f.metrics.filter((m) => m.ok === false).map((m) => `figure ${f.id}: ${m.name}`));
if (missed.length > 0) console.log(`targets missed: ${missed.join('; ')}`);
