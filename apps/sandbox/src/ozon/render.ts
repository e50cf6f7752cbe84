import { iso } from '../marketplace-params';
import { RETURN_STATUSES, SUBSTATUS, type OzonReturn, type Posting } from './data';

/** The optional sections a posting list asks for (`with`). */
export type With = { analytics_data?: boolean; barcodes?: boolean; financial_data?: boolean; legal_info?: boolean };
/** A posting as the v3 (`price` a string) or v4 (`price` an object, actions) methods show it. */
export const postingJson = (p: Posting, version: 3 | 4, w: With = {}) => {
  const base = {
    posting_number: p.postingNumber,
    order_id: p.orderId,
    order_number: p.orderNumber,
    status: p.status,
    substatus: SUBSTATUS[p.status],
    delivery_method: {
      id: p.warehouse.delivery_method_id,
      name: 'Ozon Логистика курьеру, Москва',
      warehouse_id: p.warehouse.warehouse_id,
      warehouse: p.warehouse.name,
      tpl_provider_id: 24,
      tpl_provider: 'Ozon Логистика',
    },
    tracking_number: '',
    tpl_integration_type: 'ozon',
    in_process_at: iso(p.createdAt),
    shipment_date: iso(p.shipmentDate),
    shipment_date_without_delay: iso(p.shipmentDate),
    delivering_date: p.deliveringDate === null ? null : iso(p.deliveringDate),
    cancellation: {
      cancel_reason_id: p.cancellation?.reasonId ?? 0,
      cancel_reason: p.cancellation?.reason ?? '',
      cancellation_type: p.cancellation ? 'client' : '',
      cancelled_after_ship: p.cancellation?.afterShip ?? false,
      affect_cancellation_rating: false,
      cancellation_initiator: p.cancellation?.initiator ?? '',
    },
    customer: null,
    addressee: null,
    products: p.products.map(({ item, quantity }) => ({
      sku: item.ozon.sku,
      offer_id: item.ozon.offerId,
      name: item.name,
      quantity,
      ...(version === 3
        ? { price: String(item.price), currency_code: 'RUB' }
        : { price: { amount: String(item.price), currency: 'RUB' }, weight: 0.5, product_color: '' }),
      imei: [],
      is_blr_traceable: false,
      is_marketplace_buyout: false,
    })),
    analytics_data: w.analytics_data
      ? {
          warehouse_id: p.warehouse.warehouse_id,
          warehouse: p.warehouse.name,
          is_legal: false,
          delivery_type: 'PVZ',
          city: 'Москва',
          region: 'Москва',
        }
      : null,
    financial_data: w.financial_data
      ? {
          products: p.products.map(({ item, quantity }) => ({
            product_id: item.ozon.sku,
            quantity,
            price: item.price,
            old_price: item.price,
            payout: Math.round(item.price * 0.85),
            commission_amount: Math.round(item.price * 0.15),
          })),
          cluster_from: 'Москва',
          cluster_to: 'Москва',
        }
      : null,
    barcodes: w.barcodes ? { upper_barcode: `%101%${p.orderId}`, lower_barcode: `${p.orderId}01` } : null,
    legal_info: w.legal_info ? { company_name: '', inn: '', kpp: '' } : null,
    is_express: false,
    is_multibox: false,
    multi_box_qty: 0,
    parent_posting_number: '',
    requirements: { products_requiring_gtd: [], products_requiring_country: [], products_requiring_mandatory_mark: [] },
  };
  if (version === 3) return base;
  return {
    ...base,
    available_actions: p.status === 'awaiting_packaging' ? ['ship', 'cancel'] : [],
    delivery_schema: 'FBS',
    external_order: { is_external: false, platform_name: '' },
    is_click_and_collect: false,
    is_presortable: false,
  };
};

/** A return as `/v1/returns/list` shows it. */
export const returnJson = (r: OzonReturn, clientId: string) => ({
  id: r.id,
  company_id: Number(clientId),
  return_reason_name: r.reason,
  type: r.type,
  schema: 'Fbs',
  order_id: r.posting.orderId,
  order_number: r.posting.orderNumber,
  posting_number: r.posting.postingNumber,
  place: { id: 23_869_688_194_000, name: 'СЦ_Львовский_Возвраты', address: 'Московская обл., Львовский' },
  target_place: { id: r.posting.warehouse.warehouse_id, name: r.posting.warehouse.name, address: '' },
  storage: null,
  product: {
    sku: r.item.ozon.sku,
    offer_id: r.item.ozon.offerId,
    name: r.item.name,
    quantity: r.quantity,
    price: { currency_code: 'RUB', price: r.item.price },
  },
  logistic: {
    technical_return_moment: null,
    final_moment: r.finalMoment === null ? null : iso(r.finalMoment),
    cancelled_with_compensation_moment: null,
    return_date: iso(r.createdAt),
    barcode: r.barcode,
  },
  visual: {
    status: {
      id: RETURN_STATUSES[r.status]?.id ?? 0,
      display_name: RETURN_STATUSES[r.status]?.display_name ?? r.status,
      sys_name: r.status,
    },
    change_moment: iso(r.statusChangedAt),
  },
  exemplars: [{ id: r.id * 10 }],
  additional_info: { is_opened: false, is_super_econom: false },
  source_id: r.id,
});
