import express, { type NextFunction, type Request, type Response, type Router } from 'express';

/**
 * Several accounts per fake (issue #18): an agency connects several salons, seller cabinets or
 * Datawiz clients, each with its own credentials and data. Account `a` is the sandbox as it always
 * was (same credentials, same data); `b` is a second account whose data is seeded from another seed
 * but whose ids collide with `a`'s wherever the real API's ids could (so DataSync must scope its data
 * by connection, not by upstream id).
 */
export interface SandboxAccount {
  /** `a`, `b`: what `?account=`, fault rules' `account` and the credentials listing name it. */
  name: string;
  index: number;
  /** Seeds the account's contents (account `a`: SANDBOX_SEED itself, so nothing changes). */
  seed: number;
  /** Seeds the ids that may collide between accounts: SANDBOX_SEED for every account. */
  idSeed: number;
}

export const ACCOUNT_NAMES = ['a', 'b'] as const;

/** The accounts every fake serves, deterministic from SANDBOX_SEED. */
export function sandboxAccounts(seed: number): SandboxAccount[] {
  return ACCOUNT_NAMES.map((name, index) => ({
    name,
    index,
    seed: index === 0 ? seed : (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b + index) ^ (index * 0x27d4eb2f)) >>> 0,
    idSeed: seed,
  }));
}

/** One account in `GET /<prefix>/_control/credentials`: what a connection of it is made of. */
export interface AccountListing {
  name: string;
  /** camelCase, as the source declares its connection credentials. */
  credentials: Record<string, string>;
  /** Non-secret connection settings (company ids, marketplace, …). */
  settings: Record<string, unknown>;
}

/**
 * Says which account a request belongs to, by its credentials (headers, query, or a parsed body),
 * before the fake answers it: fault rules with `account` and the request log use it.
 */
export class AccountRegistry {
  private readonly resolvers: { prefix: string; resolve: (req: Request) => string | undefined }[] = [];

  register(prefix: string, resolve: (req: Request) => string | undefined): void {
    this.resolvers.push({ prefix, resolve });
  }

  /** The account whose credentials the request carries; undefined when none (or wrong ones). */
  of(req: Request): string | undefined {
    const path = req.originalUrl.split('?')[0] ?? '/';
    for (const r of this.resolvers) {
      if (path === r.prefix || path.startsWith(`${r.prefix}/`)) return r.resolve(req);
    }
    return undefined;
  }
}

/** One account's complete fake: its router (API + control), its seeded state, and how to recognise its requests. */
export interface AccountFake {
  account: SandboxAccount;
  router: Router;
  reset(): void;
  /** True when the request carries this account's credentials. */
  owns(req: Request): boolean;
  listing(): AccountListing;
}

/**
 * Serves several accounts' fakes under one prefix. API requests go to the account whose
 * credentials they carry; requests with wrong or no credentials go to the first account, whose
 * guard answers the real API's auth error. Control requests pick the account with `?account=<name>`
 * (default: the first, so existing tests see what they always saw). `GET /_control/credentials`
 * answers the first account's fields at the top level (compatibility) plus `accounts: [...]`.
 */
export function multiAccountRouter(
  accounts: AccountFake[],
  legacyCredentials: (req: Request) => Record<string, unknown>,
  before: Router[] = [],
): Router {
  const router = express.Router();
  router.get('/_control/credentials', (req: Request, res: Response) => {
    res.json({ ...legacyCredentials(req), accounts: accounts.map((a) => a.listing()) });
  });
  router.get('/_control/accounts', (_req: Request, res: Response) => {
    res.json({ accounts: accounts.map((a) => a.listing()) });
  });
  for (const b of before) router.use(b);
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith('/_control')) {
      const wanted = typeof req.query.account === 'string' ? req.query.account : undefined;
      const target = wanted === undefined ? accounts[0] : accounts.find((a) => a.account.name === wanted);
      if (!target) {
        res.status(404).json({ error: `no sandbox account ${wanted}`, accounts: accounts.map((a) => a.account.name) });
        return;
      }
      return target.router(req, res, next);
    }
    const target = accounts.find((a) => a.owns(req)) ?? accounts[0]!;
    return target.router(req, res, next);
  });
  return router;
}

/** The account name of the first fake that owns the request. */
export const ownerOf = (accounts: AccountFake[]) => (req: Request) => accounts.find((a) => a.owns(req))?.account.name;
