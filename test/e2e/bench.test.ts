import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBench, type Figure } from '@datasync/bench';

const byId = (figures: Figure[], id: number) => figures.find((f) => f.id === id)!;
const metric = (f: Figure, name: string) => f.metrics.find((m) => m.name.startsWith(name))!.value;

// `pnpm bench` at tiny sizes, so its scripts cannot rot. Speed targets are not asserted here (the
// machine's load decides them); what a user would notice regardless is.
describe('pnpm bench --smoke', () => {
  it('takes all six figures against baselines of the same run, prints them as tables and writes them as JSON', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-smoke-'));
    const lines: string[] = [];
    try {
      const result = await runBench({ mode: 'smoke', outDir: dir, print: (line) => lines.push(line) });
      expect(result.figures.map((f) => f.id)).toEqual([1, 2, 3, 4, 5, 6]);
      for (const f of result.figures) for (const m of f.metrics) expect(Number.isFinite(m.value), `figure ${f.id}: ${m.name}`).toBe(true);

      const json = JSON.parse(await readFile(result.file, 'utf8')) as { figures: Figure[]; machine: { cpus: number } };
      expect(json.figures).toEqual(JSON.parse(JSON.stringify(result.figures)));
      expect(json.machine.cpus).toBeGreaterThan(0);
      const text = lines.join('\n');
      for (const id of [1, 2, 3, 4, 5, 6]) expect(text).toContain(`Figure ${id}.`);
      expect(text).toMatch(/\| sync \/ min\(fetch-only, COPY\) \((fetch-only|COPY)\) +\| [\d.]+ × +\| ≥ 0\.80/);
      expect(text).toMatch(/\| sync \/ naive +\| [\d.]+ × +\| ≥ 20/);

      const load = byId(result.figures, 1);
      const details = load.details as {
        rows: number;
        rowsPerTable: Record<string, number>;
        copy: { rows: number };
        fetchOnly: { items: number; requests: number };
        naive: { rows: number; requests: number };
      };
      expect(details.copy.rows).toBe(details.rows);
      // Fetch-only read every row of the paginated entities the sync stored (and the lists besides).
      const { clients, records, transactions } = details.rowsPerTable;
      expect(details.fetchOnly.items).toBeGreaterThan(clients! + records! + transactions!);
      expect(details.naive.rows).toBeGreaterThan(0);
      // The naive script fetched its pages from the sandbox (login + at least one page per root).
      expect(details.naive.requests).toBeGreaterThanOrEqual(6);
      expect(metric(load, 'full sync')).toBeGreaterThan(0);
      expect(metric(load, 'sync / COPY')).toBeGreaterThan(0);
      // Who used the CPU is measured, not assumed: the sync's Postgres backends and the COPY's both did work.
      expect(metric(load, 'Postgres CPU per 1,000 rows: sync')).toBeGreaterThan(0);
      expect(metric(load, 'Postgres CPU per 1,000 rows: COPY')).toBeGreaterThan(0);
      expect(metric(load, 'sync: CPU of the worker')).toBeGreaterThan(0);

      // A pass with no change: one request per paginated entity.
      expect((byId(result.figures, 3).details as { paginated: Record<string, number> }).paginated).toEqual({
        clients: 1,
        records: 1,
        transactions: 1,
      });
      // Under the real limit the sandbox never had to refuse a request.
      expect(metric(byId(result.figures, 2), '429 answers')).toBe(0);
      expect(metric(byId(result.figures, 4), 'non-2xx answers (gateway)')).toBe(0);
      expect(metric(byId(result.figures, 4), 'non-2xx answers (ceiling)')).toBe(0);
      expect(metric(byId(result.figures, 4), 'gateway / ceiling')).toBeGreaterThan(0);
      expect(metric(byId(result.figures, 6), 'figure 1')).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
