// A SKU's movement history (the ledger), in a dialog: what moved its stock, when, and why.
import { api, marketplaceName, withQuery } from './api.js';
import { $, el, signed, timeEl } from './dom.js';

const PAGE = 50;
const KINDS = {
  adjustment: 'Counted / adjusted by hand',
  reserve: 'Reserved by an order',
  release: 'Released (order cancelled)',
  consume: 'Shipped',
  restock: 'Restocked (return)',
};

function source(m) {
  if (m.kind === 'adjustment') return m.reason ? `“${m.reason}”` : '';
  const where = m.marketplace ? marketplaceName(m.marketplace) : '';
  if (m.returnId) return `${where} return ${m.returnId}${m.orderId ? ` (order ${m.orderId})` : ''}`;
  if (m.orderId) return `${where} order ${m.orderId}`;
  return where;
}

const delta = (n) => (n === 0 ? el('span', { class: 'muted' }, '0') : el('span', { class: n > 0 ? 'up' : 'down' }, signed(n)));

function rowsOf(movements) {
  return movements.map((m) =>
    el(
      'tr',
      { 'data-kind': m.kind },
      el('td', {}, timeEl(m.createdAt)),
      el('td', {}, KINDS[m.kind] ?? m.kind),
      el('td', { class: 'num' }, delta(m.onHandDelta)),
      el('td', { class: 'num' }, delta(m.reservedDelta)),
      el('td', {}, source(m)),
    ),
  );
}

let current = null;

async function loadPage(sku, before) {
  const { movements } = await api(withQuery(`/api/marketplaces/products/${encodeURIComponent(sku)}/movements`, { limit: PAGE, before }));
  if (current !== sku) return;
  $('#history tbody').append(...rowsOf(movements));
  const more = $('#history-more');
  more.hidden = movements.length < PAGE;
  more.dataset.before = movements.at(-1)?.id ?? '';
  if (!before && movements.length === 0)
    $('#history tbody').append(el('tr', {}, el('td', { colSpan: 5, class: 'muted' }, 'Nothing has moved this SKU yet.')));
}

export function openHistory(product) {
  const dialog = $('#history');
  current = product.sku;
  $('#history-title').textContent = `${product.sku} — ${product.name}`;
  $('#history-summary').textContent = product.counted
    ? `On hand ${product.onHand}, reserved ${product.reserved}, available ${product.available}.`
    : `Not counted yet (reserved ${product.reserved}); nothing is pushed until it is.`;
  $('#history tbody').replaceChildren();
  $('#history-error').textContent = '';
  dialog.showModal();
  loadPage(product.sku).catch((err) => ($('#history-error').textContent = err.message));
}

export function setUpHistory() {
  const dialog = $('#history');
  $('#history-close').addEventListener('click', () => dialog.close());
  $('#history-more').addEventListener('click', () => {
    const before = $('#history-more').dataset.before;
    if (current && before) loadPage(current, before).catch((err) => ($('#history-error').textContent = err.message));
  });
  dialog.addEventListener('close', () => (current = null));
}
