import type { Request, Response } from 'express';
import { Random } from '../random';
import type { Credentials } from './data';

export const ACCESS_TOKEN_SECONDS = 36_000;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

interface Grant {
  access: string;
  refresh: string;
  expiresAt: number;
}

/**
 * django-oauth-toolkit as the fake plays it: password and refresh_token grants for one seeded
 * application and user, 30-character tokens, refresh tokens rotated (the old pair dies on refresh).
 */
export class TokenStore {
  private byAccess = new Map<string, Grant>();
  private byRefresh = new Map<string, Grant>();
  private random: Random;

  constructor(
    private readonly seed: number,
    readonly credentials: Credentials,
  ) {
    this.random = new Random(seed ^ 0xd47a);
  }

  reset(): void {
    this.byAccess.clear();
    this.byRefresh.clear();
    this.random = new Random(this.seed ^ 0xd47a);
  }

  private token(): string {
    let s = '';
    for (let i = 0; i < 30; i++) s += ALPHABET[Math.floor(this.random.next() * ALPHABET.length)];
    return s;
  }

  issue(): Grant {
    const grant = { access: this.token(), refresh: this.token(), expiresAt: Date.now() + ACCESS_TOKEN_SECONDS * 1000 };
    this.byAccess.set(grant.access, grant);
    this.byRefresh.set(grant.refresh, grant);
    return grant;
  }

  refresh(token: string): Grant | undefined {
    const old = this.byRefresh.get(token);
    if (!old) return undefined;
    this.byAccess.delete(old.access);
    this.byRefresh.delete(old.refresh);
    return this.issue();
  }

  /** An access token this store issued (live or expired): its requests belong to this account. */
  issued(access: string): boolean {
    return this.byAccess.has(access);
  }

  valid(access: string): boolean {
    const grant = this.byAccess.get(access);
    return grant !== undefined && grant.expiresAt > Date.now();
  }

  /** Control: every access token expires now (refresh tokens still work). */
  expireAll(): number {
    for (const grant of this.byAccess.values()) grant.expiresAt = 0;
    return this.byAccess.size;
  }
}

const oauthError = (res: Response, status: number, error: string, description?: string) => {
  res.status(status).json(description ? { error, error_description: description } : { error });
};

/** Client credentials from the form, or from HTTP Basic as oauthlib also accepts. */
export function clientOf(req: Request, body: Record<string, unknown>): { id?: string; secret?: string } {
  const basic = /^Basic (.+)$/i.exec(req.header('authorization') ?? '');
  if (basic) {
    const [id, secret] = Buffer.from(basic[1] ?? '', 'base64')
      .toString()
      .split(':');
    return { id: decodeURIComponent(id ?? ''), secret: decodeURIComponent(secret ?? '') };
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { id: str(body.client_id), secret: str(body.client_secret) };
}

/** `POST /api/o/token/` (form-encoded), answering as django-oauth-toolkit does. */
export function tokenHandler(store: TokenStore) {
  return (req: Request, res: Response): void => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    const body = (req.is('application/x-www-form-urlencoded') ? req.body : {}) as Record<string, unknown>;
    const grantType = body.grant_type;
    if (grantType !== 'password' && grantType !== 'refresh_token') return oauthError(res, 400, 'unsupported_grant_type');
    const client = clientOf(req, body);
    if (client.id !== store.credentials.client_id || client.secret !== store.credentials.client_secret) {
      return oauthError(res, 401, 'invalid_client');
    }
    let grant;
    if (grantType === 'password') {
      for (const param of ['username', 'password']) {
        if (typeof body[param] !== 'string') return oauthError(res, 400, 'invalid_request', `Request is missing ${param} parameter.`);
      }
      if (body.username !== store.credentials.username || body.password !== store.credentials.password) {
        return oauthError(res, 400, 'invalid_grant', 'Invalid credentials given.');
      }
      grant = store.issue();
    } else {
      if (typeof body.refresh_token !== 'string') return oauthError(res, 400, 'invalid_request', 'Missing refresh token parameter.');
      grant = store.refresh(body.refresh_token);
      if (!grant) return oauthError(res, 400, 'invalid_grant');
    }
    res.status(200).json({
      access_token: grant.access,
      expires_in: ACCESS_TOKEN_SECONDS,
      token_type: 'Bearer',
      scope: 'read write',
      refresh_token: grant.refresh,
    });
  };
}

/** Whether the request carries a live bearer token (HTTP Signature, Basic and the rest do not count). */
export function authenticated(store: TokenStore, req: Request): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '');
  return m !== null && store.valid(m[1] ?? '');
}
