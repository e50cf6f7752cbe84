/**
 * Runs a sync's lanes at the same time and settles them all before answering: a lane that failed
 * never leaves another still writing once the attempt is marked failed or retrying (or handed
 * back), since the worker does that only after this returns. Then the first error in lane order is
 * thrown (a HandedBackError when the worker is stopping: each lane stops after its current page).
 */
export async function runLanes(lanes: readonly (() => Promise<void>)[]): Promise<void> {
  const settled = await Promise.allSettled(lanes.map((lane) => lane()));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
}
