import { runSourceWorker } from '@datasync/runs';
import { datawiz } from './source';

await runSourceWorker(datawiz);
