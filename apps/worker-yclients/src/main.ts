import { runSourceWorker } from '@datasync/runs';
import { yclients } from './source';

await runSourceWorker(yclients);
