import type { z } from 'zod';
import type { Handler, RunContext } from './worker';

/**
 * A handler whose run checkpoint has a declared shape: the saved checkpoint is parsed with
 * `schema` before the handler sees it, and every `commitPage` must save that shape. A checkpoint
 * that does not parse (written by an older version of the handler) is dropped with a warning and the
 * run starts over, which every handler must already survive (a fresh run).
 */
export function withCheckpoint<P, C>(schema: z.ZodType<C>, run: (ctx: RunContext<P, C>) => Promise<void>): Handler<P> {
  return (ctx) => {
    let checkpoint: C | null = null;
    if (ctx.checkpoint !== null) {
      const parsed = schema.safeParse(ctx.checkpoint);
      if (parsed.success) checkpoint = parsed.data;
      else ctx.log.warn({ checkpoint: ctx.checkpoint, err: parsed.error.message }, 'saved checkpoint has another shape; starting over');
    }
    // The context's functions close over the run, not over `this`: a copy with the typed checkpoint shares them.
    return run({ ...ctx, checkpoint });
  };
}
