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
  const total = performance.now() - t0;
  times.sort((a, b) => a - b);
  return {
    n: times.length,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    mean: times.reduce((a, b) => a + b, 0) / times.length,
    rps: (times.length / total) * 1000,
  };
}
