import { UpstreamDataError, UpstreamRequestError, type Queryable } from '@datasync/connector-kit';
import type { RunContext } from '@datasync/runs';

/**
 * Lookups the export can do without. A list that is undocumented (`/company/{id}/staff/positions/`,
 * reference §4.1 [obs]) or whose rows the transactions also carry (`/accounts/{id}`, §8.4) may be
 * missing on a real account: its failure is noted in the run (`progress.notes`, shown by
 * GET /api/runs/:id) and the rest of the export completes. Refused credentials or licence (401,
 * 402, 403) still fail the run, and transient failures (5xx, timeouts) still retry it: those would
 * break the next request too.
 */
export interface RunNote {
  lookup: string;
  status: number | null;
  note: string;
}

const FATAL_STATUSES = new Set([401, 402, 403]);

export async function optionalLookup<T>(
  ctx: RunContext<unknown>,
  notes: RunNote[],
  lookup: string,
  fetch: () => Promise<T>,
  without: string,
): Promise<T | undefined> {
  try {
    return await fetch();
  } catch (err) {
    const refused = err instanceof UpstreamRequestError && !FATAL_STATUSES.has(err.status ?? 0);
    if (!refused && !(err instanceof UpstreamDataError)) throw err;
    const status = err instanceof UpstreamRequestError ? (err.status ?? null) : null;
    notes.push({ lookup, status, note: `${err.message}; ${without}` });
    ctx.log.warn({ lookup, status, err: err.message }, 'optional lookup failed; the export goes on without it');
    await ctx.progress({ notes: [...notes] });
    return undefined;
  }
}

/**
 * After the transactions: drops payment articles no stored transaction names, and cash registers
 * neither the register list (when it answered) nor a transaction names. Without the list, registers
 * are kept (nothing says they are gone).
 */
export async function pruneDimensions(tx: Queryable, companyId: number, listedAccounts: string[] | undefined): Promise<void> {
  await tx.query(
    `DELETE FROM yclients_expense_categories e WHERE e.company_id = $1
       AND NOT EXISTS (SELECT 1 FROM yclients_transactions t WHERE t.company_id = e.company_id AND t.expense_id = e.id)`,
    [companyId],
  );
  if (!listedAccounts) return;
  await tx.query(
    `DELETE FROM yclients_accounts a WHERE a.company_id = $1 AND NOT (a.id = ANY($2::bigint[]))
       AND NOT EXISTS (SELECT 1 FROM yclients_transactions t WHERE t.company_id = a.company_id AND t.account_id = a.id)`,
    [companyId, listedAccounts],
  );
}
