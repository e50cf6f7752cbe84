// The per-row form: a counted quantity or a ± change, with a reason. It is built once per SKU and
// never replaced by a refresh, so what a person typed (and where their cursor is) stays put.
import { api } from './api.js';
import { el, timeEl } from './dom.js';

const MODES = {
  onHand: { option: 'Counted', placeholder: 'qty', label: 'Counted quantity of', min: 0 },
  delta: { option: '± units', placeholder: '±qty', label: 'Units to add (or remove, negative) for', min: undefined },
};

/**
 * `row.product` is the product as last shown; `onSaved(product)` is told the product after a saved change.
 * Returns the form and `setPushState(text)`, which completes the confirmation once the push is seen.
 */
export function adjustForm(row, onSaved) {
  const sku = row.product.sku;
  const mode = el(
    'select',
    { name: 'mode', 'aria-label': `What to enter for ${sku}` },
    Object.entries(MODES).map(([value, m]) => el('option', { value }, m.option)),
  );
  const quantity = el('input', { name: 'quantity', type: 'number', step: 1, inputMode: 'numeric', autocomplete: 'off' });
  const reason = el('input', {
    name: 'reason',
    type: 'text',
    maxLength: 500,
    autocomplete: 'off',
    placeholder: 'reason',
    'aria-label': `Reason for ${sku}`,
  });
  const save = el('button', { type: 'submit', class: 'primary' }, 'Save');
  const message = el('output', { class: 'row-msg', 'aria-live': 'polite' });
  const form = el(
    'form',
    { class: 'adjust', 'data-sku': sku, noValidate: true },
    el('div', { class: 'inputs' }, mode, quantity, reason, save),
    message,
  );

  const applyMode = () => {
    const m = MODES[mode.value];
    quantity.placeholder = m.placeholder;
    quantity.setAttribute('aria-label', `${m.label} ${sku}`);
    if (m.min === undefined) quantity.removeAttribute('min');
    else quantity.min = String(m.min);
  };
  mode.addEventListener('change', applyMode);
  applyMode();

  let saved = null;
  const say = (kind, ...parts) => {
    message.className = `row-msg ${kind}`;
    message.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    message.replaceChildren(...parts);
  };
  const fail = (text, field) => {
    field?.setAttribute('aria-invalid', 'true');
    say('error', `✗ Not saved: ${text}`);
  };

  let busy = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    quantity.removeAttribute('aria-invalid');
    reason.removeAttribute('aria-invalid');
    const raw = quantity.value.trim();
    const n = Number(raw);
    if (raw === '' || !Number.isInteger(n))
      return fail(
        mode.value === 'onHand' ? 'enter the counted quantity (a whole number)' : 'enter the units to add or remove (a whole number)',
        quantity,
      );
    if (mode.value === 'delta' && n === 0) return fail('a change of 0 changes nothing', quantity);
    if (!reason.value.trim()) return fail('give a reason (it is kept in the movement history)', reason);
    const before = row.product;
    busy = true;
    save.setAttribute('aria-disabled', 'true');
    save.textContent = 'Saving…';
    try {
      const body = mode.value === 'onHand' ? { onHand: n, reason: reason.value } : { delta: n, reason: reason.value };
      const answer = await api(`/api/marketplaces/products/${encodeURIComponent(sku)}/adjustments`, { method: 'POST', body });
      const after = answer.product;
      quantity.value = '';
      saved = [
        '✓ Saved at ',
        timeEl(new Date().toISOString()),
        `: on hand ${before.counted ? before.onHand : 'not counted'} → ${after.onHand}, available ${after.available}. `,
      ];
      say('ok', ...saved, el('span', { class: 'push-progress' }, 'Pushing to the marketplaces…'));
      onSaved(after);
    } catch (err) {
      fail(err.message, err.status === 409 ? quantity : undefined);
    } finally {
      busy = false;
      save.removeAttribute('aria-disabled');
      save.textContent = 'Save';
    }
  });

  /** Called on each refresh after a save: how far the push got. */
  const setPushState = (text) => {
    if (saved && message.classList.contains('ok')) say('ok', ...saved, el('span', { class: 'push-progress' }, text));
  };
  return { form, setPushState };
}
