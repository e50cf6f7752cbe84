import express, { type Request } from 'express';
import { multiAccountRouter, ownerOf, type AccountFake, type SandboxAccount } from '../accounts';
import type { Fake, FakeContext } from '../fake';
import { seededFaker } from '../random';
import { apiHandler } from './api';
import { clientOf, tokenHandler, TokenStore } from './auth';
import { controlRouter } from './control';
import { generateCredentials, generateDatawizData, withSharedIds } from './data';
import { DatawizStore } from './resources';
import { API_PATH, apiRoot, origin, PREFIX, TOKEN_PATH } from './urls';

/** An account's seeded world: its own contents, account `a`'s ids (see `withSharedIds`). */
const seededFor = (account: SandboxAccount) => () => {
  const own = generateDatawizData(seededFaker(account.seed));
  return account.seed === account.idSeed ? own : withSharedIds(own, generateDatawizData(seededFaker(account.idSeed)));
};

const bearer = (req: Request) => /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '')?.[1];

/** One Datawiz client: its OAuth application and user, its tokens and its data. */
function createDatawizAccount(account: SandboxAccount): AccountFake {
  const seeded = seededFor(account);
  const store = new DatawizStore(seeded());
  const tokens = new TokenStore(account.seed, generateCredentials(seededFaker(account.seed ^ 0x0a17)));
  const reset = () => {
    store.load(seeded());
    tokens.reset();
  };

  const router = express.Router();
  router.use('/_control', controlRouter(store, tokens, reset));
  const issueToken = tokenHandler(tokens);
  router.all(TOKEN_PATH, express.urlencoded({ extended: false }), (req, res) => {
    if (req.method !== 'POST') {
      res.status(405).setHeader('Allow', 'POST').end();
      return;
    }
    issueToken(req, res);
  });
  router.use(API_PATH, express.text({ type: () => true, limit: '50mb' }), apiHandler(store, tokens));
  router.use((_req, res) => {
    res.status(404).json({ detail: 'Not found' });
  });

  const { client_id: clientId, client_secret: clientSecret, username, password } = tokens.credentials;
  return {
    account,
    router,
    reset,
    owns: (req) => {
      if (req.path === TOKEN_PATH) {
        const body = (req.body ?? {}) as Record<string, unknown>;
        const client = clientOf(req, typeof body === 'object' ? body : {});
        return client.id === clientId && client.secret === clientSecret;
      }
      const token = bearer(req);
      return token !== undefined && tokens.issued(token);
    },
    listing: () => ({ name: account.name, credentials: { clientId, clientSecret, username, password }, settings: {} }),
  };
}

/**
 * The Datawiz API (DRF collections behind OAuth2), per shared/reference/datawiz.md §8, with the
 * legacy `/sale/` shape DataSync's users know (`products[]`); POST answers the documented
 * `{"results": {"updated", "created"}}` (or the brief's `{updated, inserted}` on request). One
 * client (application + user + data) per sandbox account. Assumptions are listed in
 * apps/sandbox/README.md.
 */
export function createDatawizFake(ctx: FakeContext): Fake {
  ctx.faults.registerPreset('datawiz.throttled', {
    status: 429,
    body: { detail: 'Request was throttled. Expected available in 30 seconds.' },
    headers: { 'Retry-After': '30' },
  });
  ctx.faults.registerPreset('datawiz.token-expired', {
    status: 401,
    body: { detail: 'Authentication credentials were not provided.' },
    headers: { 'WWW-Authenticate': 'Bearer realm="api"' },
  });
  ctx.faults.registerPreset('datawiz.server-error', {
    status: 500,
    body: '<h1>Server Error (500)</h1>',
    contentType: 'text/html',
  });

  const accounts = ctx.accounts.map(createDatawizAccount);
  ctx.registry.register('/datawiz', ownerOf(accounts));
  // The token form is parsed before an account is picked: its client credentials name the account.
  const parseTokenForm = express.Router();
  parseTokenForm.post(TOKEN_PATH, express.urlencoded({ extended: false }), (_req, _res, next) => next());
  const first = accounts[0]!.listing().credentials;
  const router = multiAccountRouter(
    accounts,
    (req) => ({
      client_id: first.clientId,
      client_secret: first.clientSecret,
      username: first.username,
      password: first.password,
      grant_type: 'password',
      token_url: `${origin(req)}${PREFIX}${TOKEN_PATH}`,
      api_url: `${apiRoot(req)}/`,
    }),
    [parseTokenForm],
  );
  return { name: 'datawiz', prefix: '/datawiz', router, reset: () => accounts.forEach((a) => a.reset()) };
}
