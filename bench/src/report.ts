import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Figure } from './figures';

const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - s.length));

/** One figure as a text table: metric, value, target, whether it held. */
export function formatFigure(f: Figure): string {
  const rows = f.metrics.map((m) => [
    m.name,
    `${m.value.toLocaleString('en')} ${m.unit}`,
    m.target ?? '',
    m.ok === undefined ? '' : m.ok ? 'ok' : 'MISSED',
  ]);
  const head = ['metric', 'value', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => pad(c, widths[i]!)).join(' | ')} |`;
  return [`Figure ${f.id}. ${f.title}`, line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** The machine the figures were taken on, for the JSON file and the table header. */
export function machine() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
    memoryGb: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
  };
}

/** Writes `<dir>/<stamp>-<mode>.json` and `<dir>/latest-<mode>.json`; the path of the first. */
export async function writeResults(dir: string, mode: string, data: unknown): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${new Date().toISOString().replaceAll(':', '-').slice(0, 19)}-${mode}.json`);
  const text = `${JSON.stringify(data, null, 2)}\n`;
  await writeFile(file, text);
  await writeFile(path.join(dir, `latest-${mode}.json`), text);
  return file;
}
