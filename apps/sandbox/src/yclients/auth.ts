import type { NextFunction, Request, Response } from 'express';
import { hash } from './hash';
import { fail, MESSAGES } from './envelope';
import type { SandboxAccount } from '../accounts';
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

/** Who a sandbox account's YClients user is (account `a`: the sandbox's historical user). */
interface UserProfile {
  login: string;
  phoneLogin: string;
  password: string;
  userId: number;
  name: string;
}
const PROFILES: Record<string, UserProfile> = {
  a: { login: 'owner@example.com', phoneLogin: '79161234567', password: 'sandbox-password', userId: USER_ID, name: 'Ирина Петрова' },
  b: { login: 'manager@example.org', phoneLogin: '79267654321', password: 'sandbox-password-b', userId: 1_085_417, name: 'Олег Смирнов' },
};

/**
 * One user's tokens (§2.1) under the partner token DataSync holds (one partner, several users). The
 * user token stays the same across `POST /auth` calls and changes only when the password is
 * rotated, which invalidates the old one.
 */
export class Credentials {
  private generation = 0;
  private current: CredentialSet;
  private readonly profileOf: UserProfile;

  constructor(
    /** SANDBOX_SEED: the partner token is the same for every user. */
    private readonly partnerSeed: number,
    readonly account: SandboxAccount,
  ) {
    this.profileOf = PROFILES[account.name]!;
    this.current = this.make(this.profileOf.password);
  }

  private make(password: string): CredentialSet {
    const partnerToken = alnum(this.partnerSeed, 20);
    const userToken = hex(this.account.seed, 0x05e4 + this.generation, 32);
    return {
      partnerToken,
      userToken,
      login: this.profileOf.login,
      phoneLogin: this.profileOf.phoneLogin,
      password,
      userId: this.profileOf.userId,
      twoFactorCode: '123456',
      authorization: `Bearer ${partnerToken}, User ${userToken}`,
    };
  }

  reset(): void {
    this.generation = 0;
    this.current = this.make(this.profileOf.password);
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
      id: this.profileOf.userId,
      user_token: this.current.userToken,
      name: this.profileOf.name,
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
}

/** Every sandbox account's user; requests name theirs by user token (or login, for `POST /auth`). */
export class Users {
  constructor(readonly all: Credentials[]) {}

  get first(): Credentials {
    return this.all[0]!;
  }

  byName(name: string): Credentials | undefined {
    return this.all.find((u) => u.account.name === name);
  }

  byToken(userToken: string | undefined): Credentials | undefined {
    return userToken === undefined ? undefined : this.all.find((u) => u.get().userToken === userToken);
  }

  /** The user whose login and password these are. */
  byLogin(login: unknown, password: unknown): Credentials | undefined {
    return this.all.find((u) => u.checkLogin(login, password));
  }

  reset(): void {
    for (const u of this.all) u.reset();
  }

  /**
   * Middleware: `user` demands partner + user tokens, `partner` a partner token and a user token
   * only if one is sent. Sets `res.locals.yclientsUser` to the user's account name when the user is
   * authenticated.
   */
  require(level: 'user' | 'partner') {
    return (req: Request, res: Response, next: NextFunction): void => {
      const { partner, user } = Credentials.parse(req.header('authorization'));
      if (!partner) return fail(res, 401, MESSAGES.noAuth);
      if (partner !== this.first.get().partnerToken) return fail(res, 401, MESSAGES.badPartner);
      if (user === undefined && level === 'user') return fail(res, 401, MESSAGES.noAuth);
      const known = this.byToken(user);
      if (user !== undefined && !known) return fail(res, 401, MESSAGES.badUser);
      res.locals.yclientsUser = known?.account.name;
      next();
    };
  }
}
