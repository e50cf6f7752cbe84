// The stock page's start-up: filters, buttons, and a refresh every few seconds while the page is visible.
import { api, loadMarketplaces, MARKETPLACES } from './api.js';
import { $, debounce, el, timeEl } from './dom.js';
import { openHistory, setUpHistory } from './history.js';
import { setUpAllocation } from './allocation.js';
import { loadOrders, loadReturns } from './orders.js';
import { loadProducts } from './products.js';

const REFRESH_MS = 5000;

function status(text, isError = false) {
  const s = $('#status');
  s.textContent = text;
  s.className = isError ? 'error' : 'ok';
  s.setAttribute('role', isError ? 'alert' : 'status');
}

const products = () => loadProducts({ onHistory: openHistory, refresh });
const ordersAndReturns = () => Promise.all([loadOrders(), loadReturns()]);

let running = null;
let refreshes = 0;
/** Reloads everything; a refresh asked for while one runs joins it. `body[data-refreshes]` counts finished ones. */
function refresh() {
  running ??= (async () => {
    try {
      await Promise.all([products(), ordersAndReturns()]);
      $('#updated').replaceChildren('Updated ', timeEl(new Date().toISOString()));
      if ($('#status').classList.contains('error') && $('#status').dataset.from === 'refresh') status('');
    } catch (err) {
      status(`Could not refresh: ${err.message}`, true);
      $('#status').dataset.from = 'refresh';
    } finally {
      running = null;
      document.body.dataset.refreshes = String(++refreshes);
    }
  })();
  return running;
}

async function trigger(button, what, requests) {
  button.setAttribute('aria-disabled', 'true');
  try {
    const runs = [];
    for (const [path, body] of requests) runs.push((await api(path, { method: 'POST', body })).parser_uuid);
    status(`${what} started (run ${runs.join(', ')}); the page shows the result when it is done.`);
    $('#status').dataset.from = 'action';
  } catch (err) {
    status(`${what} not started: ${err.message}`, true);
    $('#status').dataset.from = 'action';
  } finally {
    button.removeAttribute('aria-disabled');
  }
}

/** One products column and one orders-filter option per marketplace, in the API's order. */
function showMarketplaces(marketplaces) {
  $('#fbo-header').before(
    ...marketplaces.map((m) =>
      el('th', { scope: 'col', 'data-marketplace': m.id }, `${m.name} `, el('small', {}, 'last pushed, per warehouse')),
    ),
  );
  $('#order-marketplace').append(...marketplaces.map((m) => el('option', { value: m.id }, m.name)));
}

document.addEventListener('DOMContentLoaded', async () => {
  // Everything below draws per marketplace, so the list comes first; without it the page cannot show stock.
  try {
    showMarketplaces(await loadMarketplaces());
  } catch (err) {
    status(`Could not load the marketplaces: ${err.message}`, true);
    return;
  }
  setUpHistory();
  setUpAllocation(() => void refresh());
  $('#poll').addEventListener(
    'click',
    () =>
      void trigger(
        $('#poll'),
        'Poll',
        MARKETPLACES.map((m) => ['/api/marketplaces/poll', { marketplace: m.id }]),
      ),
  );
  $('#push').addEventListener('click', () => void trigger($('#push'), 'Push', [['/api/marketplaces/push', {}]]));
  $('#refresh').addEventListener('click', () => void refresh());
  const reloadProducts = debounce(() => products().catch((err) => status(err.message, true)), 250);
  $('#search').addEventListener('input', reloadProducts);
  $('#uncounted').addEventListener('change', reloadProducts);
  $('#deleted').addEventListener('change', reloadProducts);
  const reloadOrders = debounce(() => ordersAndReturns().catch((err) => status(err.message, true)), 250);
  for (const id of ['#order-marketplace', '#order-stage']) $(id).addEventListener('change', reloadOrders);
  $('#order-sku').addEventListener('input', reloadOrders);
  void refresh();
  // Stock moves as orders arrive; typed values and focus survive this (rows are updated in place).
  setInterval(() => {
    if (!document.hidden) void refresh();
  }, REFRESH_MS);
});
