import { runSourceWorker } from '@datasync/runs';
import { itresume } from './source';

await runSourceWorker(itresume);
