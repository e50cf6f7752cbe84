import { createHash } from 'node:crypto';
import type { DockerApi, DockerWorkload } from '../../scripts/docker/workload';

/**
 * `pnpm test:docker`'s work for the YClients workers: seeded companies (400 / 5000 / 0 clients) and
 * generated ones of various sizes, each synced through the gateway and compared with the sandbox
 * (row sets and a checksum per entity).
 */
type Row = Record<string, unknown>;
const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const num = (v: unknown) => (v === null || v === undefined || v === '' ? '' : String(Number(v)));
/** Per entity: the source's fields and the table's columns, compared as sorted "id|…" lines. */
const entities: { entity: string; table: string; columns: string; line: (r: Row) => string; source: (r: Row) => string }[] = [
  {
    entity: 'clients',
    table: 'yclients_clients',
    columns: 'id, name, phone, email',
    line: (r) => [r.id, r.name, r.phone, r.email].map(text).join('|'),
    source: (r) => [r.id, r.name, r.phone, r.email].map(text).join('|'),
  },
  {
    entity: 'records',
    table: 'yclients_records',
    columns: 'id, staff_id, deleted',
    line: (r) => [text(r.id), text(r.staff_id), String(Boolean(r.deleted))].join('|'),
    source: (r) => [text(r.id), text(r.staff_id), String(Boolean(r.deleted))].join('|'),
  },
  {
    entity: 'transactions',
    table: 'yclients_transactions',
    columns: 'id, amount::float8 AS amount',
    line: (r) => [text(r.id), num(r.amount)].join('|'),
    source: (r) => [text(r.id), num(r.amount)].join('|'),
  },
  {
    entity: 'staff',
    table: 'yclients_staff',
    columns: 'id, name',
    line: (r) => [r.id, r.name].map(text).join('|'),
    source: (r) => [r.id, r.name].map(text).join('|'),
  },
  { entity: 'services', table: 'yclients_services', columns: 'id', line: (r) => text(r.id), source: (r) => text(r.id) },
  { entity: 'accounts', table: 'yclients_accounts', columns: 'id', line: (r) => text(r.id), source: (r) => text(r.id) },
];
const digest = (lines: string[]) => createHash('sha256').update(lines.sort().join('\n')).digest('hex').slice(0, 16);

async function createCompany(api: DockerApi, clients: number, records: number): Promise<number> {
  const c = await api.getJson<{ id: number }>(`${api.sandbox}/yclients/_control/companies`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clients, records }),
  });
  return c.id;
}

const workload: DockerWorkload = {
  // The sandbox does not rate-limit by default; the real API's 4/s would only slow the test down.
  env: { YCLIENTS_REQUESTS_PER_SECOND: '500', YCLIENTS_REQUESTS_PER_MINUTE: '30000' },
  route: '/api/yclients/sync',
  async first(api) {
    const generated: number[] = [];
    for (const [clients, records] of [
      [1200, 3000],
      [800, 2500],
      [1500, 4000],
      [600, 1800],
      [1000, 3500],
      [700, 2000],
    ] as const) {
      generated.push(await createCompany(api, clients, records));
    }
    return [176275, 176276, 176277, ...generated].map((companyId) => ({ companyId }));
  },
  async more(api, n) {
    const bodies: object[] = [];
    for (let i = 0; i < n; i++) bodies.push({ companyId: await createCompany(api, 400 + 150 * i, 1200 + 300 * i) });
    return bodies;
  },
  again: { companyId: 176275 },
  compared: 'ids and checksums of clients, records, transactions, staff, services, accounts',
  async expectEqualToSource(api, body) {
    const { companyId } = body as { companyId: number };
    for (const e of entities) {
      const rows: Row[] = [];
      for (let offset = 0; ; offset += 5000) {
        const page = await api.getJson<{ total: number; rows: Row[] }>(
          `${api.sandbox}/yclients/_control/companies/${companyId}/source/${e.entity}?offset=${offset}&limit=5000`,
        );
        rows.push(...page.rows);
        if (rows.length >= page.total || page.rows.length === 0) break;
      }
      const stored = (await api.db.query(`SELECT ${e.columns} FROM ${e.table} WHERE company_id = $1`, [companyId])).rows as Row[];
      const want = digest(rows.map(e.source));
      const got = digest(stored.map(e.line));
      if (stored.length !== rows.length || got !== want) {
        throw new Error(
          `check failed: company ${companyId} ${e.entity}: database ${stored.length} rows (checksum ${got}), sandbox ${rows.length} rows (checksum ${want})`,
        );
      }
    }
  },
};
export default workload;
