import { PushSender, type PushProfile } from '../push-sender';
import type { Posting, PostingStatus } from './data';

/**
 * Ozon's push notifications (docs.ozon.ru/api/seller #tag/push_intro; field names as in the public
 * client diphantxm/ozon-api-client ozon/notifications/types.go): every message carries
 * `message_type` and `seller_id` (the cabinet's Client-Id, a number); times are UTC ISO-8601.
 * Ozon counts an answer slower than 5 s (or not 200) as a failure, re-sends an undelivered push
 * at growing intervals, and pauses pushes to an endpoint answering 200 to fewer than half; the
 * sandbox's counts (5 re-sends, a window of 6) and short intervals are modelling choices (README).
 */
export const OZON_PUSH_PROFILE: PushProfile = {
  name: 'ozon',
  timeoutMs: 5_000,
  ping: () => ({ message_type: 'TYPE_PING', time: new Date().toISOString() }),
  pingTimeoutMs: 5_000,
  path: '',
  retries: 5,
  suspend: { window: 6 },
};

/** A posting status as push messages name it (`new_state`; contract and Ozon's push_types list). */
const PUSH_STATE: Record<PostingStatus, string> = {
  awaiting_registration: 'posting_awaiting_registration',
  acceptance_in_progress: 'posting_acceptance_in_progress',
  awaiting_approve: 'posting_created',
  awaiting_packaging: 'posting_created',
  awaiting_deliver: 'posting_transferring_to_delivery',
  arbitration: 'posting_in_arbitration',
  client_arbitration: 'posting_in_client_arbitration',
  delivering: 'posting_on_way_to_city',
  driver_pickup: 'posting_driver_pick_up',
  delivered: 'posting_delivered',
  cancelled: 'posting_canceled',
  not_accepted: 'posting_not_in_sort_center',
  sent_by_seller: 'posting_in_carriage',
};
const utc = (ms: number) => new Date(ms).toISOString();
const products = (p: Posting) => p.products.map((pr) => ({ sku: pr.item.ozon.sku, quantity: pr.quantity }));

/** The Ozon pushes one seller cabinet sends as its postings change. */
export class OzonPush {
  readonly sender: PushSender;

  constructor(
    seed: number,
    private readonly sellerId: number,
  ) {
    this.sender = new PushSender(OZON_PUSH_PROFILE, seed);
  }

  newPosting(p: Posting): void {
    this.sender.emit('TYPE_NEW_POSTING', p.postingNumber, {
      message_type: 'TYPE_NEW_POSTING',
      seller_id: this.sellerId,
      posting_number: p.postingNumber,
      products: products(p),
      in_process_at: utc(p.createdAt),
      warehouse_id: p.warehouse.warehouse_id,
    });
  }

  /** A status move: TYPE_POSTING_CANCELLED for a cancellation, TYPE_STATE_CHANGED for any other. */
  statusChanged(p: Posting, from: PostingStatus): void {
    if (p.status === 'cancelled') {
      this.sender.emit('TYPE_POSTING_CANCELLED', p.postingNumber, {
        message_type: 'TYPE_POSTING_CANCELLED',
        seller_id: this.sellerId,
        posting_number: p.postingNumber,
        products: products(p),
        old_state: PUSH_STATE[from],
        new_state: PUSH_STATE.cancelled,
        changed_state_date: utc(p.statusChangedAt),
        reason: { id: p.cancellation?.reasonId ?? 0, message: p.cancellation?.reason ?? '' },
        warehouse_id: p.warehouse.warehouse_id,
      });
      return;
    }
    this.sender.emit('TYPE_STATE_CHANGED', p.postingNumber, {
      message_type: 'TYPE_STATE_CHANGED',
      seller_id: this.sellerId,
      posting_number: p.postingNumber,
      new_state: PUSH_STATE[p.status],
      changed_state_date: utc(p.statusChangedAt),
      warehouse_id: p.warehouse.warehouse_id,
    });
  }
}
