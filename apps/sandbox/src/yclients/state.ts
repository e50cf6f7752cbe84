import { z } from 'zod';
import { seededFaker } from '../random';
import { generateNamePools, type NamePools } from './catalog';
import { Company } from './company';
import type { CompanyOptions } from './layout';
import { hash } from './hash';
import { DATA_NOW } from './time';

export const quirksSchema = z.object({
  /** Shuffle transactions that share a `date` on every request, so page boundaries drop or repeat rows (§9.2). */
  unstableTransactions: z.boolean().default(false),
  /** Client search `page_size` above 200, and `count` above `maxCount`: clamp, or answer 400. */
  overMax: z.enum(['clamp', 'reject']).default('clamp'),
  /** Largest `count` of records, transactions and the deprecated clients list. */
  maxCount: z.number().int().min(1).default(200),
  /** Reject client-search `fields` the docs do not list (plus surname/patronymic) with 400. */
  strictSearchFields: z.boolean().default(false),
  /** `POST /auth` answers 200 with a 2FA challenge until the request carries the code. */
  twoFactor: z.boolean().default(false),
});
export type Quirks = z.infer<typeof quirksSchema>;

export const newCompanySchema = z.object({
  clients: z.number().int().min(0).max(900_000).default(1000),
  records: z.number().int().min(0).max(2_000_000).default(3000),
  staff: z.number().int().min(0).max(500).default(12),
  services: z.number().int().min(0).max(500).default(30),
  title: z.string().optional(),
  tz: z.number().int().min(-12).max(14).default(3),
  historyShare: z.number().min(0).max(1).default(0.03),
  accessible: z.boolean().default(true),
  /** The sandbox account whose user owns it. */
  account: z.string().default('a'),
});

/** The seeded companies: a small one with page-edge counts, a big one, an empty one, a forbidden one. */
const SEEDED: Omit<CompanyOptions, 'ordinal'>[] = [
  {
    id: 176275,
    title: 'Салон красоты «Оксана»',
    tz: 3,
    city: 'Москва',
    clients: 400,
    records: 1000,
    staff: 6,
    services: 18,
    historyShare: 0.3,
    accessible: true,
    account: 'a',
  },
  {
    id: 176276,
    title: 'Барбершоп «Борода»',
    tz: 3,
    city: 'Москва',
    clients: 5000,
    records: 12_000,
    staff: 14,
    services: 40,
    historyShare: 0.03,
    accessible: true,
    account: 'a',
  },
  {
    id: 176277,
    title: 'Студия «Ноготок»',
    tz: 5,
    city: 'Екатеринбург',
    clients: 0,
    records: 0,
    staff: 2,
    services: 3,
    historyShare: 0,
    accessible: true,
    account: 'a',
  },
  // Account b's: 403 to account a's user.
  {
    id: 176280,
    title: 'Чужой салон',
    tz: 3,
    city: 'Москва',
    clients: 50,
    records: 100,
    staff: 3,
    services: 5,
    historyShare: 0,
    accessible: true,
    account: 'b',
  },
];
/** Account b's second company, added after the created ones' ordinals so theirs do not move. */
const SEEDED_EXTRA: (Omit<CompanyOptions, 'ordinal'> & { ordinal: number })[] = [
  {
    id: 176281,
    ordinal: 60,
    title: 'Салон «Белла»',
    tz: 3,
    city: 'Санкт-Петербург',
    clients: 120,
    records: 300,
    staff: 4,
    services: 8,
    historyShare: 0.1,
    accessible: true,
    account: 'b',
  },
];
export const CREATED_COMPANY_BASE = 900_001;

/** Everything the YClients fake holds; `reset()` rebuilds it from the seed. */
export class YclientsState {
  companies = new Map<number, Company>();
  quirks: Quirks = quirksSchema.parse({});
  private pools: NamePools;
  private ticks = 0;
  /** Ordinals of the seeded and created companies, in order (account b's extra company has its own). */
  private ordinals = 0;
  private requests = 0;

  constructor(private readonly seed: number) {
    this.pools = generateNamePools(seededFaker(seed));
    this.reset();
  }

  reset(): void {
    this.companies = new Map();
    this.ordinals = 0;
    this.quirks = quirksSchema.parse({});
    this.ticks = 0;
    this.requests = 0;
    for (const options of SEEDED) this.add(options);
    for (const options of SEEDED_EXTRA) this.add(options);
  }

  add(options: Omit<CompanyOptions, 'ordinal'> & { ordinal?: number }): Company {
    const ordinal = options.ordinal ?? this.ordinals++;
    const company = new Company({ ...options, ordinal }, this.pools, this.seed, seededFaker(hash(this.seed, options.id)));
    this.companies.set(company.id, company);
    return company;
  }

  create(input: z.infer<typeof newCompanySchema>): Company {
    const id = CREATED_COMPANY_BASE + (this.companies.size - SEEDED.length - SEEDED_EXTRA.length);
    return this.add({
      id,
      title: input.title ?? `Филиал ${id}`,
      tz: input.tz,
      city: 'Москва',
      clients: input.clients,
      records: input.records,
      staff: input.staff,
      services: input.services,
      historyShare: input.historyShare,
      accessible: input.accessible,
      account: input.account,
    });
  }

  /** The fake clock of changes made through control endpoints: after all seeded data, one second a change. */
  tick(): number {
    this.ticks += 1;
    return DATA_NOW + 3600 + this.ticks;
  }

  /** Whether the user of `account` may read the company (the real API answers 403 otherwise). */
  readable(company: Company, account: string): boolean {
    return company.options.accessible && company.options.account === account;
  }

  /** The companies `account`'s user has rights on. */
  companiesOf(account: string): Company[] {
    return [...this.companies.values()].filter((c) => this.readable(c, account));
  }

  /** A number per served request, seeding the shuffle of unstable transaction pages. */
  nextRequest(): number {
    return hash(this.seed, 0x0dd, ++this.requests);
  }
}
