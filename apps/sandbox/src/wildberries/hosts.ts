import express, { type Request, type Response, type Router } from 'express';
import { hostGuard } from './auth';
import type { WbCategory, WbTokens } from './data';
import type { WbLimits } from './limits';

/** The WB hosts the fake serves, as sub-paths of `/wb`, and the token category each needs. */
export const HOSTS: Record<string, WbCategory> = {
  marketplace: 'marketplace',
  content: 'content',
  returns: 'returns',
  analytics: 'analytics',
  statistics: 'statistics',
  common: 'marketplace',
};

/** One router per host, each behind the gateway and answering `/ping`; the API routes are added to them. */
export function createHostRouters(limits: WbLimits, seller: { sellerId: string; tokens: WbTokens }): Record<string, Router> {
  const hosts: Record<string, Router> = {};
  for (const host of Object.keys(HOSTS)) {
    const sub = express.Router();
    sub.use(hostGuard(host, HOSTS[host]!, limits, seller));
    sub.get('/ping', (_req: Request, res: Response) => {
      res.json({ TS: new Date(Date.now() + 3 * 3600_000).toISOString().replace(/\.\d{3}Z$/, '+03:00'), Status: 'OK' });
    });
    hosts[host] = sub;
  }
  return hosts;
}
