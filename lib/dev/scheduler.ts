import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';

/*
 * The local EventBridge: the functions serverless.yml gives a `schedule` event run in this process on
 * the same cadence (`rate(N minutes)`), except where `npm start` wants them sooner (the outbox sender
 * every few seconds, so a code e-mailed by a request arrives at once). A run never overlaps the
 * previous run of the same job.
 */
interface Declaration {
  params?: { default?: Record<string, unknown> };
  functions: Record<string, { handler: string; timeout?: number; events?: { schedule?: string | { rate: string | string[] } }[] }>;
}

export interface ScheduledJob {
  name: string;
  handlerFile: string;
  everyMs: number;
  timeoutMs: number;
}

/** `rate(1 minute)`, `rate(15 minutes)`, `rate(2 hours)` → milliseconds; cron expressions are not run locally. */
export function rateMs(expression: string): number | undefined {
  const m = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (!m) return undefined;
  const unit = m[2].startsWith('minute') ? 60_000 : m[2].startsWith('hour') ? 3_600_000 : 86_400_000;
  return Number(m[1]) * unit;
}

export function readJobs(root: string): ScheduledJob[] {
  const doc = yaml.load(readFileSync(join(root, 'serverless.yml'), 'utf8')) as Declaration;
  const params = doc.params?.default ?? {};
  // Schedules come from stage parameters (`${param:x}`); locally the default stage's value applies.
  const resolve = (v: string) => v.replace(/\$\{param:(\w+)\}/g, (_m, k: string) => String(params[k] ?? ''));
  const jobs: ScheduledJob[] = [];
  for (const [name, fn] of Object.entries(doc.functions)) {
    for (const e of fn.events ?? []) {
      if (!e.schedule) continue;
      const rates = typeof e.schedule === 'string' ? [e.schedule] : [e.schedule.rate].flat();
      const everyMs = rates.map((r) => rateMs(resolve(r))).find((x) => x !== undefined);
      if (everyMs) jobs.push({ name, handlerFile: fn.handler.replace(/\.handler$/, ''), everyMs, timeoutMs: Number(fn.timeout ?? 6) * 1000 });
    }
  }
  return jobs;
}

export interface Scheduler {
  jobs: ScheduledJob[];
  stop(): Promise<void>;
}

export function startScheduler(root: string, opts: { overrides?: Record<string, number>; onError?: (name: string, err: unknown) => void } = {}): Scheduler {
  const jobs = readJobs(root).map((j) => ({ ...j, everyMs: opts.overrides?.[j.name] ?? j.everyMs }));
  const timers: NodeJS.Timeout[] = [];
  const running = new Map<string, Promise<void>>();
  let stopped = false;
  for (const job of jobs) {
    const run = () => {
      if (stopped || running.has(job.name)) return;
      const deadline = Date.now() + job.timeoutMs;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { handler } = require(join(root, `${job.handlerFile}.ts`)) as { handler: (e: unknown, c: unknown) => Promise<unknown> };
      const p = handler({ source: 'local.scheduler', 'detail-type': 'Scheduled Event' }, { getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) })
        .then(() => undefined)
        .catch((err) => opts.onError?.(job.name, err))
        .finally(() => running.delete(job.name));
      running.set(job.name, p);
    };
    timers.push(setInterval(run, job.everyMs));
  }
  return {
    jobs,
    stop: async () => {
      stopped = true;
      timers.forEach(clearInterval);
      await Promise.all(running.values());
    },
  };
}
