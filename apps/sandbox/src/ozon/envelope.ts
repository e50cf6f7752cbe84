import type { Response } from 'express';

/** Ozon's error body: `{code, message, details}`; `code` follows gRPC (3 invalid, 5 not found, 8 exhausted). */
export const fail = (res: Response, http: number, code: number, message: string) => {
  res.status(http).json({ code, message, details: [] });
};
export const invalid = (res: Response, message: string) => fail(res, 400, 3, message);
