import { startSourceWorker, type SourceDeclaration } from '@datasync/runs';
import { sourceByName } from '@datasync/sources';
import type { WorkerStarter } from './stack';

/**
 * A source's worker in this process, from its declaration in the registry: what its package's
 * `start<Name>Worker` does, without the tests depending on the source's package.
 */
export function sourceWorker(name: string): WorkerStarter {
  const source = sourceByName(name) as SourceDeclaration | undefined;
  if (!source) throw new Error(`no source ${name} in the registry`);
  return (config, log) => startSourceWorker(source, config, log);
}
