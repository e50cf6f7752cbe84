import type { Response } from 'express';
import { iso } from '../marketplace-params';

/** Marketplace-method errors: `{code, message, data}`. */
export const fail = (res: Response, http: number, code: string, message: string) => {
  res.status(http).json({ code, message, data: null });
};
export const badParam = (res: Response, message = 'Передан некорректный параметр') => fail(res, 400, 'IncorrectParameter', message);

/** Gateway errors (401, 429): the `title/detail/status` shape. */
export const gateway = (res: Response, status: 401 | 429, origin: string, detail: string) => {
  res.status(status).json({
    title: status === 401 ? 'unauthorized' : 'too many requests',
    detail,
    code: status === 401 ? '6f1c2a9e-sandbox-unauthorized' : '07e4668e-sandbox-rate-limit',
    requestId: `sandbox-${Date.now().toString(16)}`,
    origin,
    status,
    statusText: status === 401 ? 'Unauthorized' : 'Too Many Requests',
    timestamp: iso(Date.now()),
  });
};
