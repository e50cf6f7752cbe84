import { brandOf } from '../marketplace-catalog';
import { DAY, iso } from '../marketplace-params';
import type { WbClaim, WbGoodsReturn, WbTask } from './data';

const moscowNoOffset = (ms: number) => new Date(ms + 3 * 3600_000).toISOString().replace('Z', '');

/** An assembly task as the orders lists show it; `full` adds what `GET /api/v3/orders` adds. */
export const taskJson = (t: WbTask, full: boolean) => ({
  id: t.id,
  rid: t.rid,
  orderUid: t.orderUid,
  createdAt: iso(t.createdAt),
  warehouseId: t.warehouse.id,
  officeId: t.warehouse.officeId,
  offices: [t.warehouse.officeName],
  nmId: t.item.wb.nmId,
  chrtId: t.item.wb.chrtId,
  article: t.item.wb.vendorCode,
  skus: [t.item.wb.barcode],
  price: t.item.price * 100,
  finalPrice: t.item.price * 100,
  salePrice: t.item.price * 100,
  convertedPrice: t.item.price * 100,
  convertedFinalPrice: t.item.price * 100,
  currencyCode: 643,
  convertedCurrencyCode: 643,
  cargoType: t.item.cargoType,
  deliveryType: 'fbs',
  crossBorderType: 0,
  isZeroOrder: t.isZeroOrder,
  isPickupPointShipmentAllowed: true,
  comment: '',
  colorCode: '',
  requiredMeta: [],
  optionalMeta: [],
  scanPrice: full && t.supplierStatus === 'complete' ? t.item.price * 100 : null,
  address: null,
  ddate: '',
  sellerDate: null,
  options: { isB2B: false },
  ...(full && { supplyId: t.supplyId ?? '' }),
});
export const isCancellable = (t: WbTask) => (t.supplierStatus === 'new' || t.supplierStatus === 'confirm') && t.wbStatus === 'waiting';

/** A buyer's return claim (returns-api). */
export const claimJson = (c: WbClaim) => ({
  id: c.id,
  claim_type: 1,
  status: c.status,
  status_ex: c.statusEx,
  nm_id: c.task.item.wb.nmId,
  user_comment: c.comment,
  wb_comment: '',
  dt: moscowNoOffset(c.createdAt),
  imt_name: c.task.item.name,
  order_dt: moscowNoOffset(c.task.createdAt),
  dt_update: moscowNoOffset(c.updatedAt),
  photos: [],
  video_paths: [],
  actions: c.status === 0 ? ['approve1', 'reject1', 'rejectcustom'] : [],
  price: c.task.item.price,
  currency_code: '643',
  srid: c.task.rid,
});
/** A row of the goods-return report (seller-analytics-api). */
export const goodsReturnJson = (g: WbGoodsReturn) => ({
  barcode: g.task.item.wb.barcode,
  brand: brandOf(g.task.item),
  nmId: g.task.item.wb.nmId,
  techSize: g.task.item.wb.techSize,
  subjectName: g.task.item.name,
  orderId: g.task.id,
  srid: g.task.rid,
  shkId: g.shkId,
  stickerId: String(g.task.id * 3),
  orderDt: iso(g.task.createdAt),
  reason: g.reason,
  returnType: 'Возврат заблокированного товара',
  status: g.status,
  isStatusActive: g.completedAt === null ? 1 : 0,
  dstOfficeId: g.task.warehouse.officeId,
  dstOfficeAddress: g.task.warehouse.name,
  readyToReturnDt: iso(g.createdAt + 3600_000),
  expiredDt: iso(g.createdAt + 14 * DAY),
  completedDt: g.completedAt === null ? null : iso(g.completedAt),
});
