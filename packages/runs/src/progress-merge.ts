/**
 * How a run's progress takes an update, in memory (`mergeProgress`) and in the database
 * (`progressMergeSql`), the same way: the update's top-level keys replace the stored ones, except
 * `entities` (per-entity progress, YClients), whose entities are merged one by one — so pages of
 * concurrent lanes, each reporting only its own entity, never put back another lane's older state
 * whatever order they commit in. An empty `entities` ({}) empties it (a new attempt's start).
 */
export function mergeProgress(stored: Record<string, unknown>, update: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...stored, ...update };
  const entities = update.entities;
  if (isObject(entities) && Object.keys(entities).length > 0 && isObject(stored.entities))
    merged.entities = { ...stored.entities, ...entities };
  return merged;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `mergeProgress` as SQL, for `SET progress = …`, with the update as the parameter `update` (e.g. `$2::jsonb`). */
export const progressMergeSql = (update: string): string => `COALESCE(progress, '{}'::jsonb) || ${update} || CASE
  WHEN jsonb_typeof(${update} -> 'entities') = 'object' AND ${update} -> 'entities' <> '{}'::jsonb
   AND jsonb_typeof(progress -> 'entities') = 'object'
  THEN jsonb_build_object('entities', (progress -> 'entities') || (${update} -> 'entities'))
  ELSE '{}'::jsonb END`;
