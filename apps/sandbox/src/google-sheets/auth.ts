import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { SheetsError } from './store';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const TOKEN_LIFETIME_SECONDS = 3599;
const WRITE_SCOPES = [
  'https://www.googleapis.com/auth/spreadsheets',
  'https://www.googleapis.com/auth/drive',
  'https://www.googleapis.com/auth/drive.file',
];
const READ_SCOPES = [
  ...WRITE_SCOPES,
  'https://www.googleapis.com/auth/spreadsheets.readonly',
  'https://www.googleapis.com/auth/drive.readonly',
];

export interface IssuedToken {
  accessToken: string;
  /** The service account (the assertion's `iss`). */
  iss: string;
  scopes: string[];
  sub?: string;
  aud: string;
  expiresAt: number;
}

const decodeSegment = (s: string): unknown => {
  if (!/^[A-Za-z0-9_-]+$/.test(s)) throw new Error('not base64url');
  return JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
};

/**
 * Checks a JWT-bearer assertion is well formed: three base64url parts, an RS256 header, and the
 * claims Google requires (iss, scope, aud, iat, exp; at most an hour long; not expired). The
 * signature is not verified: the fake does not know the service account's public key.
 */
export function checkAssertion(assertion: string, nowSeconds: number): { iss: string; scope: string; sub?: string; aud: string } | string {
  const parts = assertion.split('.');
  if (parts.length !== 3 || parts.some((p) => p === ''))
    return 'Invalid JWT: Token must be a short-lived token and in a reasonable timeframe';
  let header: unknown;
  let claims: unknown;
  try {
    header = decodeSegment(parts[0]!);
    claims = decodeSegment(parts[1]!);
    // The signature is not checked, but it must at least be base64url.
    if (!/^[A-Za-z0-9_-]+$/.test(parts[2]!)) throw new Error('signature');
  } catch {
    return 'Invalid JWT Signature.';
  }
  if (typeof header !== 'object' || header === null || (header as { alg?: unknown }).alg !== 'RS256')
    return 'Invalid JWT: alg must be RS256';
  if (typeof claims !== 'object' || claims === null) return 'Invalid JWT: claims must be an object';
  const c = claims as Record<string, unknown>;
  if (typeof c.iss !== 'string' || !c.iss.includes('@')) return 'Invalid JWT: iss must be the service account email';
  if (typeof c.aud !== 'string' || c.aud === '') return 'Invalid JWT: aud is required';
  if (typeof c.iat !== 'number' || typeof c.exp !== 'number') return 'Invalid JWT: iat and exp are required';
  if (c.exp <= nowSeconds || c.iat > nowSeconds + 300 || c.exp - c.iat > 3600) {
    return 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.';
  }
  if (typeof c.scope !== 'string' || c.scope.trim() === '') return 'invalid_scope';
  return { iss: c.iss, scope: c.scope, aud: c.aud, ...(typeof c.sub === 'string' ? { sub: c.sub } : {}) };
}

/** Access tokens the fake's `POST /token` issued. */
export class TokenStore {
  private tokens = new Map<string, IssuedToken>();
  /** Seconds a new token lives (expires_in); tests shorten it to exercise a client's refresh. */
  lifetime = TOKEN_LIFETIME_SECONDS;

  /** OAuth 2.0 token endpoint for the service-account JWT grant (what google-auth-library's JWT client calls). */
  grant = (req: Request, res: Response): void => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.grant_type !== JWT_BEARER_GRANT) {
      res.status(400).json({ error: 'unsupported_grant_type', error_description: `Invalid grant_type: ${String(body.grant_type ?? '')}` });
      return;
    }
    if (typeof body.assertion !== 'string' || body.assertion === '') {
      res.status(400).json({ error: 'invalid_request', error_description: 'Missing required parameter: assertion' });
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    const checked = checkAssertion(body.assertion, now);
    if (typeof checked === 'string') {
      const scope = checked === 'invalid_scope';
      res.status(400).json({
        error: scope ? 'invalid_scope' : 'invalid_grant',
        error_description: scope ? 'Invalid OAuth scope or ID token audience provided.' : checked,
      });
      return;
    }
    const accessToken = `ya29.sandbox-${this.tokens.size + 1}-${randomBytes(12).toString('hex')}`;
    this.tokens.set(accessToken, {
      accessToken,
      iss: checked.iss,
      scopes: checked.scope.split(/\s+/).filter(Boolean),
      aud: checked.aud,
      ...(checked.sub ? { sub: checked.sub } : {}),
      expiresAt: Date.now() + this.lifetime * 1000,
    });
    res.json({ access_token: accessToken, expires_in: this.lifetime, token_type: 'Bearer' });
  };

  /** Requires `Authorization: Bearer <token from POST /token>` with a Sheets scope. */
  require = (req: Request, res: Response, next: NextFunction): void => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '');
    const token = m ? this.tokens.get(m[1]!) : undefined;
    if (!token || token.expiresAt <= Date.now()) {
      res
        .status(401)
        .setHeader('WWW-Authenticate', 'Bearer realm="https://accounts.google.com/", error="invalid_token"')
        .json(
          new SheetsError(
            401,
            'UNAUTHENTICATED',
            'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
          ).toJSON(),
        );
      return;
    }
    const allowed = req.method === 'GET' ? READ_SCOPES : WRITE_SCOPES;
    if (!token.scopes.some((s) => allowed.includes(s))) {
      res.status(403).json(new SheetsError(403, 'PERMISSION_DENIED', 'Request had insufficient authentication scopes.').toJSON());
      return;
    }
    res.locals.sheetsToken = token;
    next();
  };

  list(): IssuedToken[] {
    return [...this.tokens.values()].map((t) => ({ ...t }));
  }

  /** Expires every token (tests of a consumer's refresh path). */
  revokeAll(): void {
    for (const t of this.tokens.values()) t.expiresAt = 0;
  }

  clear(): void {
    this.tokens.clear();
    this.lifetime = TOKEN_LIFETIME_SECONDS;
  }
}
