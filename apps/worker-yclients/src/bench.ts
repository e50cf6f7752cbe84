import type { BenchScenario } from '@datasync/runs';

const n = (v: number | undefined) => (v ?? 0).toLocaleString('en');

/**
 * `pnpm bench` on YClients (bench/README.md): sandbox companies of generated clients and records,
 * synced through the gateway and compared with COPY and a naive load of the same rows.
 */
const scenario: BenchScenario = {
  sizes: {
    full: {
      load: { clients: 100_000, records: 300_000 },
      rate: { clients: 4_000, records: 12_000 },
      scale: { clients: 50, records: 150 },
      memory: { clients: 1_000, records: 1_000_000 },
    },
    smoke: {
      load: { clients: 300, records: 900 },
      rate: { clients: 200, records: 400 },
      scale: { clients: 40, records: 100 },
      memory: { clients: 50, records: 3_000 },
    },
  },
  describe: (size) => `${n(size.clients)} clients + ${n(size.records)} records`,
  tables: {
    positions: 'yclients_positions',
    staff: 'yclients_staff',
    services: 'yclients_services',
    service_staff: 'yclients_service_staff',
    client_categories: 'yclients_client_categories',
    clients: 'yclients_clients',
    client_category_links: 'yclients_client_category_links',
    records: 'yclients_records',
    record_services: 'yclients_record_services',
    record_staff: 'yclients_record_staff',
    expense_categories: 'yclients_expense_categories',
    accounts: 'yclients_accounts',
    transactions: 'yclients_transactions',
  },
  scopeColumn: 'company_id',
  naive: {
    sample: [
      { table: 'yclients_clients', column: 'id', root: 'clients' },
      { table: 'yclients_client_category_links', column: 'client_id', root: 'clients' },
      { table: 'yclients_records', column: 'id', root: 'records' },
      { table: 'yclients_record_services', column: 'record_id', root: 'records' },
      { table: 'yclients_record_staff', column: 'record_id', root: 'records' },
      { table: 'yclients_transactions', column: 'id', root: 'transactions' },
    ],
    // Dependent rows come along (about 1 per record, 0.15 per client), so aim the roots a bit lower.
    fanout: 1.8,
    fetch: async (settings, companyId, root, rows) => (await import('./bench-fetch')).naiveFetch(settings, companyId, root, rows),
  },
  upstreamPath: '/yclients/api/v1',
  // YClients' documented limit per IP (reference §2.6).
  rateLimit: { perSecond: 5, perMinute: 200, path: '/yclients/_control/rate-limit' },
  paginated: {
    clients: (path) => path.endsWith('/clients/search'),
    records: (path) => path.includes('/records/'),
    transactions: (path) => path.includes('/transactions/'),
  },
  async env(sandbox) {
    const credentials = await sandbox.get<{ partnerToken: string; login: string; password: string }>('/yclients/_control/credentials');
    return {
      YCLIENTS_BASE_URL: `${sandbox.url}/yclients/api/v1`,
      YCLIENTS_PARTNER_TOKEN: credentials.partnerToken,
      YCLIENTS_LOGIN: credentials.login,
      YCLIENTS_PASSWORD: credentials.password,
      // No client-side limit unless a figure sets one (the sandbox enforces none unless told).
      YCLIENTS_REQUESTS_PER_SECOND: '100000',
      YCLIENTS_REQUESTS_PER_MINUTE: '6000000',
    };
  },
  // Figure 5: 50 rows a page (of 200 allowed), ~20 requests per company, each carrying little work.
  scaleEnv: { YCLIENTS_PAGE_SIZE: '25' },
  rateLimitEnv: (perSecond, perMinute) => ({
    YCLIENTS_REQUESTS_PER_SECOND: String(perSecond),
    YCLIENTS_REQUESTS_PER_MINUTE: String(perMinute),
  }),
  // Rows are built on demand, page by page.
  createDataSet: async (sandbox, size) => (await sandbox.post<{ id: number }>('/yclients/_control/companies', size)).id,
  fetchOnly: async (settings, companyId) => (await import('./bench-fetch')).fetchOnly(settings, companyId),
  sync: { job: 'yclients.sync', route: '/api/yclients/sync', params: (companyId) => ({ companyId }) },
};

export default scenario;
