/**
 * The sources as the kit sees them: their names and which upstream base URL variable each fake of
 * the sandbox answers. The one place the kit learns about sources, so nothing else in the tests
 * names one.
 *
 * TODO(integration): derive from @datasync/sources — `sources.map((s) => s.name)`, the union of
 * each declaration's `sandbox` (upstream env var → sandbox path prefix), and the settings a test
 * stack raises (e.g. a declaration's sandbox/test settings).
 */
import { sandboxUpstreams } from '@datasync/config';
import { sources } from '@datasync/queues';

/** Every source name (= queue name = `worker-<name>` app). */
export const sourceNames: readonly string[] = sources;

/** Upstream base URL variable → the sandbox path that fakes it. */
export const sandboxBaseUrls: Readonly<Record<string, string>> = sandboxUpstreams;

/** The worker app of a source. */
export const workerApp = (name: string): `worker-${string}` => `worker-${name}`;

/** Upstream limits a test stack raises so tests do not wait on a real API's quota (the limiters have tests of their own). */
export const fastUpstreamSettings: Readonly<Record<string, string>> = { AVITO_REQUESTS_PER_MINUTE: '100000' };
