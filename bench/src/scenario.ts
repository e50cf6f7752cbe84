import type { BenchScenario } from '@datasync/runs';
import { sources } from '@datasync/sources';

/**
 * The source the bench measures: the one whose declaration (in the registry) has a `bench`
 * scenario. The bench names no source; a source brings its tables, credentials and data sets.
 */
export async function declaredScenario(): Promise<{ source: string; scenario: BenchScenario }> {
  const declared = sources.filter((s) => s.bench);
  if (declared.length !== 1)
    throw new Error(
      `the bench needs exactly one source declaring a bench scenario, found ${declared.length}: ${declared.map((s) => s.name).join(', ')}`,
    );
  const [source] = declared;
  return { source: source!.name, scenario: (await source!.bench!()).default };
}
