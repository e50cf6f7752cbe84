/**
 * The sources as the kit sees them, from the registry (@datasync/sources): their names and which
 * upstream base URL variable each fake of the sandbox answers. The one place the kit learns about
 * sources, so nothing else in the tests names one.
 */
import { sandboxUpstreams, sources } from '@datasync/sources';

/** Every source name (= queue name = `worker-<name>` app), in registry order. */
export const sourceNames: readonly string[] = sources.map((s) => s.name);

/** Upstream base URL variable → the sandbox path that fakes it. */
export const sandboxBaseUrls: Readonly<Record<string, string>> = sandboxUpstreams;

/** The worker app of a source. */
export const workerApp = (name: string): `worker-${string}` => `worker-${name}`;

/** Upstream limits a test stack raises so tests do not wait on a real API's quota (each declaration's `sandbox.testEnv`). */
export const fastUpstreamSettings: Readonly<Record<string, string>> = Object.assign({}, ...sources.map((s) => s.sandbox.testEnv ?? {}));
