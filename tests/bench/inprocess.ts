import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { loadContext } from './context';
import { explainStatements, type PlanReport } from './explain';
import { measureFor, type Stats } from './stats';
import { WORKLOADS, type BenchContext, type Request } from './workloads';

/*
 * One scale's in-process measurements, in a process of its own (each bundled handler keeps a pg pool
 * per process, bound to DATABASE_URL at first use, so every scale gets a fresh process).
 * Job in BENCH_JOB (JSON), results written to job.outFile. Run by run.ts, not by hand.
 *
 * Queries per request are counted with a second build of the same function that leaves `pg`
 * external, so pg.Client.prototype.query can be wrapped: every call is one round trip (the
 * transaction's BEGIN + tenant settings + auth probe go in one; COMMIT is another).
 */
export interface Job {
  appUrl: string;
  ownerUrl: string;
  workloads: string[];
  /** workload id → { bundle, counting bundle } for the function serving its path, or null when no function does. */
  functions: Record<string, { name: string; bundle: string; counting: string } | null>;
  calls: number;
  maxMs: number;
  outFile: string;
}

export interface WorkloadResult {
  id: string;
  function: string | null;
  error?: string;
  c1?: Stats;
  c8?: Stats;
  /** Why there is no c8 measurement (an error answered under 8 concurrent requests). */
  c8Error?: string;
  queries?: number;
  queriesBigPage?: number;
  statements?: string[];
  raw?: Stats;
  ratio?: number;
  plans: PlanReport[];
  /** True when the plans come from the reference SQL (route not deployed or not answering yet). */
  referencePlans: boolean;
}

export interface ScaleResult {
  scale: number;
  context: BenchContext;
  results: WorkloadResult[];
}

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body?: string }>;

async function main() {
  const job = JSON.parse(process.env.BENCH_JOB!) as Job;
  Object.assign(process.env, { DATABASE_URL: job.appUrl, DB_POOL_MAX: '8', LOG_LEVEL: 'silent', STAGE: 'bench' });
  const ctx = await loadContext(job.ownerUrl);
  const { signToken } = await import('../../lib/auth/tokens');
  const { buildEvent } = await import('../helpers/http');
  const token = (await signToken('access', { id: ctx.userId, reflexoId: ctx.tenantId, isSuperuser: false })).token;
  const event = (r: Request) => buildEvent({ method: r.method, path: r.path, query: r.query as Record<string, string>, json: r.json, token: r.auth ? token : undefined });

  // Statement capture on the shared `pg` module (used by the counting bundles, not by the real ones).
  let capture: { text: string; values?: unknown[] }[] | null = null;
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: any[]) {
    if (capture) {
      const a = args[0];
      capture.push(typeof a === 'string' ? { text: a, values: Array.isArray(args[1]) ? args[1] : undefined } : { text: a?.text, values: a?.values });
    }
    return (original as any).apply(this, args);
  } as typeof original;

  const rawClient = new pg.Client({ connectionString: job.appUrl });
  await rawClient.connect();
  // The floor runs under the same row-level security as the API, with the tenant set once per session.
  await rawClient.query(`SELECT set_config('app.reflexo_id', $1, false), set_config('app.global', 'off', false), set_config('app.user_id', $2, false)`, [
    String(ctx.tenantId),
    String(ctx.userId),
  ]);

  let seq = 0; // every call gets its own number (W6 books a fresh slot with it)
  const results: WorkloadResult[] = [];
  for (const w of WORKLOADS.filter((x) => job.workloads.includes(x.id))) {
    const fn = job.functions[w.id];
    const result: WorkloadResult = { id: w.id, function: fn?.name ?? null, plans: [], referencePlans: true };
    results.push(result);
    const reference = w.reference?.(ctx) ?? [];
    const explainReference = async () => {
      result.plans = await explainStatements(rawClient, reference.map((r) => ({ text: r.sql, values: r.params })));
      result.referencePlans = true;
    };
    if (!fn) {
      result.error = 'no function serves this path yet';
      await explainReference();
      continue;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const handler = require(fn.bundle).handler as Handler;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const counting = require(fn.counting).handler as Handler;
    const first = await handler(event(w.request(ctx, seq++)), {});
    if (first.statusCode !== w.expect) {
      result.error = `answered ${first.statusCode} (expected ${w.expect}): ${(first.body ?? '').slice(0, 160)}`;
      await explainReference();
      continue;
    }
    const invoke = async () => {
      const res = await handler(event(w.request(ctx, seq++)), {});
      if (res.statusCode !== w.expect) throw new Error(`${w.id}: ${res.statusCode} ${(res.body ?? '').slice(0, 200)}`);
    };
    result.c1 = await measureFor(invoke, { calls: job.calls, maxMs: job.maxMs });
    // A route that fails under load (a statement timeout at 8 concurrent) is a finding, not the end of the run.
    try {
      result.c8 = await measureFor(invoke, { calls: job.calls, maxMs: job.maxMs, concurrency: 8 });
    } catch (err) {
      result.c8Error = (err as Error).message.slice(0, 200);
    }

    const countOnce = async (make: () => Request) => {
      await counting(event(make()), {}); // warm: first use opens the pool
      capture = [];
      const res = await counting(event(make()), {});
      const got = capture;
      capture = null;
      if (res.statusCode !== w.expect) throw new Error(`${w.id} (counting build): ${res.statusCode}`);
      return got;
    };
    const statements = await countOnce(() => w.request(ctx, seq++));
    result.queries = statements.length;
    result.statements = statements.map((s) => s.text.replace(/\s+/g, ' ').trim());
    if (w.biggerPage) result.queriesBigPage = (await countOnce(() => w.biggerPage!(ctx))).length;

    // The route's own data statements, without the transaction/auth envelope (nor the audit rows sent with COMMIT).
    const data = statements.filter((s) => !/^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/i.test(s.text) && !/;\s*COMMIT\s*$/i.test(s.text));
    result.plans = await explainStatements(rawClient, data);
    result.referencePlans = false;
    if (w.raw) {
      const raw = async () => {
        for (const s of data) await rawClient.query(s.text, s.values as unknown[]);
      };
      result.raw = await measureFor(raw, { calls: job.calls, maxMs: job.maxMs });
      result.ratio = result.c1.p50 / result.raw.p50;
    }
  }
  await rawClient.end();
  const out: ScaleResult = { scale: ctx.scale, context: ctx, results };
  writeFileSync(job.outFile, JSON.stringify(out, null, 2));
}

main().then(
  () => process.exit(0), // the bundled handlers' pools would otherwise keep the process alive
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
