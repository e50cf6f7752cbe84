// A SKU's stock allocation, in a dialog: per marketplace the rule, the pool and what each warehouse
// gets (from GET /api/marketplaces/products), and a form that edits one rule through
// PUT/DELETE /api/marketplaces/rules, then shows the recomputed split (README "Stock allocation rules").
import { api, marketplaceName, MARKETPLACES, withQuery } from './api.js';
import { $, el } from './dom.js';

const SETTINGS = ['bufferUnits', 'bufferPercent', 'cap', 'weight'];
let current = null;
let warehouses = [];
let rules = [];
/** Called after a saved rule, so the products table shows the new wanted values too. */
let onChanged = () => {};

const warehouseName = (marketplace, id) =>
  warehouses.find((w) => w.marketplace === marketplace && w.warehouseId === id)?.name || `warehouse ${id}`;

/** Words for a rule scope: which SKU, which marketplace, which warehouse. */
function scopeText(s) {
  if (!s) return 'no rule';
  const parts = [s.sku ?? 'every SKU', s.marketplace ? marketplaceName(s.marketplace) : 'every marketplace'];
  parts.push(s.warehouseId ? warehouseName(s.marketplace, s.warehouseId) : 'every warehouse');
  return parts.join(', ');
}

function allocationSection(a) {
  const buffer = a.bufferRule ? `${a.buffer} kept back (rule: ${scopeText(a.bufferRule)})` : 'no buffer';
  const split = a.weighted ? 'the pool is split by weight' : 'each warehouse not excluded is told the whole pool';
  return el(
    'section',
    { class: 'allocation', 'data-allocation-marketplace': a.marketplace, 'data-connection': a.connectionId },
    el('h3', {}, marketplaceName(a.marketplace)),
    el(
      'p',
      { class: 'muted' },
      'Available ',
      el('strong', { class: 'available' }, a.available),
      `, ${buffer}, pool `,
      el('strong', { class: 'pool' }, a.pool),
      `: ${split}.`,
    ),
    el(
      'table',
      {},
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['Warehouse', 'Weight', 'Cap', 'Excluded', 'Gets', 'Rules that apply'].map((h) =>
            el('th', { scope: 'col', class: ['Weight', 'Cap', 'Gets'].includes(h) ? 'num' : '' }, h),
          ),
        ),
      ),
      el(
        'tbody',
        {},
        a.warehouses.map((w) =>
          el(
            'tr',
            { 'data-warehouse': w.warehouseId },
            el('th', { scope: 'row' }, warehouseName(a.marketplace, w.warehouseId)),
            el('td', { class: 'num' }, w.weight ?? '—'),
            el('td', { class: 'num' }, w.cap ?? '—'),
            el('td', {}, w.excluded ? 'yes' : 'no'),
            el('td', { class: 'num gets' }, el('strong', {}, w.value)),
            el('td', { class: 'muted' }, w.rules.length ? w.rules.map(scopeText).join('; ') : 'none'),
          ),
        ),
      ),
    ),
  );
}

async function loadAllocation(sku) {
  const [list, wh, rs] = await Promise.all([
    api(withQuery('/api/marketplaces/products', { search: sku, limit: 500, includeDeleted: 'true' })),
    api('/api/marketplaces/warehouses'),
    api('/api/marketplaces/rules'),
  ]);
  if (current !== sku) return;
  warehouses = wh.warehouses;
  rules = rs.rules;
  const product = list.products.find((p) => p.sku === sku);
  const allocation = product?.allocation ?? [];
  $('#allocation-summary').textContent = product
    ? product.counted
      ? `On hand ${product.onHand}, reserved ${product.reserved}, available ${product.available}.`
      : 'Not counted yet: nothing is pushed until it is; the split below is what a count would give.'
    : 'This product is no longer listed.';
  $('#allocation-result').replaceChildren(
    ...(allocation.length
      ? allocation.map(allocationSection)
      : [el('p', { class: 'muted' }, 'No marketplace has a listing of this SKU that stock is pushed to.')]),
  );
  fillWarehouses();
}

/** The scope the form names: this SKU or every SKU, one marketplace, one warehouse or every one. */
function formScope() {
  const f = $('#rule-form');
  return {
    sku: f.elements.thisSku.checked ? current : null,
    marketplace: f.elements.marketplace.value,
    warehouseId: f.elements.warehouseId.value || null,
  };
}

function fillWarehouses() {
  const f = $('#rule-form');
  const marketplace = f.elements.marketplace.value;
  const chosen = f.elements.warehouseId.value;
  const ids = [...new Set(warehouses.filter((w) => w.marketplace === marketplace && w.active).map((w) => w.warehouseId))].sort();
  f.elements.warehouseId.replaceChildren(
    el('option', { value: '' }, 'Every warehouse (the pool)'),
    ...ids.map((id) => el('option', { value: id }, warehouseName(marketplace, id))),
  );
  f.elements.warehouseId.value = ids.includes(chosen) ? chosen : '';
  prefill();
}

/** Shows the stored rule of the chosen scope (a PUT replaces every setting of its scope). */
function prefill() {
  const f = $('#rule-form');
  const s = formScope();
  const rule = rules.find((r) => r.sku === s.sku && r.marketplace === s.marketplace && r.warehouseId === s.warehouseId);
  for (const k of SETTINGS) f.elements[k].value = rule?.[k] ?? '';
  f.elements.excluded.value = rule?.excluded == null ? '' : String(rule.excluded);
  // A buffer belongs to the whole pool: the API refuses one on a warehouse rule.
  for (const k of ['bufferUnits', 'bufferPercent']) f.elements[k].disabled = s.warehouseId !== null;
  $('#rule-delete').hidden = !rule;
  $('#rule-state').textContent = rule ? `This scope has a rule (${scopeText(rule)}).` : 'No rule for this scope yet.';
}

function message(text, isError) {
  const m = $('#rule-msg');
  m.textContent = text;
  m.className = `row-msg ${isError ? 'error' : 'ok'}`;
  m.setAttribute('role', isError ? 'alert' : 'status');
}

async function save(event) {
  event.preventDefault();
  const f = $('#rule-form');
  const body = { ...formScope() };
  for (const k of SETTINGS) if (!f.elements[k].disabled && f.elements[k].value !== '') body[k] = Number(f.elements[k].value);
  if (f.elements.excluded.value !== '') body.excluded = f.elements.excluded.value === 'true';
  try {
    await api('/api/marketplaces/rules', { method: 'PUT', body });
    message(`✓ Saved the rule for ${scopeText(body)}; the marketplaces are told the new split by the push it started.`, false);
    await loadAllocation(current);
    onChanged();
  } catch (err) {
    message(`Not saved: ${err.message}`, true);
  }
}

async function remove() {
  const s = formScope();
  try {
    await api(withQuery('/api/marketplaces/rules', s), { method: 'DELETE' });
    message(`✓ Removed the rule for ${scopeText(s)}.`, false);
    await loadAllocation(current);
    onChanged();
  } catch (err) {
    message(`Not removed: ${err.message}`, true);
  }
}

export function openAllocation(product) {
  current = product.sku;
  $('#allocation-title').textContent = `${product.sku} — ${product.name}: allocation`;
  $('#allocation-summary').textContent = '';
  $('#allocation-result').replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
  $('#rule-msg').textContent = '';
  $('#rule-form').elements.thisSku.checked = true;
  $('#allocation').showModal();
  loadAllocation(product.sku).catch((err) => message(err.message, true));
}

export function setUpAllocation(changed) {
  onChanged = changed;
  const dialog = $('#allocation');
  const f = $('#rule-form');
  f.elements.marketplace.replaceChildren(...MARKETPLACES.map((m) => el('option', { value: m.id }, m.name)));
  f.elements.marketplace.addEventListener('change', fillWarehouses);
  for (const name of ['warehouseId', 'thisSku']) f.elements[name].addEventListener('change', prefill);
  f.addEventListener('submit', (e) => void save(e));
  $('#rule-delete').addEventListener('click', () => void remove());
  $('#allocation-close').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => (current = null));
}
