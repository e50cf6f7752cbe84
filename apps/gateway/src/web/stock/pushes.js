// What each marketplace warehouse was last told about one product: the value, when, and any error,
// one labelled line per warehouse stock is pushed to.
import { MARKETPLACES } from './api.js';
import { el, timeEl } from './dom.js';

/**
 * The warehouses of one marketplace a product is pushed to: every active one, plus any with a push
 * state, per seller cabinet (connection): two cabinets may number their warehouses alike.
 */
function warehouseLines(product, marketplace, warehouses) {
  const pushes = product.pushes.filter((p) => p.marketplace === marketplace);
  const key = (x) => `${x.connection ?? ''}\u0000${x.warehouseId}`;
  const keys = new Map();
  for (const w of warehouses.filter((w) => w.marketplace === marketplace && w.active)) keys.set(key(w), w);
  for (const p of pushes) if (!keys.has(key(p))) keys.set(key(p), p);
  return [...keys.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, x]) => {
      const known = warehouses.find((w) => w.marketplace === marketplace && key(w) === k);
      const name = known?.name || `warehouse ${x.warehouseId}`;
      // Which cabinet said it: named when it is not the environment's own.
      const cabinet = x.connection && x.connection !== 'env' ? ` (${x.connection})` : '';
      return { id: x.warehouseId, connection: x.connection ?? null, name: `${name}${cabinet}`, push: pushes.find((p) => key(p) === k) };
    });
}

function errorLine(error) {
  const next = error.retryable
    ? ['retried ', String(error.attempts), '×', error.nextRetryAt ? [', next at ', timeEl(error.nextRetryAt)] : '']
    : ' (not retried: fix it on the marketplace)';
  return el(
    'div',
    { class: 'push-error' },
    el('strong', {}, `refused${error.value === null ? '' : ` ${error.value}`}: ${error.code}`),
    error.message ? ` ${error.message}` : '',
    next,
  );
}

/** What a warehouse should be told: its share under the allocation rules (README "Stock allocation rules"), else the available stock. */
function wanted(product, marketplace, warehouseId) {
  const share = product.allocation?.find((a) => a.marketplace === marketplace)?.warehouses.find((w) => w.warehouseId === warehouseId);
  return share ? share.value : product.available;
}

function line(product, marketplace, marketplaceName, w) {
  const p = w.push;
  const told = p?.pushedValue ?? null;
  const parts = [el('span', { class: 'wh' }, w.name)];
  if (told === null) {
    parts.push(el('span', { class: 'muted' }, p?.error ? 'never accepted' : 'waiting for the first push'));
  } else {
    parts.push(el('strong', { class: 'told' }, told), ' ', el('span', { class: 'when' }, timeEl(p.pushedAt)));
    const want = wanted(product, marketplace, w.id);
    if (told !== want && !p.error) parts.push(el('span', { class: 'pending' }, ` → ${want} next`));
  }
  // Added by the push worker when the wanted value was above what the marketplace accepts.
  if (p?.clampedFrom !== undefined && p.clampedFrom !== null)
    parts.push(el('div', { class: 'note' }, `clamped from ${p.clampedFrom} — marketplace max`));
  if (p?.error) parts.push(errorLine(p.error));
  const label = `${marketplaceName}, ${w.name}: ${told === null ? 'nothing pushed yet' : `pushed ${told}`}${p?.error ? `, refused (${p.error.code})` : ''}`;
  return el(
    'li',
    {
      'data-warehouse': w.id,
      'data-connection': w.connection ?? '',
      class: p?.error ? 'has-error' : '',
      'aria-label': label,
      title: label,
    },
    parts,
  );
}

/** One `<td data-marketplace>` per marketplace for a counted product. */
export function pushCells(product, warehouses) {
  return MARKETPLACES.map((m) => {
    const lines = warehouseLines(product, m.id, warehouses);
    const td = el('td', { class: 'pushes', 'data-marketplace': m.id });
    td.append(
      lines.length
        ? el(
            'ul',
            {},
            lines.map((w) => line(product, m.id, m.name, w)),
          )
        : el('span', { class: 'muted' }, 'no warehouse to push to'),
    );
    return td;
  });
}

/** How many warehouses there are when every one holds what it should (its rule's share, else available); 0 while any does not. */
export function reachedEverywhere(product, warehouses) {
  const lines = MARKETPLACES.flatMap((m) => warehouseLines(product, m.id, warehouses).map((w) => ({ ...w, marketplace: m.id })));
  const ok = lines.length > 0 && lines.every((w) => w.push && w.push.pushedValue === wanted(product, w.marketplace, w.id) && !w.push.error);
  return ok ? lines.length : 0;
}
