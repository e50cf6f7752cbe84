import { runSourceWorker } from '@datasync/runs';
import { avito } from './source';

await runSourceWorker(avito);
