// The products table: stock per SKU, what each warehouse was last told, and a form per row. Rows are
// kept by SKU and updated in place, so a refresh never takes away a half-typed count or the focus.
import { api, MARKETPLACES, withQuery } from './api.js';
import { $, el } from './dom.js';
import { adjustForm } from './adjust-form.js';
import { pushCells, reachedEverywhere } from './pushes.js';
import { openAllocation } from './allocation.js';
import { fboCell } from './fbo.js';

const LIMIT = 500;
/** sku → { tr, formCell, product, shown, setPushState }; rows filtered out stay here with what was typed in them. */
const rows = new Map();
let warehouses = [];
let latest = 0;

function productCell(p, onHistory) {
  const history = el('button', { type: 'button', class: 'link history', 'aria-label': `Movement history of ${p.sku}` }, 'History');
  history.addEventListener('click', () => onHistory(p));
  // The rule, the pool and what each warehouse gets, with a rule editor (allocation.js).
  const allocation = el('button', { type: 'button', class: 'link allocation', 'aria-label': `Stock allocation of ${p.sku}` }, 'Allocation');
  allocation.addEventListener('click', () => openAllocation(p));
  // Shown only with "Show deleted": no marketplace lists it any more (a complete catalogue read said so).
  const deleted = p.deletedAt ? el('span', { class: 'badge warn deleted', title: `since ${p.deletedAt}` }, 'deleted upstream') : '';
  return el(
    'th',
    { scope: 'row', class: 'product' },
    el('div', { class: 'sku' }, p.sku, deleted ? ' ' : '', deleted),
    el('div', { class: 'name' }, p.name),
    el('div', { class: 'links' }, history, allocation),
  );
}

function displayCells(p, onHistory) {
  const cells = [productCell(p, onHistory)];
  if (!p.counted) {
    cells.push(
      el('td', { class: 'num on-hand' }, el('span', { class: 'badge warn' }, 'not counted yet')),
      el('td', { class: 'num reserved' }, p.reserved),
      el(
        'td',
        { class: 'uncounted', colSpan: 1 + MARKETPLACES.length }, // available and one per marketplace
        el('strong', {}, 'Not counted yet — never pushed.'),
        ' The marketplaces keep what they have until you enter a counted quantity.',
      ),
      fboCell(p),
    );
    return cells;
  }
  cells.push(
    el('td', { class: 'num on-hand' }, p.onHand),
    el('td', { class: 'num reserved' }, p.reserved),
    el('td', { class: 'num available' }, p.available),
    ...pushCells(p, warehouses),
    // Read only: what the marketplaces hold themselves (fbo.js).
    fboCell(p),
  );
  return cells;
}

function pushProgress(p) {
  const n = reachedEverywhere(p, warehouses);
  if (n) return `Now on all ${n} marketplace warehouses.`;
  if (p.pushes.some((x) => x.error)) return 'A marketplace refused it: see the warehouse lines.';
  return 'Pushing to the marketplaces…';
}

function update(row, p, onHistory) {
  row.product = p;
  const shown = JSON.stringify([p, warehouses]);
  if (row.shown === shown) return;
  row.shown = shown;
  row.tr.classList.toggle('is-uncounted', !p.counted);
  // Everything but the form cell is rebuilt; the form cell is never detached (that would drop focus).
  while (row.tr.firstChild && row.tr.firstChild !== row.formCell) row.tr.firstChild.remove();
  row.formCell.before(...displayCells(p, onHistory));
  row.setPushState(pushProgress(p));
}

function createRow(p, onHistory, refresh) {
  const row = { tr: el('tr', { 'data-sku': p.sku }), product: p, shown: '' };
  const { form, setPushState } = adjustForm(row, (after) => {
    update(row, { ...row.product, ...after }, onHistory);
    void refresh();
  });
  row.setPushState = setPushState;
  row.formCell = el('td', { class: 'adjust-cell' }, form);
  row.tr.append(row.formCell);
  return row;
}

function place(body, products, onHistory, refresh) {
  const wanted = new Set(products.map((p) => p.sku));
  for (const child of [...body.children]) if (!wanted.has(child.dataset.sku)) child.remove();
  let previous = null;
  for (const p of products) {
    let row = rows.get(p.sku);
    if (!row) rows.set(p.sku, (row = createRow(p, onHistory, refresh)));
    update(row, p, onHistory);
    const slot = previous ? previous.nextSibling : body.firstChild;
    if (slot !== row.tr) body.insertBefore(row.tr, slot);
    previous = row.tr;
  }
}

/** Reads the filters, loads the products and shows them; an answer overtaken by a newer load is dropped. */
export async function loadProducts({ onHistory, refresh }) {
  const search = $('#search').value.trim();
  const uncounted = $('#uncounted').checked;
  // Products deleted upstream are left out unless asked for.
  const includeDeleted = $('#deleted').checked ? 'true' : undefined;
  const ticket = ++latest;
  const [list, wh] = await Promise.all([
    api(withQuery('/api/marketplaces/products', { limit: LIMIT, search, counted: uncounted ? 'false' : undefined, includeDeleted })),
    api('/api/marketplaces/warehouses'),
  ]);
  if (ticket !== latest) return;
  warehouses = wh.warehouses;
  const body = $('#products tbody');
  place(body, list.products, onHistory, refresh);
  const what = uncounted ? 'uncounted products' : 'products';
  $('#product-count').textContent =
    list.total > list.products.length ? `${list.products.length} of ${list.total} ${what} (narrow the search)` : `${list.total} ${what}`;
  const empty = $('#products-empty');
  empty.hidden = list.products.length > 0;
  empty.textContent =
    search || uncounted
      ? 'No product matches these filters.'
      : 'No products yet: the catalogue is read from the marketplaces (Poll marketplaces now, or wait for the schedule).';
}
