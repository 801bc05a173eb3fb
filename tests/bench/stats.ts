import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/* Latency statistics for the benchmark: warm-up, then timed calls at a given concurrency. */
export interface Stats {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  rps: number;
}

export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export const measure = (fn: () => Promise<unknown>, calls: number, concurrency = 1, warmup = 50): Promise<Stats> =>
  measureFor(fn, { calls, maxMs: Number.POSITIVE_INFINITY, concurrency, warmup });

export const ms = (v: number) => `${v.toFixed(2)} ms`;

/**
 * Like `measure`, but stops at `calls` calls or `maxMs` milliseconds, whichever comes first, so a
 * slow route (login's scrypt) does not stretch the run while fast ones still get many samples.
 */
export async function measureFor(fn: () => Promise<unknown>, opts: { calls: number; maxMs: number; concurrency?: number; warmup?: number }): Promise<Stats> {
  const concurrency = opts.concurrency ?? 1;
  const warmupEnd = performance.now() + Math.min(2000, opts.maxMs / 5);
  for (let i = 0; i < (opts.warmup ?? 20) && performance.now() < warmupEnd; i++) await fn();
  const times: number[] = [];
  let started = 0;
  const t0 = performance.now();
  const deadline = t0 + opts.maxMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < opts.calls && performance.now() < deadline) {
        started++;
        const t = performance.now();
        await fn();
        times.push(performance.now() - t);
      }
    }),
  );
  return summarize(times, performance.now() - t0);
}

/** Stats of call durations (ms) that took `totalMs` of wall time together. */
export function summarize(times: number[], totalMs: number): Stats {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    rps: (sorted.length / totalMs) * 1000,
  };
}

/*
 * CPU time of a process tree from /proc (Linux): per request it does not depend on how many requests
 * queued or how many cores served them, so it compares across machines better than latency. utime + stime of every live process under `root` (itself included),
 * plus cutime + cstime, where the kernel moves a child's time once its parent reaps it. The sum only
 * grows, also while processes come and go.
 */
let ticksPerSecond: number | undefined;
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

interface ProcStat {
  pid: number;
  ppid: number;
  ticks: number;
}

function readProcStats(): ProcStat[] {
  const out: ProcStat[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return out; // not Linux
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited between the listing and the read
    }
    // Fields after the command name (which may hold spaces and parentheses): state is field 3.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    out.push({ pid: Number(name), ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) });
  }
  return out;
}

/** CPU milliseconds used so far by `root` and its descendants; null when /proc does not show it. */
export function treeCpuMs(root: number): number | null {
  const all = readProcStats();
  if (!all.some((p) => p.pid === root)) return null;
  const children = new Map<number, ProcStat[]>();
  for (const p of all) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  let ticks = 0;
  const stack = [all.find((p) => p.pid === root)!];
  while (stack.length) {
    const p = stack.pop()!;
    ticks += p.ticks;
    stack.push(...(children.get(p.pid) ?? []));
  }
  return (ticks * 1000) / clockTicks();
}

/** One process's CPU milliseconds so far: its own (utime + stime) and its reaped children's (cutime + cstime). */
export function processCpu(pid: number): { ppid: number; own: number; reaped: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
    const ms = (ticks: number) => (ticks * 1000) / clockTicks();
    return { ppid: f[1], own: ms(f[11] + f[12]), reaped: ms(f[13] + f[14]) };
  } catch {
    return null; // gone, or not on this machine
  }
}

/** CPU milliseconds used so far by each of `pids` that is alive (its own utime + stime). */
export function pidsCpuMs(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    const cpu = processCpu(pid);
    if (cpu) out.set(pid, cpu.own);
  }
  return out;
}

/** CPU spent between two pidsCpuMs samples by the processes of the second (a process new since counts whole). */
export const cpuSpent = (before: Map<number, number>, after: Map<number, number>) => [...after].reduce((sum, [pid, ms]) => sum + ms - (before.get(pid) ?? 0), 0);
