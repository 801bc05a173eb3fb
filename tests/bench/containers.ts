import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { dbCpuSample, dbCpuSpent, loadContext, taggedUrl } from './context';
import { summarize, type Stats } from './stats';
import { WORKLOADS, type Request } from './workloads';

/*
 * The connection side of the deployed stack, simulated (issue 17): N Lambda containers of one
 * function, each serving one request at a time over its one database connection, all N at once
 * against the bench database. A container is a copy of the function's bundle under a file name of
 * its own, so `require` gives it its own module state: its own pg pool (DB_POOL_MAX=1, as on Lambda),
 * its own caches. All copies run in this one process, so their JavaScript shares one core; the CPU
 * the database's backends spent per request (from /proc) is the figure that does not depend on that.
 *
 * Job in BENCH_CONTAINERS_JOB (JSON), results written to job.outFile. Run by run.ts, or by hand:
 *   BENCH_CONTAINERS_JOB='{"appUrl":…,"ownerUrl":…,"workloads":["W2"],"functions":{"W2":{"name":…,"bundle":…}},
 *     "containers":32,"seconds":5,"outFile":"/tmp/c.json"}' npx tsx tests/bench/containers.ts
 */
export interface ContainerJob {
  appUrl: string;
  ownerUrl: string;
  workloads: string[];
  functions: Record<string, { name: string; bundle: string } | null>;
  containers: number;
  seconds: number;
  outFile: string;
}

export interface ContainerResult {
  id: string;
  function: string | null;
  containers: number;
  seconds: number;
  error?: string;
  stats?: Stats;
  /** Answers other than the workload's expected status (each counted, not retried). */
  failures: number;
  firstFailure?: string;
  /** Most of this function's connections seen busy (active or in a transaction) at one sample. */
  busyConnections?: number;
  /** Connections this function's containers held open at the end (one per container). */
  openConnections?: number;
  /** CPU milliseconds per request: the containers' JavaScript (this process), the database backends serving their connections. */
  apiCpuMs?: number;
  dbCpuMs?: number | null;
}

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body?: string }>;

const OUT = join(__dirname, '.out', 'containers');

async function main() {
  const job = JSON.parse(process.env.BENCH_CONTAINERS_JOB!) as ContainerJob;
  Object.assign(process.env, { DATABASE_URL: job.appUrl, DB_POOL_MAX: '1', LOG_LEVEL: 'silent', STAGE: 'bench' });
  const ctx = await loadContext(job.ownerUrl);
  const { signToken } = await import('../../lib/auth/tokens');
  const { buildEvent } = await import('../helpers/http');
  const token = (await signToken('access', { id: ctx.userId, reflexoId: ctx.tenantId, isSuperuser: false })).token;
  const event = (r: Request) => buildEvent({ method: r.method, path: r.path, query: r.query as Record<string, string>, json: r.json, token: r.auth ? token : undefined });
  const observer = new pg.Client({ connectionString: job.ownerUrl, application_name: 'bench-observer' });
  await observer.connect();

  // One fleet of containers per function (W4 and W6 share theirs, as they share a function when deployed).
  const fleets = new Map<string, { handlers: Handler[]; tag: string }>();
  const fleet = (fn: { name: string; bundle: string }) => {
    let f = fleets.get(fn.name);
    if (!f) {
      mkdirSync(join(OUT, fn.name), { recursive: true });
      // Each pool connects at its first request (the warm-up, next), under this fleet's name.
      const tag = `bench-containers-${fn.name}`.slice(0, 63);
      process.env.DATABASE_URL = taggedUrl(job.appUrl, tag);
      const handlers = Array.from({ length: job.containers }, (_, i) => {
        const file = join(OUT, fn.name, `container-${i}.js`);
        copyFileSync(fn.bundle, file);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return require(file).handler as Handler;
      });
      f = { handlers, tag };
      fleets.set(fn.name, f);
    }
    return f;
  };
  const connections = async (tag: string) =>
    (
      await observer.query<{ open: number; busy: number }>(
        `SELECT count(*)::int AS open, (count(*) FILTER (WHERE state <> 'idle'))::int AS busy FROM pg_stat_activity WHERE application_name = $1`,
        [tag],
      )
    ).rows[0];

  let seq = 0; // W6 books a fresh free slot per request (ctx.freeFrom is after every earlier booking)
  const results: ContainerResult[] = [];
  for (const w of WORKLOADS.filter((x) => job.workloads.includes(x.id))) {
    const fn = job.functions[w.id];
    const result: ContainerResult = { id: w.id, function: fn?.name ?? null, containers: job.containers, seconds: job.seconds, failures: 0 };
    results.push(result);
    if (!fn) {
      result.error = 'no function serves this path yet';
      continue;
    }
    const { handlers, tag } = fleet(fn);
    const call = async (h: Handler) => {
      const res = await h(event(w.request(ctx, seq++)), {});
      if (res.statusCode !== w.expect) {
        result.failures++;
        result.firstFailure ??= `${res.statusCode} ${(res.body ?? '').slice(0, 160)}`;
      }
    };
    // Warm: every container opens its connection and loads its lazy modules (a cold start each), twice.
    for (let round = 0; round < 2; round++) await Promise.all(handlers.map(call));
    if (result.failures) {
      result.error = `answered ${result.firstFailure} while warming up`;
      continue;
    }

    const dbBefore = await dbCpuSample(observer, tag);
    const cpuBefore = process.cpuUsage();
    const times: number[] = [];
    const t0 = performance.now();
    const deadline = t0 + job.seconds * 1000;
    let busy = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        busy = Math.max(busy, (await connections(tag)).busy);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await Promise.all(
      handlers.map(async (h) => {
        while (performance.now() < deadline) {
          const t = performance.now();
          await call(h);
          times.push(performance.now() - t);
        }
      }),
    );
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpuBefore);
    const dbAfter = await dbCpuSample(observer, tag);
    sampling = false;
    await sampler;
    result.stats = summarize(times, wall);
    result.apiCpuMs = (cpu.user + cpu.system) / 1000 / times.length;
    result.dbCpuMs = dbBefore && dbAfter ? dbCpuSpent(dbBefore, dbAfter) / times.length : null;
    result.busyConnections = busy;
    result.openConnections = (await connections(tag)).open;
    const s = result.stats;
    console.log(
      `  ${w.id} ${job.containers} containers: ${s.rps.toFixed(0)} req/s  p50 ${s.p50.toFixed(2)} ms  p99 ${s.p99.toFixed(2)} ms  CPU/req API ${result.apiCpuMs.toFixed(2)} ms, DB ${result.dbCpuMs?.toFixed(2) ?? '—'} ms  connections busy ≤ ${busy}${result.failures ? `  ✖ ${result.failures} failed: ${result.firstFailure}` : ''}`,
    );
  }
  await observer.end();
  writeFileSync(job.outFile, JSON.stringify(results, null, 2));
}

if (require.main === module) {
  main().then(
    () => process.exit(0), // the containers' pools would otherwise keep the process alive
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
