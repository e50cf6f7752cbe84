import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { CatalogItem } from '../marketplace-catalog';
import { iso, obj, toInt } from '../marketplace-params';
import {
  FINAL_STATUSES,
  OZON_WAREHOUSES,
  POSTING_FLOW,
  POSTING_STATUSES,
  RETURN_STATUSES,
  RETURN_TYPES,
  SHIPPED_STATUSES,
  makePosting,
  type OzonReturn,
} from './data';
import { postingJson, returnJson } from './render';
import type { OzonPush } from './push';
import { warehouse, type OzonState } from './state';

const itemRef = z
  .object({
    offer_id: z.string().optional(),
    sku: z.union([z.number(), z.string()]).optional(),
    code: z.string().optional(),
    quantity: z.number().int().min(1).default(1),
  })
  .refine((v) => v.offer_id !== undefined || v.sku !== undefined || v.code !== undefined, 'offer_id, sku or code required');
const createPosting = z.object({
  items: z.array(itemRef).min(1),
  warehouse_id: z.union([z.number(), z.string()]).optional(),
  status: z.enum(POSTING_STATUSES).default('awaiting_packaging'),
});
const controlError = (res: Response, status: number, error: string): void => {
  res.status(status).json({ error });
};

/**
 * Control endpoints (`/ozon/_control/...`): the credentials, catalogue, warehouses and stocks as the
 * fake holds them; postings and returns a test creates or moves along.
 */
export function mountControlRoutes(router: Router, state: OzonState, push: OzonPush): void {
  const resolve = (ref: z.infer<typeof itemRef>): CatalogItem | undefined =>
    ref.offer_id !== undefined
      ? state.byOffer(ref.offer_id)
      : ref.sku !== undefined
        ? state.bySku(toInt(ref.sku) ?? -1)
        : state.catalog.find((c) => c.code === ref.code);

  state.removals.mount(router, () => state.catalog);
  router.get('/_control/catalog', (_req: Request, res: Response) => {
    res.json({ total: state.catalog.length, items: state.catalog });
  });
  router.get('/_control/warehouses', (_req: Request, res: Response) => {
    res.json({ warehouses: OZON_WAREHOUSES });
  });
  router.get('/_control/stocks', (req: Request, res: Response) => {
    const offerId = typeof req.query.offer_id === 'string' ? req.query.offer_id : undefined;
    res.json({
      stocks: state
        .stockRows()
        .filter((r) => offerId === undefined || r.item.ozon.offerId === offerId)
        .map((r) => ({
          code: r.item.code,
          offer_id: r.item.ozon.offerId,
          product_id: r.item.ozon.productId,
          sku: r.item.ozon.sku,
          warehouse_id: r.warehouseId,
          stock: r.stock,
          reserved: r.reserved,
          present: r.stock + r.reserved,
          pushes: r.record?.pushes ?? 0,
          refused: r.record?.refused ?? 0,
          updated_at: r.record ? new Date(r.record.updatedAt).toISOString() : null,
          // When the fake took the last stock update, in epoch ms (propagation measurements' clock).
          updated_at_ms: r.record?.updatedAt ?? null,
        })),
    });
  });
  router.get('/_control/postings', (_req: Request, res: Response) => {
    res.json({
      total: state.postings.length,
      postings: state.postings.map((p) => ({ ...postingJson(p, 3), last_changed_status_date: iso(p.statusChangedAt) })),
    });
  });
  router.post('/_control/postings', (req: Request, res: Response) => {
    const body = createPosting.safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid posting', issues: body.error.issues });
    const w = body.data.warehouse_id === undefined ? OZON_WAREHOUSES[0] : warehouse(toInt(body.data.warehouse_id) ?? -1);
    if (!w) return controlError(res, 400, `unknown warehouse ${String(body.data.warehouse_id)}`);
    const products = [];
    for (const ref of body.data.items) {
      const item = resolve(ref);
      if (!item) return controlError(res, 400, `unknown item ${JSON.stringify(ref)}`);
      products.push({ item, quantity: ref.quantity });
    }
    const p = makePosting(state.ids, products, w, Date.now(), body.data.status);
    state.postings.push(p);
    push.newPosting(p);
    if (p.status !== 'awaiting_packaging' && p.status !== 'awaiting_registration') push.statusChanged(p, 'awaiting_packaging');
    res.status(201).json(postingJson(p, 3));
  });
  router.post('/_control/postings/:postingNumber/status', (req: Request, res: Response) => {
    const p = state.postings.find((x) => x.postingNumber === req.params.postingNumber);
    if (!p) return controlError(res, 404, 'posting not found');
    const body = z.object({ status: z.enum(POSTING_STATUSES), cancel_reason: z.string().optional() }).safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid status', issues: body.error.issues });
    const to = body.data.status;
    if (FINAL_STATUSES.includes(p.status)) return controlError(res, 409, `posting is ${p.status}: final`);
    const forward = POSTING_FLOW.indexOf(to) > POSTING_FLOW.indexOf(p.status) && POSTING_FLOW.indexOf(p.status) >= 0;
    if (!forward && !['cancelled', 'not_accepted', 'arbitration', 'client_arbitration'].includes(to)) {
      return controlError(res, 409, `cannot move a posting from ${p.status} to ${to}`);
    }
    const now = Date.now();
    if (to === 'cancelled') {
      p.cancellation = {
        reasonId: 352,
        reason: body.data.cancel_reason ?? 'Покупатель отменил заказ',
        afterShip: SHIPPED_STATUSES.includes(p.status),
        initiator: 'Клиент',
      };
    }
    if (SHIPPED_STATUSES.includes(to) && p.deliveringDate === null) p.deliveringDate = now;
    const from = p.status;
    p.status = to;
    p.statusChangedAt = now;
    push.statusChanged(p, from);
    res.json(postingJson(p, 3));
  });
  router.get('/_control/returns', (_req: Request, res: Response) => {
    res.json({ total: state.returns.length, returns: state.returns.map((r) => returnJson(r, state.clientId)) });
  });
  router.post('/_control/returns', (req: Request, res: Response) => {
    const body = z
      .object({
        posting_number: z.string(),
        offer_id: z.string().optional(),
        sku: z.union([z.number(), z.string()]).optional(),
        quantity: z.number().int().min(1).default(1),
        type: z.enum(RETURN_TYPES).default('ClientReturn'),
        status: z.string().default('MovingToSeller'),
        reason: z.string().default('Не подошёл размер'),
      })
      .safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid return', issues: body.error.issues });
    if (!RETURN_STATUSES[body.data.status])
      return controlError(res, 400, `unknown status; one of ${Object.keys(RETURN_STATUSES).join(', ')}`);
    const posting = state.postings.find((x) => x.postingNumber === body.data.posting_number);
    if (!posting) return controlError(res, 404, 'posting not found');
    const line = posting.products.find(
      (pr) =>
        (body.data.offer_id === undefined || pr.item.ozon.offerId === body.data.offer_id) &&
        (body.data.sku === undefined || pr.item.ozon.sku === toInt(body.data.sku)),
    );
    if (!line) return controlError(res, 400, 'the posting has no such product');
    if (body.data.quantity > line.quantity) return controlError(res, 400, 'quantity exceeds the posting line');
    const now = Date.now();
    const r: OzonReturn = {
      id: state.ids.nextReturn(),
      type: body.data.type,
      posting,
      item: line.item,
      quantity: body.data.quantity,
      status: body.data.status,
      statusChangedAt: now,
      createdAt: now,
      finalMoment: body.data.status === 'ReceivedBySeller' ? now : null,
      barcode: `ii${String(now).slice(-10)}`,
      reason: body.data.reason,
    };
    state.returns.push(r);
    res.status(201).json(returnJson(r, state.clientId));
  });
  router.post('/_control/returns/:id/status', (req: Request, res: Response) => {
    const r = state.returns.find((x) => x.id === toInt(req.params.id));
    if (!r) return controlError(res, 404, 'return not found');
    const status = obj(req.body).status;
    if (typeof status !== 'string' || !RETURN_STATUSES[status]) {
      return controlError(res, 400, `status must be one of ${Object.keys(RETURN_STATUSES).join(', ')}`);
    }
    r.status = status;
    r.statusChangedAt = Date.now();
    if (status === 'ReceivedBySeller') r.finalMoment = r.statusChangedAt;
    res.json(returnJson(r, state.clientId));
  });
}
