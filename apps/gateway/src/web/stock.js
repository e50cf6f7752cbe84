// The stock page: products with their stock and what each marketplace was last told, a form to
// adjust stock (with a reason), recent orders and returns. Talks to the gateway's REST API with
// the browser's credentials (the API key as the basic-auth password when one is set).
'use strict';

const MARKETPLACES = ['ozon', 'wb', 'ym'];
const $ = (sel) => document.querySelector(sel);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('data-')) node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c ?? '')));
  return node;
}

async function api(path, options = {}) {
  const res = await fetch(path, {
    ...options,
    credentials: 'same-origin',
    headers: { accept: 'application/json', ...(options.body ? { 'content-type': 'application/json' } : {}) },
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    const fields = (body.errors || []).map((e) => `${e.field}: ${e.message}`).join('; ');
    throw new Error(fields || (body.error && body.error.message) || `HTTP ${res.status}`);
  }
  return body;
}

function status(text, isError = false) {
  const s = $('#status');
  s.textContent = text;
  s.className = isError ? 'error' : '';
}

/** What one marketplace's warehouses were last told, with any per-item error. */
function toldCell(product, marketplace) {
  const pushes = product.pushes.filter((p) => p.marketplace === marketplace);
  const td = el('td', { class: 'num', 'data-marketplace': marketplace });
  if (pushes.length === 0) {
    td.append(el('span', { class: 'muted' }, product.counted ? 'not yet' : '—'));
    return td;
  }
  pushes.forEach((p, i) => {
    if (i > 0) td.append(el('br'));
    const value = p.pushedValue === null ? '—' : String(p.pushedValue);
    td.append(el('span', { class: 'told', title: `warehouse ${p.warehouseId}${p.pushedAt ? `, ${p.pushedAt}` : ''}` }, value));
    if (p.clampedFrom !== null && p.clampedFrom !== undefined) td.append(' ', el('span', { class: 'clamped', title: `wanted ${p.clampedFrom}: above this marketplace's maximum` }, `(max; wanted ${p.clampedFrom})`));
    if (p.error) td.append(' ', el('span', { class: 'err', title: p.error.message || '' }, `⚠ ${p.error.code}`));
  });
  return td;
}

function adjustForm(product) {
  const form = el(
    'form',
    { class: 'adjust', 'data-sku': product.sku },
    el('input', { name: 'delta', type: 'number', step: '1', placeholder: '±units', required: true, ariaLabel: `Change of ${product.sku}` }),
    el('input', { name: 'reason', type: 'text', placeholder: 'reason', required: true, ariaLabel: `Reason for ${product.sku}` }),
    el('button', { type: 'submit' }, 'Apply'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const delta = Number(form.elements.delta.value);
    const reason = form.elements.reason.value;
    try {
      await api(`/api/marketplaces/products/${encodeURIComponent(product.sku)}/adjustments`, { method: 'POST', body: JSON.stringify({ delta, reason }) });
      status(`${product.sku}: ${delta > 0 ? '+' : ''}${delta} saved; pushing to the marketplaces`);
      form.reset();
      await refresh();
    } catch (err) {
      status(`${product.sku}: ${err.message}`, true);
    }
  });
  return form;
}

async function loadProducts() {
  const search = $('#search').value.trim();
  const { products } = await api(`/api/marketplaces/products?limit=500${search ? `&search=${encodeURIComponent(search)}` : ''}`);
  const body = $('#products tbody');
  body.replaceChildren(
    ...products.map((p) =>
      el(
        'tr',
        { 'data-sku': p.sku },
        el('td', {}, p.sku),
        el('td', {}, p.name),
        el('td', { class: 'num on-hand' }, p.counted ? p.onHand : '—'),
        el('td', { class: 'num reserved' }, p.reserved),
        el('td', { class: 'num available' }, p.counted ? p.available : '—'),
        ...MARKETPLACES.map((m) => toldCell(p, m)),
        el('td', {}, adjustForm(p)),
      ),
    ),
  );
  if (products.length === 0) body.append(el('tr', {}, el('td', { colSpan: 9, class: 'muted' }, 'No products yet: the catalogue is read from the marketplaces.')));
}

async function loadOrders() {
  const { orders } = await api('/api/marketplaces/orders?limit=20');
  $('#orders tbody').replaceChildren(
    ...orders.map((o) =>
      el(
        'tr',
        {},
        el('td', {}, o.marketplace),
        el('td', {}, o.orderId),
        el('td', {}, o.substatus ? `${o.status} / ${o.substatus}` : o.status),
        el('td', {}, o.stage),
        el('td', {}, o.items.map((i) => `${i.sku ?? i.marketplaceSku} × ${i.quantity}`).join(', ')),
        el('td', {}, o.changedAt ? new Date(o.changedAt).toLocaleString() : ''),
      ),
    ),
  );
}

async function loadReturns() {
  const { returns } = await api('/api/marketplaces/returns?limit=20');
  $('#returns tbody').replaceChildren(
    ...returns.map((r) =>
      el('tr', {}, el('td', {}, r.marketplace), el('td', {}, r.returnId), el('td', {}, r.sku ?? r.marketplaceSku), el('td', { class: 'num' }, r.quantity), el('td', {}, r.status), el('td', {}, r.restocked ? 'yes' : 'no')),
    ),
  );
}

async function refresh() {
  try {
    await Promise.all([loadProducts(), loadOrders(), loadReturns()]);
  } catch (err) {
    status(err.message, true);
  }
}

async function trigger(path, what) {
  try {
    const runs = [];
    if (path === '/api/marketplaces/poll') {
      for (const marketplace of MARKETPLACES) runs.push((await api(path, { method: 'POST', body: JSON.stringify({ marketplace }) })).parser_uuid);
    } else {
      runs.push((await api(path, { method: 'POST', body: '{}' })).parser_uuid);
    }
    status(`${what} started (run ${runs.join(', ')})`);
  } catch (err) {
    status(err.message, true);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('#poll').addEventListener('click', () => void trigger('/api/marketplaces/poll', 'Poll'));
  $('#push').addEventListener('click', () => void trigger('/api/marketplaces/push', 'Push'));
  let timer;
  $('#search').addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void loadProducts(), 250);
  });
  void refresh();
  // Keep the page current while someone watches it (stock moves as orders arrive).
  setInterval(() => {
    if (!document.querySelector('form.adjust input:focus')) void refresh();
  }, 5000);
});
