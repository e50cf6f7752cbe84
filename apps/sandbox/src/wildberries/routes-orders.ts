import type { Request, Response, Router } from 'express';
import { intList, obj, toInt } from '../marketplace-params';
import { WB_WAREHOUSES } from './data';
import { badParam, fail } from './envelope';
import { isCancellable, taskJson } from './render';
import type { WbState } from './state';

/** The orders list's `next`: the last task id served, disguised (an int64 that is never a task id). */
const NEXT_BASE = 7_000_000_000_000;
const encodeNext = (lastId: number) => NEXT_BASE + lastId * 8 + 5;
const decodeNext = (next: number): number | undefined =>
  next > NEXT_BASE && (next - NEXT_BASE) % 8 === 5 ? (next - NEXT_BASE - 5) / 8 : undefined;

/** marketplace-api: §3.2 the seller's warehouses and §3.3 assembly tasks (lists, statuses, cancel). */
export function mountOrderRoutes(router: Router, state: WbState): void {
  // §3.2 seller warehouses: a top-level array.
  router.get('/api/v3/warehouses', (_req: Request, res: Response) => {
    res.json(
      WB_WAREHOUSES.map((w) => ({
        name: w.name,
        officeId: w.officeId,
        id: w.id,
        cargoType: w.cargoType,
        deliveryType: w.deliveryType,
        isDeleting: w.isDeleting,
        isProcessing: w.isProcessing,
      })),
    );
  });

  // §3.3.1 every task in `new`, no paging.
  router.get('/api/v3/orders/new', (_req: Request, res: Response) => {
    const found = res.locals.sandboxEmptyPage ? [] : state.tasks.filter((t) => t.supplierStatus === 'new');
    res.json({ orders: found.map((t) => taskJson(t, false)) });
  });

  // §3.3.2 tasks by creation date. `next` is 0 first, then what the previous answer said: an opaque
  // position (here not a task id: a client must pass it back as given), refused if we never issued it.
  router.get('/api/v3/orders', (req: Request, res: Response) => {
    const limit = toInt(req.query.limit);
    const given = toInt(req.query.next);
    if (limit === undefined || limit < 1 || limit > 1000) return badParam(res, 'limit: must be from 1 to 1000');
    if (given === undefined || given < 0) return badParam(res, 'next: required, 0 on the first call');
    const next = given === 0 ? 0 : decodeNext(given);
    if (next === undefined) return badParam(res, 'next: not a value this method answered');
    const nowS = Math.floor(Date.now() / 1000);
    const from = toInt(req.query.dateFrom) ?? nowS - 30 * 86400;
    const to = toInt(req.query.dateTo) ?? nowS;
    if (from > to || to - from > 30 * 86400) return badParam(res, 'dateFrom/dateTo: the period must not exceed 30 days');
    const found = state.tasks
      .filter((t) => t.id > next && t.createdAt >= from * 1000 && t.createdAt <= to * 1000 + 999)
      .sort((a, b) => a.id - b.id);
    const page = res.locals.sandboxEmptyPage ? [] : found.slice(0, limit);
    res.json({ next: encodeNext(page.at(-1)?.id ?? next), orders: page.map((t) => taskJson(t, true)) });
  });

  // §3.3.3 statuses by id (unknown ids are left out).
  router.post('/api/v3/orders/status', (req: Request, res: Response) => {
    const orders = intList(obj(req.body).orders);
    if (orders === null || orders.length < 1 || orders.length > 1000) {
      return fail(res, 400, 'IncorrectRequestBody', 'orders: from 1 to 1000 ids');
    }
    res.json({
      orders: state.tasks
        .filter((t) => orders.includes(t.id))
        .map((t) => ({ id: t.id, supplierStatus: t.supplierStatus, wbStatus: t.wbStatus, isCancellable: isCancellable(t) })),
    });
  });

  router.patch('/api/v3/orders/:orderId/cancel', (req: Request, res: Response) => {
    const t = state.tasks.find((x) => x.id === toInt(req.params.orderId));
    if (!t) return fail(res, 404, 'NotFound', 'Сборочное задание не найдено');
    if (!isCancellable(t)) return fail(res, 409, 'StatusMismatch', 'Несоответствие статусов');
    t.supplierStatus = 'cancel';
    t.wbStatus = 'canceled';
    t.statusChangedAt = Date.now();
    res.status(204).end();
  });
}
