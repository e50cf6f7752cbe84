/**
 * The Prometheus alternative's query, evaluated on a /metrics answer the way Prometheus would on
 * one scrape. Only the shape render writes is understood, `sum(max by (L) (METRIC{a="x",b=~"y|z"}))`;
 * any other throws, so a changed query cannot pass unexamined.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of `query` over the samples of the scrapes of several targets (one list per target). */
export function evaluate(query: string, targets: Sample[][]): number {
  const m = /^sum\(max by \((\w+)\) \(([a-zA-Z_:][\w:]*)\{([^}]*)\}\)\)$/.exec(query);
  if (!m) throw new Error(`query of an unexpected shape: ${query}`);
  const [, by, metric, selector] = m as unknown as [string, string, string, string];
  const matchers = [...selector.matchAll(/(\w+)(=~|=)"([^"]*)"/g)].map(([, label, op, v]) => ({
    label: label!,
    test: op === '=~' ? (s: string) => new RegExp(`^(?:${v})$`).test(s) : (s: string) => s === v,
  }));
  if (matchers.length === 0) throw new Error(`no label matchers in ${query}`);
  const maxBy = new Map<string, number>();
  for (const samples of targets) {
    for (const s of samples) {
      if (s.name !== metric || !matchers.every((x) => x.test(s.labels[x.label] ?? ''))) continue;
      const group = s.labels[by] ?? '';
      maxBy.set(group, Math.max(maxBy.get(group) ?? -Infinity, s.value));
    }
  }
  return [...maxBy.values()].reduce((a, b) => a + b, 0);
}
