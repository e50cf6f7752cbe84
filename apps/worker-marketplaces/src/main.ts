import { runSourceWorker } from '@datasync/runs';
import { marketplaces } from './source';

await runSourceWorker(marketplaces);
