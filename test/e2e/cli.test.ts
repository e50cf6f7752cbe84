import { describe, expect, it } from 'vitest';
import { sourceNames } from '../helpers';
import { useCommandLine } from './command-line';

/**
 * The command line's own behaviour, whatever the source. Running a source's jobs through it is in
 * that source's e2e folder (`test/e2e/<source>/cli.test.ts`).
 */
const cli = useCommandLine({ workers: [] });
const [source] = sourceNames as [string];

describe('datasync command line', () => {
  it('runs with no match says so, naming the filters', async () => {
    const none = await cli.datasync('runs', '--source', source, '--state', 'failed');
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe(
      `no runs with source ${source}, state failed (scheduled runs that found nothing are hidden; --idle lists them)\n`,
    );
  });
});
