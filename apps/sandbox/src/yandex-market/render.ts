import { DAY, mskDmy, mskIso } from '../marketplace-params';
import type { YmOrder, YmReturn } from './data';

/** The status of an order's items in the v1 list, derived from the order's. */
const itemStatus = (o: YmOrder): string => {
  if (o.status === 'CANCELLED') return 'CANCELLED';
  if (o.status === 'DELIVERED' || o.status === 'PARTIALLY_RETURNED') return 'DELIVERED_TO_BUYER';
  if (o.status === 'RETURNED') return 'RETURNED';
  if (o.status === 'DELIVERY' || o.status === 'PICKUP' || (o.status === 'PROCESSING' && o.substatus === 'SHIPPED')) return 'SHIPPED';
  return 'CREATED';
};
/** An order as the deprecated campaign methods (v2, DD-MM-YYYY dates) show it. */
export const orderV2 = (o: YmOrder) => {
  const total = o.items.reduce((s, l) => s + l.item.price * l.count, 0);
  return {
    id: o.id,
    status: o.status,
    substatus: o.substatus,
    creationDate: mskDmy(o.createdAt, true),
    updatedAt: mskDmy(o.updatedAt, true),
    currency: 'RUR',
    itemsTotal: total,
    deliveryTotal: 0,
    buyerItemsTotalBeforeDiscount: total,
    paymentType: 'PREPAID',
    paymentMethod: 'YANDEX',
    fake: false,
    taxSystem: 'USN',
    items: o.items.map((l) => ({
      id: l.id,
      offerId: l.item.ym.offerId,
      shopSku: l.item.ym.shopSku,
      offerName: l.item.name,
      count: l.count,
      price: l.item.price,
      buyerPrice: l.item.price,
      buyerPriceBeforeDiscount: l.item.price,
      vat: 'VAT_20',
    })),
    delivery: {
      type: 'DELIVERY',
      serviceName: 'Доставка Маркета',
      deliveryPartnerType: 'YANDEX_MARKET',
      deliveryServiceId: 1_006_360,
      dates: { fromDate: mskDmy(o.shipmentDate + 2 * DAY), toDate: mskDmy(o.shipmentDate + 2 * DAY) },
      shipments: [{ shipmentDate: mskDmy(o.shipmentDate), boxes: null }],
    },
    buyer: { type: 'PERSON' },
  };
};
/** An order as the business orders method (v1, ISO dates) shows it. */
export const orderV1 = (o: YmOrder) => ({
  orderId: o.id,
  campaignId: o.campaign.id,
  programType: o.campaign.placementType,
  status: o.status,
  substatus: o.substatus,
  creationDate: mskIso(o.createdAt),
  updateDate: mskIso(o.updatedAt),
  paymentType: 'PREPAID',
  paymentMethod: 'YANDEX',
  fake: false,
  items: o.items.map((l) => ({
    id: l.id,
    offerId: l.item.ym.offerId,
    offerName: l.item.name,
    count: l.count,
    prices: { payment: { value: l.item.price * l.count, currencyId: 'RUR' }, subsidy: { value: 0, currencyId: 'RUR' } },
    itemStatuses: [{ status: itemStatus(o), count: l.count }],
  })),
  delivery: {
    type: 'DELIVERY',
    serviceName: 'Доставка Маркета',
    deliveryServiceId: 1_006_360,
    warehouseId: String(o.campaign.warehouseId),
    deliveryPartnerType: 'YANDEX_MARKET',
    dates: { fromDate: new Date(o.shipmentDate + 2 * DAY).toISOString().slice(0, 10) },
  },
  buyerType: 'PERSON',
  sourcePlatform: 'MARKET',
});
/** A return or unredeemed order. */
export const returnJson = (r: YmReturn) => {
  const amount = r.items.reduce((s, i) => s + i.line.item.price * i.count, 0);
  return {
    id: r.id,
    orderId: r.order.id,
    returnType: r.returnType,
    creationDate: mskIso(r.createdAt),
    updateDate: mskIso(r.updatedAt),
    refundStatus: r.refundStatus,
    shipmentStatus: r.shipmentStatus,
    pickupTillDate: mskIso(r.createdAt + 10 * DAY),
    shipmentRecipientType: 'SHOP',
    amount: { value: amount, currencyId: 'RUR' },
    logisticPickupPoint: {
      id: 1,
      name: 'ПВЗ',
      type: 'PICKUP_POINT',
      address: { city: 'Москва', street: 'Стрелецкая улица', house: '9к2' },
    },
    items: r.items.map((i, k) => ({
      marketSku: i.line.item.ym.marketSku,
      shopSku: i.line.item.ym.shopSku,
      count: i.count,
      decisions: [
        { returnItemId: k + 1, count: i.count, reasonType: i.reasonType, subreasonType: 'DAMAGED', decisionType: 'REFUND_MONEY' },
      ],
      instances: Array.from({ length: i.count }, () => ({ stockType: i.stockType, status: r.shipmentStatus })),
    })),
    fastReturn: false,
  };
};
