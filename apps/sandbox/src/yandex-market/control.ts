import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { DAY, mskIso, toInt } from '../marketplace-params';
import {
  DEFAULT_SUBSTATUS,
  ORDER_FLOW,
  ORDER_STATUSES,
  REFUND_STATUSES,
  SHIPMENT_STATUSES,
  YM_BUSINESS,
  YM_CAMPAIGNS,
  YM_WAREHOUSES,
  makeOrder,
  type OrderStatus,
  type YmReturn,
} from './data';
import { orderV1, returnJson } from './render';
import type { YmPush } from './push';
import { campaignOf, type YmState } from './state';

const controlError = (res: Response, status: number, error: string): void => {
  res.status(status).json({ error });
};
/** An order's position on the forward path (its status/substatus, else its status). */
const rank = (o: { status: string; substatus: string }) => {
  const full = ORDER_FLOW.indexOf(`${o.status}/${o.substatus}`);
  return full >= 0 ? full : ORDER_FLOW.indexOf(o.status);
};

/**
 * Control endpoints (`/ym/_control/...`): the credentials, catalogue, campaigns and stocks as the fake
 * holds them; orders and returns a test creates or moves along.
 */
export function mountControlRoutes(router: Router, state: YmState, push: YmPush): void {
  state.removals.mount(router, () => state.catalog);
  router.get('/_control/catalog', (_req: Request, res: Response) => {
    res.json({ total: state.catalog.length, items: state.catalog });
  });
  router.get('/_control/campaigns', (_req: Request, res: Response) => {
    res.json({ business: YM_BUSINESS, campaigns: YM_CAMPAIGNS, warehouses: YM_WAREHOUSES });
  });
  router.get('/_control/stocks', (req: Request, res: Response) => {
    const only = toInt(req.query.warehouseId);
    res.json({
      stocks: YM_WAREHOUSES.filter((w) => only === undefined || w.id === only).flatMap((w) =>
        state.stockRows(w.id).map((r) => ({
          code: r.item.code,
          offerId: r.item.ym.offerId,
          marketSku: r.item.ym.marketSku,
          warehouseId: w.id,
          campaignId: w.campaignId,
          count: r.available,
          freeze: r.freeze,
          fit: r.fit,
          pushes: r.pushes,
          updatedAt: r.updatedAt === null ? null : mskIso(r.updatedAt),
          // When the fake took the last stock update, in epoch ms (propagation measurements' clock).
          updatedAtMs: r.updatedAt,
        })),
      ),
    });
  });
  router.get('/_control/orders', (_req: Request, res: Response) => {
    res.json({ total: state.orders.length, orders: state.orders.map(orderV1) });
  });
  router.post('/_control/orders', (req: Request, res: Response) => {
    const body = z
      .object({
        campaignId: z.number().int().optional(),
        items: z
          .array(
            z
              .object({ offerId: z.string().optional(), code: z.string().optional(), count: z.number().int().min(1).default(1) })
              .refine((v) => v.offerId !== undefined || v.code !== undefined, 'offerId or code required'),
          )
          .min(1),
        status: z.enum(['UNPAID', 'PENDING', 'PROCESSING']).default('PROCESSING'),
        /** An order placed this many days ago (and not changed since), e.g. older than the default 30-day window. */
        createdDaysAgo: z.number().min(0).max(365).default(0),
      })
      .safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid order', issues: body.error.issues });
    const c = body.data.campaignId === undefined ? YM_CAMPAIGNS[0] : campaignOf(body.data.campaignId);
    if (!c) return controlError(res, 400, `unknown campaign ${String(body.data.campaignId)}`);
    const lines = [];
    for (const ref of body.data.items) {
      const item = ref.offerId !== undefined ? state.byOffer(ref.offerId) : state.catalog.find((x) => x.code === ref.code);
      if (!item) return controlError(res, 400, `unknown item ${JSON.stringify(ref)}`);
      lines.push({ item, count: ref.count });
    }
    const order = makeOrder(state.ids, c, lines, Date.now() - body.data.createdDaysAgo * DAY, body.data.status);
    state.orders.push(order);
    push.orderCreated(order);
    res.status(201).json(orderV1(order));
  });
  router.post('/_control/orders/:orderId/status', (req: Request, res: Response) => {
    const o = state.orders.find((x) => x.id === toInt(req.params.orderId));
    if (!o) return controlError(res, 404, 'order not found');
    const body = z.object({ status: z.enum(ORDER_STATUSES), substatus: z.string().optional() }).safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid status', issues: body.error.issues });
    const to = { status: body.data.status as OrderStatus, substatus: body.data.substatus ?? DEFAULT_SUBSTATUS[body.data.status] ?? '' };
    if (o.status === 'CANCELLED' || o.status === 'RETURNED') return controlError(res, 409, `order is ${o.status}: final`);
    const allowed = to.status === 'CANCELLED' ? rank(o) < ORDER_FLOW.indexOf('DELIVERED') : rank(to) > rank(o);
    if (!allowed) return controlError(res, 409, `cannot move an order from ${o.status}/${o.substatus} to ${to.status}/${to.substatus}`);
    o.status = to.status;
    o.substatus = to.substatus;
    if (['DELIVERY', 'PICKUP', 'DELIVERED'].includes(to.status)) o.shipped = true;
    o.updatedAt = Date.now();
    push.statusChanged(o);
    res.json(orderV1(o));
  });
  router.get('/_control/returns', (_req: Request, res: Response) => {
    res.json({ total: state.returns.length, returns: state.returns.map((r) => ({ ...returnJson(r), campaignId: r.order.campaign.id })) });
  });
  router.post('/_control/returns', (req: Request, res: Response) => {
    const body = z
      .object({
        orderId: z.number().int(),
        items: z.array(z.object({ offerId: z.string(), count: z.number().int().min(1).default(1) })).optional(),
        returnType: z.enum(['RETURN', 'UNREDEEMED']).default('RETURN'),
        shipmentStatus: z.enum(SHIPMENT_STATUSES).default('CREATED'),
        refundStatus: z.enum(REFUND_STATUSES).default('STARTED_BY_USER'),
        stockType: z.string().default('FIT'),
        reasonType: z.string().default('DO_NOT_FIT'),
      })
      .safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid return', issues: body.error.issues });
    const order = state.orders.find((o) => o.id === body.data.orderId);
    if (!order) return controlError(res, 404, 'order not found');
    const wanted = body.data.items ?? order.items.map((l) => ({ offerId: l.item.ym.offerId, count: l.count }));
    const items = [];
    for (const w of wanted) {
      const line = order.items.find((l) => l.item.ym.offerId === w.offerId);
      if (!line || w.count > line.count) return controlError(res, 400, `the order has no ${w.count} × ${w.offerId}`);
      items.push({ line, count: w.count, reasonType: body.data.reasonType, stockType: body.data.stockType });
    }
    const now = Date.now();
    const r: YmReturn = {
      id: state.ids.nextReturn(),
      order,
      returnType: body.data.returnType,
      createdAt: now,
      updatedAt: now,
      refundStatus: body.data.refundStatus,
      shipmentStatus: body.data.shipmentStatus,
      items,
    };
    state.returns.push(r);
    res.status(201).json(returnJson(r));
  });
  router.post('/_control/returns/:id/status', (req: Request, res: Response) => {
    const r = state.returns.find((x) => x.id === toInt(req.params.id));
    if (!r) return controlError(res, 404, 'return not found');
    const body = z
      .object({ shipmentStatus: z.enum(SHIPMENT_STATUSES).optional(), refundStatus: z.enum(REFUND_STATUSES).optional() })
      .safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: 'invalid return status', issues: body.error.issues });
    if (body.data.shipmentStatus) r.shipmentStatus = body.data.shipmentStatus;
    if (body.data.refundStatus) r.refundStatus = body.data.refundStatus;
    r.updatedAt = Date.now();
    res.json(returnJson(r));
  });
}
