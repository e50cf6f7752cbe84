import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceNames } from '@datasync/testkit';

/** What a source's compose checks read of a service of docker/compose.yml (as `compose config` writes it). */
export interface ComposeService {
  environment: Record<string, string | number | undefined>;
}

/**
 * A source's own checks of docker/compose.yml beyond what its declaration gives (its upstreams and
 * sandbox settings are checked for every source): declared in `test/e2e/<source>/compose.ts`,
 * exported as `compose`, run by docker-config.test.ts.
 */
export interface ComposeChecks {
  title: string;
  check(services: Record<string, ComposeService>): void;
}

const e2e = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'e2e');
export const composeChecks: ComposeChecks[] = await Promise.all(
  sourceNames
    .filter((name) => existsSync(path.join(e2e, name, 'compose.ts')))
    .map(async (name) => ((await import(`./e2e/${name}/compose.ts`)) as { compose: ComposeChecks }).compose),
);
