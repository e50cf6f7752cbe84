// What the marketplaces hold in their own warehouses for one product (FBO: Ozon FBO, Wildberries'
// warehouses, Yandex Market FBY), as the last FBO read saw it: shown only, never pushed and not part
// of Available (README "FBO stock").
import { marketplaceName } from './api.js';
import { el, timeEl } from './dom.js';

/** The figures beside the one shown, e.g. "in transit 3, requested 12", for the line's tooltip. */
const detailText = (details) =>
  Object.entries(details ?? {})
    .filter(([, v]) => v !== 0)
    .map(([k, v]) => `${k.replace(/_stock_count$/, '').replace(/_/g, ' ')} ${v}`)
    .join(', ');

/** One cell: a line per (marketplace, warehouse) with the quantity available there, and the total. */
export function fboCell(product) {
  const rows = product.fbo ?? [];
  if (rows.length === 0) return el('td', { class: 'fbo', 'data-fbo-total': 0 }, el('span', { class: 'muted' }, 'none'));
  const total = rows.reduce((s, r) => s + r.quantity, 0);
  return el(
    'td',
    { class: 'fbo', 'data-fbo-total': total },
    el('div', { class: 'fbo-total' }, el('strong', {}, total), el('span', { class: 'muted' }, ' held by marketplaces')),
    el(
      'ul',
      {},
      rows.map((r) =>
        el(
          'li',
          {
            'data-fbo-marketplace': r.marketplace,
            'data-fbo-warehouse': r.warehouseId,
            'data-fbo-quantity': r.quantity,
            title: detailText(r.details) || undefined,
          },
          el('span', { class: 'wh' }, `${marketplaceName(r.marketplace)} · ${r.warehouseName || `warehouse ${r.warehouseId}`}`),
          el('span', { class: 'qty' }, r.quantity),
          el('span', { class: 'when' }, 'read ', timeEl(r.readAt)),
        ),
      ),
    ),
  );
}
