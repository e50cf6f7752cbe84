import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { CatalogItem } from '../marketplace-catalog';
import { iso, obj, toInt } from '../marketplace-params';
import {
  SUPPLIER_STATUSES,
  WB_STATUSES,
  WB_WAREHOUSES,
  makeTask,
  stockKey,
  type WbClaim,
  type WbGoodsReturn,
  type WbWarehouse,
} from './data';
import { claimJson, goodsReturnJson, isCancellable, taskJson } from './render';
import { warehouse, type WbState } from './state';

const controlError = (res: Response, status: number, error: string): void => {
  res.status(status).json({ error });
};
const itemRef = z
  .object({
    chrtId: z.number().int().optional(),
    barcode: z.string().optional(),
    code: z.string().optional(),
    quantity: z.number().int().min(1).default(1),
  })
  .refine((v) => v.chrtId !== undefined || v.barcode !== undefined || v.code !== undefined, 'chrtId, barcode or code required');

/**
 * Control endpoints (`/wb/_control/...`): the tokens, catalogue, warehouses and stocks as the fake
 * holds them; assembly tasks, claims and goods returns a test creates or moves along.
 */
export function mountControlRoutes(router: Router, state: WbState): void {
  state.removals.mount(router, () => state.catalog);
  router.get('/_control/catalog', (_req: Request, res: Response) => {
    res.json({ total: state.catalog.length, items: state.catalog });
  });
  router.get('/_control/warehouses', (_req: Request, res: Response) => {
    res.json({ warehouses: WB_WAREHOUSES });
  });
  router.get('/_control/stocks', (req: Request, res: Response) => {
    const only = toInt(req.query.warehouseId);
    const rows = [];
    for (const w of WB_WAREHOUSES) {
      if (only !== undefined && w.id !== only) continue;
      for (const item of state.catalog) {
        const s = state.stocks.get(stockKey(w.id, item.wb.chrtId));
        if (!s) continue;
        rows.push({
          code: item.code,
          chrtId: item.wb.chrtId,
          nmId: item.wb.nmId,
          barcode: item.wb.barcode,
          warehouseId: w.id,
          amount: s.amount,
          pushes: s.pushes,
          updatedAt: iso(s.updatedAt),
          // When the fake took the last stock update, in epoch ms (propagation measurements' clock).
          updatedAtMs: s.updatedAt,
        });
      }
    }
    res.json({ stocks: rows });
  });
  router.get('/_control/orders', (_req: Request, res: Response) => {
    res.json({
      total: state.tasks.length,
      orders: state.tasks.map((t) => ({
        ...taskJson(t, true),
        supplierStatus: t.supplierStatus,
        wbStatus: t.wbStatus,
        statusChangedAt: iso(t.statusChangedAt),
      })),
    });
  });
  router.post('/_control/orders', (req: Request, res: Response) => {
    const body = z.object({ items: z.array(itemRef).min(1), warehouseId: z.number().int().optional() }).safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid order', issues: body.error.issues });
    const w: WbWarehouse | undefined = body.data.warehouseId === undefined ? WB_WAREHOUSES[0] : warehouse(body.data.warehouseId);
    if (!w) return controlError(res, 400, `unknown warehouse ${String(body.data.warehouseId)}`);
    const lines: { item: CatalogItem; quantity: number }[] = [];
    for (const ref of body.data.items) {
      const item = state.catalog.find((c) =>
        ref.chrtId !== undefined
          ? c.wb.chrtId === ref.chrtId
          : ref.barcode !== undefined
            ? c.wb.barcode === ref.barcode
            : c.code === ref.code,
      );
      if (!item) return controlError(res, 400, `unknown item ${JSON.stringify(ref)}`);
      lines.push({ item, quantity: ref.quantity });
    }
    const now = Date.now();
    const orderUid = state.ids.orderUid();
    // One assembly task per unit.
    const created = lines.flatMap(({ item, quantity }) =>
      Array.from({ length: quantity }, () =>
        makeTask(state.ids, item, w, now, orderUid, (state.stocks.get(stockKey(w.id, item.wb.chrtId))?.amount ?? 0) === 0),
      ),
    );
    state.tasks.push(...created);
    res.status(201).json({ orders: created.map((t) => taskJson(t, true)) });
  });
  router.post('/_control/orders/:id/status', (req: Request, res: Response) => {
    const t = state.tasks.find((x) => x.id === toInt(req.params.id));
    if (!t) return controlError(res, 404, 'order not found');
    const body = z
      .object({ supplierStatus: z.enum(SUPPLIER_STATUSES).optional(), wbStatus: z.enum(WB_STATUSES).optional() })
      .refine((v) => v.supplierStatus !== undefined || v.wbStatus !== undefined, 'supplierStatus or wbStatus required')
      .safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid status', issues: body.error.issues });
    const { supplierStatus, wbStatus } = body.data;
    if (supplierStatus !== undefined && supplierStatus !== t.supplierStatus) {
      const from = SUPPLIER_STATUSES.indexOf(t.supplierStatus);
      const to = SUPPLIER_STATUSES.indexOf(supplierStatus);
      const allowed = t.supplierStatus !== 'cancel' && (supplierStatus === 'cancel' ? t.supplierStatus !== 'complete' : to > from);
      if (!allowed) return controlError(res, 409, `cannot move supplierStatus from ${t.supplierStatus} to ${supplierStatus}`);
      if (supplierStatus !== 'cancel' && t.supplyId === null) t.supplyId = state.ids.nextSupply();
      t.supplierStatus = supplierStatus;
      if (supplierStatus === 'cancel' && wbStatus === undefined) t.wbStatus = 'canceled';
    }
    if (wbStatus !== undefined) t.wbStatus = wbStatus;
    t.statusChangedAt = Date.now();
    res.json({ id: t.id, supplierStatus: t.supplierStatus, wbStatus: t.wbStatus, isCancellable: isCancellable(t) });
  });
  router.get('/_control/claims', (_req: Request, res: Response) => {
    res.json({ total: state.claims.length, claims: state.claims.map(claimJson) });
  });
  router.post('/_control/claims', (req: Request, res: Response) => {
    const body = z
      .object({
        orderId: z.number().int(),
        status: z.number().int().min(0).max(2).default(0),
        status_ex: z.number().int().default(0),
        comment: z.string().default('Товар не подошёл'),
      })
      .safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid claim', issues: body.error.issues });
    const task = state.tasks.find((t) => t.id === body.data.orderId);
    if (!task) return controlError(res, 404, 'order not found');
    const now = Date.now();
    const claim: WbClaim = {
      id: state.ids.uuid(),
      task,
      status: body.data.status,
      statusEx: body.data.status_ex,
      comment: body.data.comment,
      createdAt: now,
      updatedAt: now,
    };
    state.claims.push(claim);
    res.status(201).json(claimJson(claim));
  });
  router.post('/_control/claims/:id', (req: Request, res: Response) => {
    const claim = state.claims.find((c) => c.id === req.params.id);
    if (!claim) return controlError(res, 404, 'claim not found');
    const body = z
      .object({ status: z.number().int().min(0).max(2).optional(), status_ex: z.number().int().optional() })
      .safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid claim update', issues: body.error.issues });
    if (body.data.status !== undefined) claim.status = body.data.status;
    if (body.data.status_ex !== undefined) claim.statusEx = body.data.status_ex;
    claim.updatedAt = Date.now();
    res.json(claimJson(claim));
  });
  router.get('/_control/goods-returns', (_req: Request, res: Response) => {
    res.json({ total: state.goodsReturns.length, report: state.goodsReturns.map(goodsReturnJson) });
  });
  router.post('/_control/goods-returns', (req: Request, res: Response) => {
    const body = z
      .object({
        orderId: z.number().int(),
        status: z.string().default('В пути в пвз'),
        reason: z.string().default('Возврат покупателя'),
        completed: z.boolean().default(false),
      })
      .safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid goods return', issues: body.error.issues });
    const task = state.tasks.find((t) => t.id === body.data.orderId);
    if (!task) return controlError(res, 404, 'order not found');
    const now = Date.now();
    const row: WbGoodsReturn = {
      shkId: state.ids.nextShk(),
      task,
      status: body.data.completed ? 'Получен продавцом' : body.data.status,
      reason: body.data.reason,
      createdAt: now,
      completedAt: body.data.completed ? now : null,
    };
    state.goodsReturns.push(row);
    res.status(201).json(goodsReturnJson(row));
  });
  router.post('/_control/goods-returns/:shkId', (req: Request, res: Response) => {
    const row = state.goodsReturns.find((g) => g.shkId === toInt(req.params.shkId));
    if (!row) return controlError(res, 404, 'goods return not found');
    const body = obj(req.body);
    if (typeof body.status === 'string') row.status = body.status;
    if (body.completed === true) {
      row.completedAt = Date.now();
      if (typeof body.status !== 'string') row.status = 'Получен продавцом';
    }
    res.json(goodsReturnJson(row));
  });
}
