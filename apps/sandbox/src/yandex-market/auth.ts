import type { NextFunction, Request, Response } from 'express';
import { sleep } from '../faults';
import type { YmCredentials } from './data';
import { fail } from './envelope';
import type { YmLimits } from './limits';

/** Auth, then the parallel cap and simulated latency (control endpoints are free). */
export function apiGuard(limits: YmLimits, credentials: YmCredentials) {
  const { settings, inFlight } = limits;
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith('/_control')) return next();
    const apiKey = req.header('api-key');
    const authorization = req.header('authorization');
    let principal: string;
    if (apiKey !== undefined) {
      if (/^(Bearer|OAuth)\s/i.test(apiKey)) return fail(res, 401, 'UNAUTHORIZED', 'Api-Key token prefix invalid');
      if (apiKey !== credentials.apiKey) return fail(res, 401, 'UNAUTHORIZED', 'Api-Key token is invalid');
      principal = 'api-key';
    } else if (authorization !== undefined) {
      const m = /^Bearer\s+(.+)$/i.exec(authorization);
      if (!m || m[1] !== credentials.oauthToken) return fail(res, 401, 'UNAUTHORIZED', 'OAuth token is invalid');
      principal = 'oauth';
    } else {
      return fail(res, 401, 'UNAUTHORIZED', 'Credentials are not specified');
    }
    res.locals.ymPrincipal = principal;
    if (settings.enabled) {
      const cap = settings.options.parallel ?? 2;
      const running = inFlight.get(principal) ?? 0;
      if (running >= cap) return fail(res, 420, 'HIT_RATE_LIMIT', `Hit rate limit of ${cap} parallel requests`);
      inFlight.set(principal, running + 1);
      let done = false;
      const release = () => {
        if (done) return;
        done = true;
        inFlight.set(principal, (inFlight.get(principal) ?? 1) - 1);
      };
      res.on('finish', release);
      res.on('close', release);
    }
    const latency = settings.options.latencyMs ?? 0;
    if (latency > 0) await sleep(latency);
    next();
  };
}
