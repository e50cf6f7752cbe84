import { PushSender, type PushProfile } from '../push-sender';
import type { YmOrder } from './data';

const utc = (ms: number) => new Date(ms).toISOString();

/**
 * Yandex Market's API notifications (`POST {your url}/notification`, yandex.ru/dev/market/partner-api
 * push-notifications/reference/sendNotification): `notificationType` and, for order events,
 * `campaignId` + `orderId`; the event time in `createdAt` / `updatedAt` / `cancelledAt` (UTC).
 * Timeout 10 s (1 s for PING); the Market "may send several notifications for one event". Answers
 * other than 200 count as errors (concepts/error-codes). The re-send count (3) is a modelling choice.
 */
export const YM_PUSH_PROFILE: PushProfile = {
  name: 'yandex-market',
  timeoutMs: 10_000,
  ping: () => ({ notificationType: 'PING', time: utc(Date.now()) }),
  pingTimeoutMs: 1_000,
  path: '/notification',
  retries: 3,
  suspend: null,
};

const items = (o: YmOrder) => o.items.map((l) => ({ offerId: l.item.ym.offerId, count: l.count }));

/** The notifications one business sends as its orders change. */
export class YmPush {
  readonly sender: PushSender;

  constructor(seed: number) {
    this.sender = new PushSender(YM_PUSH_PROFILE, seed);
  }

  orderCreated(o: YmOrder): void {
    this.sender.emit('ORDER_CREATED', String(o.id), {
      notificationType: 'ORDER_CREATED',
      campaignId: o.campaign.id,
      orderId: o.id,
      createdAt: utc(o.createdAt),
      items: items(o),
    });
  }

  /** A status move: ORDER_CANCELLED for a cancellation, ORDER_STATUS_UPDATED for any other. */
  statusChanged(o: YmOrder): void {
    if (o.status === 'CANCELLED') {
      this.sender.emit('ORDER_CANCELLED', String(o.id), {
        notificationType: 'ORDER_CANCELLED',
        campaignId: o.campaign.id,
        orderId: o.id,
        cancelledAt: utc(o.updatedAt),
        items: items(o),
      });
      return;
    }
    this.sender.emit('ORDER_STATUS_UPDATED', String(o.id), {
      notificationType: 'ORDER_STATUS_UPDATED',
      campaignId: o.campaign.id,
      orderId: o.id,
      status: o.status,
      substatus: o.substatus,
      updatedAt: utc(o.updatedAt),
    });
  }
}
