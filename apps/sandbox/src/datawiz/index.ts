import express from 'express';
import type { Fake, FakeContext } from '../fake';
import { seededFaker } from '../random';
import { apiHandler } from './api';
import { tokenHandler, TokenStore } from './auth';
import { controlRouter } from './control';
import { generateCredentials, generateDatawizData } from './data';
import { DatawizStore } from './resources';
import { API_PATH, TOKEN_PATH } from './urls';

/**
 * The Datawiz API (DRF collections behind OAuth2), per shared/reference/datawiz.md §8, with the
 * legacy `/sale/` shape DataSync's users know (`products[]`); POST answers the documented
 * `{"results": {"updated", "created"}}` (or the brief's `{updated, inserted}` on request).
 * Assumptions are listed in apps/sandbox/README.md.
 */
export function createDatawizFake(ctx: FakeContext): Fake {
  const seeded = () => generateDatawizData(seededFaker(ctx.seed));
  const store = new DatawizStore(seeded());
  const tokens = new TokenStore(ctx.seed, generateCredentials(seededFaker(ctx.seed ^ 0x0a17)));
  const reset = () => {
    store.load(seeded());
    tokens.reset();
  };

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
  return { name: 'datawiz', prefix: '/datawiz', router, reset };
}
