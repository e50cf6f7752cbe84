import type { Request, Response } from 'express';
import { toInt } from '../marketplace-params';
import { YM_BUSINESS, type YmCampaign } from './data';
import { fail } from './envelope';
import { campaignOf } from './state';

/** The campaign `:campaignId` names; answers 404 when there is none. */
export const campaign = (req: Request, res: Response): YmCampaign | undefined => {
  const c = campaignOf(req.params.campaignId);
  if (!c) fail(res, 404, 'NOT_FOUND', `Campaign not found: '${String(req.params.campaignId)}'`);
  return c;
};

/** Whether `:businessId` is the seller's business; answers 403 when it is not. */
export const business = (req: Request, res: Response): boolean => {
  if (toInt(req.params.businessId) === YM_BUSINESS.id) return true;
  fail(res, 403, 'FORBIDDEN', 'Access denied');
  return false;
};
