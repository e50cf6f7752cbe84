import type { NextFunction, Request, Response } from 'express';
import { hash } from './hash';
import { fail, MESSAGES } from './envelope';
import { USER_ID } from './layout';

/** What the fake accepts; `GET /yclients/_control/credentials` hands it to tests and workers. */
export interface CredentialSet {
  partnerToken: string;
  userToken: string;
  login: string;
  phoneLogin: string;
  password: string;
  userId: number;
  /** The code `POST /auth` accepts as `2fa.secret` when two-factor mode is on. */
  twoFactorCode: string;
  /** Ready-made Authorization header value. */
  authorization: string;
}

const hex = (seed: number, n: number, length: number) => {
  let out = '';
  for (let i = 0; out.length < length; i++) out += hash(seed, n, i).toString(16).padStart(8, '0');
  return out.slice(0, length);
};
const alnum = (seed: number, length: number) => {
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < length; i++) out += chars[hash(seed, 0xa17, i) % chars.length];
  return out;
};

/**
 * Partner and user tokens (§2.1). The user token stays the same across `POST /auth` calls and
 * changes only when the password is rotated, which invalidates the old one.
 */
export class Credentials {
  private generation = 0;
  private current: CredentialSet;

  constructor(private readonly seed: number) {
    this.current = this.make('sandbox-password');
  }

  private make(password: string): CredentialSet {
    const partnerToken = alnum(this.seed, 20);
    const userToken = hex(this.seed, 0x05e4 + this.generation, 32);
    return {
      partnerToken,
      userToken,
      login: 'owner@example.com',
      phoneLogin: '79161234567',
      password,
      userId: USER_ID,
      twoFactorCode: '123456',
      authorization: `Bearer ${partnerToken}, User ${userToken}`,
    };
  }

  reset(): void {
    this.generation = 0;
    this.current = this.make('sandbox-password');
  }

  get(): CredentialSet {
    return { ...this.current };
  }

  rotate(password?: string): CredentialSet {
    this.generation += 1;
    this.current = this.make(password ?? `sandbox-password-${this.generation}`);
    return this.get();
  }

  checkLogin(login: unknown, password: unknown): boolean {
    return (login === this.current.login || login === this.current.phoneLogin) && password === this.current.password;
  }

  profile() {
    return {
      id: USER_ID,
      user_token: this.current.userToken,
      name: 'Ирина Петрова',
      phone: this.current.phoneLogin,
      login: this.current.login,
      email: this.current.login,
      avatar: 'https://yclients.com/images/no-master.png',
      is_approved: true,
      is_email_confirmed: true,
    };
  }

  /** Splits `Bearer X, User Y` on the comma (a space after it is optional); scheme words are case-sensitive. */
  static parse(header: string | undefined): { partner?: string; user?: string } {
    const out: { partner?: string; user?: string } = {};
    for (const part of (header ?? '').split(',')) {
      const m = /^(Bearer|User)\s+(\S+)$/.exec(part.trim());
      if (!m) continue;
      if (m[1] === 'Bearer') out.partner = m[2];
      else out.user = m[2];
    }
    return out;
  }

  /**
   * Middleware: `user` demands partner + user tokens, `partner` a partner token and a user token
   * only if one is sent. Sets `res.locals.yclientsUser` when the user is authenticated.
   */
  require(level: 'user' | 'partner') {
    return (req: Request, res: Response, next: NextFunction): void => {
      const { partner, user } = Credentials.parse(req.header('authorization'));
      if (!partner) return fail(res, 401, MESSAGES.noAuth);
      if (partner !== this.current.partnerToken) return fail(res, 401, MESSAGES.badPartner);
      if (user === undefined && level === 'user') return fail(res, 401, MESSAGES.noAuth);
      if (user !== undefined && user !== this.current.userToken) return fail(res, 401, MESSAGES.badUser);
      res.locals.yclientsUser = user !== undefined;
      next();
    };
  }
}
