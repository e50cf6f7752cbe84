import type { Response } from 'express';

/** YM's error envelope: `{status: "ERROR", errors: [{code, message}]}`. */
export const fail = (res: Response, http: number, code: string, message: string | string[]) => {
  const messages = Array.isArray(message) ? message : [message];
  res.status(http).json({ status: 'ERROR', errors: messages.map((m) => ({ code, message: m })) });
};
export const bad = (res: Response, message: string | string[]) => fail(res, 400, 'BAD_REQUEST', message);
