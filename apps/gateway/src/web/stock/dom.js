// Small DOM and formatting helpers shared by the page's parts.

/** `el('td', {class: 'num'}, 'text', childNode)`: attributes starting with data-/aria- are set as attributes. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'role' || k === 'for')
      node.setAttribute(k, v === true ? '' : String(v));
    else node[k] = v;
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);

const sameDay = (a, b) => a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();

/** A `<time>` for an ISO string: the clock time today, the date and time otherwise, the full value on hover. */
export function timeEl(iso, attrs = {}) {
  if (!iso) return el('span', { class: 'muted', ...attrs }, 'unknown');
  const d = new Date(iso);
  const text = sameDay(d, new Date())
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : d.toLocaleString([], {
        day: 'numeric',
        month: 'short',
        year: d.getFullYear() === new Date().getFullYear() ? undefined : 'numeric',
        hour: '2-digit',
        minute: '2-digit',
      });
  return el('time', { dateTime: iso, title: d.toLocaleString(), ...attrs }, text);
}

export const signed = (n) => (n > 0 ? `+${n}` : String(n));

/** Calls `fn` once input has paused for `ms`. */
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
