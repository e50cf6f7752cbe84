const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A plain page listing what a catcher holds, newest first (no script, nothing fetched). */
export function listPage(title: string, items: { title: string; at: string; detail: string }[]): string {
  const rows = items
    .map((i) => `<details><summary><time>${escape(i.at)}</time> ${escape(i.title)}</summary><pre>${escape(i.detail)}</pre></details>`)
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:60rem}summary{cursor:pointer;padding:.3rem 0}time{color:#666;margin-right:.5rem}pre{background:#f4f4f4;padding:.8rem;white-space:pre-wrap}</style>
</head><body><h1>${escape(title)}</h1><p>${items.length} kept (newest first). Reload to refresh; DELETE this URL to clear.</p>
${rows || '<p>Nothing yet.</p>'}</body></html>`;
}
