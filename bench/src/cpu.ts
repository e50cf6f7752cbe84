import { readFileSync } from 'node:fs';
import os from 'node:os';
import type pg from 'pg';
import { cpuSeconds } from './stack';

/**
 * CPU accounting for a timed phase, from /proc (Linux): what each process of ours used, what the
 * Postgres backends serving the bench's database used, and what the whole machine did (other
 * engineers' work included), so a figure can show whether it was bound by CPU or by waiting.
 */

/** CPU seconds of a process, or undefined once it is gone (or /proc is not there). */
export function cpuOf(pid: number): number | undefined {
  try {
    return cpuSeconds(pid);
  } catch {
    return undefined;
  }
}

/**
 * Seconds a process's main thread (its event loop) spent runnable but waiting for a core
 * (`run_delay` of /proc/<pid>/schedstat): time the CPU scheduler, not the process, decided.
 */
export function cpuWaitOf(pid: number): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
  } catch {
    return undefined;
  }
}

/** Seconds, since boot, during which at least one task waited for a core (PSI, /proc/pressure/cpu `some`). */
export function cpuPressure(): number | undefined {
  try {
    const total = /some .*total=(\d+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'))?.[1];
    return total ? Number(total) / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

/** Busy and total CPU seconds of the whole machine since boot (all cores), from /proc/stat. */
export function machineCpu(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const [, ...fields] = line.trim().split(/\s+/);
    const n = fields.map(Number);
    const total = n.reduce((a, b) => a + b, 0);
    // idle + iowait are not busy.
    const idle = (n[3] ?? 0) + (n[4] ?? 0);
    return { busy: (total - idle) / 100, total: total / 100 };
  } catch {
    return undefined;
  }
}

/** CPU seconds (`run`) and seconds waiting for a core (`wait`) of every backend of this pool's database (but the asking one), by pid. */
export async function backendsCpu(pool: pg.Pool): Promise<Map<number, { run: number; wait: number }>> {
  const { rows } = await pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
  );
  const out = new Map<number, { run: number; wait: number }>();
  for (const { pid } of rows) {
    const run = cpuOf(pid);
    if (run !== undefined) out.set(pid, { run, wait: cpuWaitOf(pid) ?? 0 });
  }
  return out;
}

export interface PhaseCpu {
  /** Wall seconds the meter ran. */
  wall: number;
  /** CPU seconds of each named process during the phase. */
  processes: Record<string, number>;
  /** Seconds each named process was runnable but waiting for a core. */
  waits: Record<string, number>;
  /** CPU seconds of the bench database's backends (those still connected at the end; new ones count whole), and their waits for a core. */
  postgres: number;
  postgresWait: number;
  /** Seconds during which some task on the machine waited for a core (PSI), NaN where unknown. */
  pressure: number;
  /** CPU seconds the whole machine was busy (every process, other engineers' too), and the cores it has. */
  machineBusy: number;
  cores: number;
}

/** Starts metering a phase: call the returned function at its end. */
export async function meterCpu(pool: pg.Pool, named: Record<string, number>): Promise<() => Promise<PhaseCpu>> {
  const t0 = Date.now();
  const before = Object.fromEntries(Object.entries(named).map(([name, pid]) => [name, cpuOf(pid) ?? 0]));
  const waited = Object.fromEntries(Object.entries(named).map(([name, pid]) => [name, cpuWaitOf(pid) ?? 0]));
  const backends0 = await backendsCpu(pool);
  const machine0 = machineCpu();
  const pressure0 = cpuPressure();
  return async () => {
    const processes: Record<string, number> = {};
    const waits: Record<string, number> = {};
    for (const [name, pid] of Object.entries(named)) {
      processes[name] = round((cpuOf(pid) ?? before[name]!) - before[name]!);
      waits[name] = round((cpuWaitOf(pid) ?? waited[name]!) - waited[name]!);
    }
    let postgres = 0;
    let postgresWait = 0;
    for (const [pid, s] of await backendsCpu(pool)) {
      postgres += s.run - (backends0.get(pid)?.run ?? 0);
      postgresWait += s.wait - (backends0.get(pid)?.wait ?? 0);
    }
    const machine1 = machineCpu();
    const pressure1 = cpuPressure();
    return {
      wall: (Date.now() - t0) / 1000,
      processes,
      waits,
      postgres: round(postgres),
      postgresWait: round(postgresWait),
      pressure: pressure0 !== undefined && pressure1 !== undefined ? round(pressure1 - pressure0) : NaN,
      machineBusy: machine0 && machine1 ? round(machine1.busy - machine0.busy) : NaN,
      cores: os.cpus().length,
    };
  };
}

const round = (n: number) => Number(n.toFixed(2));
