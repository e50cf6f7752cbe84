// Orders and returns from every marketplace, newest change first, each with its own times, filtered
// by marketplace, stage (orders) and SKU.
import { api, marketplaceName, withQuery } from './api.js';
import { $, el, timeEl } from './dom.js';

const LIMIT = 50;
const STAGES = {
  reserved: 'reserved',
  shipped: 'shipped',
  cancelled: 'cancelled',
  cancelled_after_ship: 'cancelled after shipping',
  other: 'other',
};

function filters() {
  return { marketplace: $('#order-marketplace').value, stage: $('#order-stage').value, sku: $('#order-sku').value.trim() };
}

const empty = (cols, text) => el('tr', {}, el('td', { colSpan: cols, class: 'muted' }, text));

export async function loadOrders() {
  const f = filters();
  const { orders } = await api(withQuery('/api/marketplaces/orders', { ...f, limit: LIMIT }));
  if (JSON.stringify(f) !== JSON.stringify(filters())) return; // the filters moved on meanwhile
  $('#orders tbody').replaceChildren(
    ...orders.map((o) =>
      el(
        'tr',
        { 'data-order': o.orderId, 'data-marketplace': o.marketplace },
        el('td', {}, marketplaceName(o.marketplace)),
        el('td', { class: 'mono' }, o.orderId),
        el('td', {}, o.substatus ? `${o.status} / ${o.substatus}` : o.status),
        el('td', {}, el('span', { class: `badge stage-${o.stage}` }, STAGES[o.stage] ?? o.stage)),
        el(
          'td',
          {},
          o.items.map((i) => el('div', {}, `${i.sku ?? `${i.marketplaceSku} (not matched)`} × ${i.quantity}`)),
        ),
        el('td', { class: 'created' }, timeEl(o.createdAt)),
        el('td', { class: 'changed' }, timeEl(o.changedAt)),
      ),
    ),
  );
  if (orders.length === 0) $('#orders tbody').append(empty(7, 'No order matches these filters.'));
}

export async function loadReturns() {
  const { marketplace, sku } = filters();
  const { returns } = await api(withQuery('/api/marketplaces/returns', { marketplace, sku, limit: LIMIT }));
  if (marketplace !== filters().marketplace || sku !== filters().sku) return;
  $('#returns tbody').replaceChildren(
    ...returns.map((r) =>
      el(
        'tr',
        { 'data-return': r.returnId },
        el('td', {}, marketplaceName(r.marketplace)),
        el('td', { class: 'mono' }, r.returnId),
        el('td', { class: 'mono' }, r.orderId ?? ''),
        el('td', {}, r.sku ?? `${r.marketplaceSku} (not matched)`),
        el('td', { class: 'num' }, r.quantity),
        el('td', {}, r.status),
        el('td', {}, r.restocked ? el('span', { class: 'badge ok' }, 'restocked') : el('span', { class: 'badge' }, 'not yet')),
        el('td', { class: 'created' }, timeEl(r.createdAt)),
        el('td', { class: 'changed' }, timeEl(r.changedAt)),
      ),
    ),
  );
  if (returns.length === 0) $('#returns tbody').append(empty(9, 'No return matches these filters.'));
}
