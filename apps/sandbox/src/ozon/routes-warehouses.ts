import type { Request, Response, Router } from 'express';
import { decodeCursor, encodeCursor, intList, obj, toInt } from '../marketplace-params';
import { OZON_WAREHOUSES } from './data';
import { invalid } from './envelope';

/** §2.2 the seller's FBS warehouses (v2 with cursor paging, v1 all at once). */
export function mountWarehouseRoutes(router: Router): void {
  router.post('/v2/warehouse/list', (req: Request, res: Response) => {
    const body = obj(req.body);
    const limit = toInt(body.limit);
    if (limit === undefined || limit < 1 || limit > 200) return invalid(res, 'limit must be between 1 and 200');
    const offset = decodeCursor(body.cursor);
    if (offset === undefined) return invalid(res, 'invalid cursor');
    const only = intList(body.warehouse_ids);
    if (only === null) return invalid(res, 'warehouse_ids must be int64 values');
    const found = OZON_WAREHOUSES.filter((w) => only.length === 0 || only.includes(w.warehouse_id));
    const page = res.locals.sandboxEmptyPage ? [] : found.slice(offset, offset + limit);
    const hasNext = !res.locals.sandboxEmptyPage && offset + limit < found.length;
    res.json({
      warehouses: page.map((w) => ({
        warehouse_id: w.warehouse_id,
        name: w.name,
        status: 'created',
        is_rfbs: false,
        is_kgt: w.is_kgt,
        is_express: false,
        warehouse_type: 'FBS',
        first_mile: { type: 'DROP_OFF' },
        postings_limit: -1,
        working_days: ['1', '2', '3', '4', '5'],
      })),
      cursor: hasNext ? encodeCursor(offset + limit) : '',
      has_next: hasNext,
    });
  });
  router.post('/v1/warehouse/list', (_req: Request, res: Response) => {
    res.json({
      result: OZON_WAREHOUSES.map((w) => ({
        warehouse_id: w.warehouse_id,
        name: w.name,
        is_rfbs: false,
        is_kgt: w.is_kgt,
        status: 'created',
      })),
    });
  });
}
