import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import yaml from 'js-yaml';
import pg from 'pg';
import { migrateUp } from '../../lib/db/migrate';
import { LOCAL_JWT_SECRET } from '../../lib/dev/local-env';
import { ROOT, seededScales, startBenchServer } from './bench-db';
import { buildCountingBundle, bundlePath, measureBundles, type BundleReport } from './bundles';
import type { ContainerJob, ContainerResult } from './containers';
import { dbCpuSample, dbCpuSpent, ensureBigDay, loadContext, taggedUrl } from './context';
import type { Job, ScaleResult } from './inprocess';
import { writeReport, type HttpResult } from './report';
import { seedScale } from './seed';
import { treeCpuMs } from './stats';
import { WORKLOADS, type BenchContext } from './workloads';

/*
 * `npm run bench` (after `npm run bench:seed -- --scale 10`): the issue-8 benchmark.
 *  1. every Lambda bundle built as serverless-esbuild builds it: size and module-load time;
 *  2. per seeded scale, in a fresh process: every workload at the largest scale, W2–W5 at every other
 *     one (scale 1 is seeded first if missing), in-process at concurrency 1 and 8, queries per request,
 *     the route's own SQL replayed through pg (the floor) and EXPLAIN of every statement; W5b's day of
 *     1,500 appointments is written first, once per seeded database (context.ts ensureBigDay);
 *  3. over HTTP against the local gateway on a free port: W0–W8 and W5b, autocannon at 1 and at 16
 *     connections, 6 s each, with the CPU time per request of the gateway and of PostgreSQL (/proc);
 *  4. 32 simulated Lambda containers (pool of one each) for W2, W4 and W6 (tests/bench/containers.ts);
 *  5. tests/bench/RESULTS.md and tests/bench/chart.svg.
 * Exits non-zero when a hot route's plan scans a tenant table of more than 10,000 rows sequentially.
 *
 * Knobs: BENCH_CALLS (calls per in-process measurement, default 2000), BENCH_MAX_SECONDS (time box
 * per measurement, default 10), BENCH_HTTP_SECONDS (per workload and connection count, default 6),
 * BENCH_HTTP_WORKLOADS (a comma list, or `all`), BENCH_SKIP_HTTP=1, BENCH_CONTAINERS (default 32),
 * BENCH_CONTAINER_SECONDS (default 10), BENCH_SKIP_CONTAINERS=1, BENCH_REUSE_INPROCESS=1 (keep the
 * last in-process numbers), BENCH_NOTE (a line for RESULTS.md, e.g. "machine shared with other test runs").
 */
const OUT = join(__dirname, '.out');
const log = (s: string) => console.log(s);

/** Path prefix → function name, from serverless.yml's `ANY <prefix>` events. */
function functionPrefixes(): { name: string; prefix: string }[] {
  const doc = yaml.load(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')) as { functions: Record<string, { events?: { httpApi?: string | { path?: string; method?: string } }[] }> };
  const out: { name: string; prefix: string }[] = [];
  for (const [name, fn] of Object.entries(doc.functions)) {
    for (const e of fn.events ?? []) {
      const h = e.httpApi;
      const spec = typeof h === 'string' ? h : h ? `${h.method ?? 'ANY'} ${h.path ?? ''}` : '';
      const path = spec.split(' ')[1];
      if (path && path.startsWith('/') && !path.includes('{')) out.push({ name, prefix: path.replace(/\/$/, '') });
    }
  }
  return out;
}

function functionFor(path: string): string | null {
  const match = functionPrefixes()
    .filter((f) => path === f.prefix || path.startsWith(`${f.prefix}/`))
    .sort((a, b) => b.prefix.length - a.prefix.length)[0];
  return match?.name ?? null;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

function runWorker(job: Job): Promise<ScaleResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(__dirname, 'inprocess.ts')], {
      env: { ...process.env, BENCH_JOB: JSON.stringify(job) },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(readFileSync(job.outFile, 'utf8'))) : reject(new Error(`in-process worker exited ${code}`))));
  });
}

/** The local gateway (what `npm start` serves) alone, in a process of its own, against the bench database. */
async function startServer(env: NodeJS.ProcessEnv): Promise<{ port: number; pid: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['lib/dev/gateway.ts'], { cwd: ROOT, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway not ready after 60 s:\n${output.slice(-2000)}`)), 60_000);
    const watch = (chunk: Buffer) => {
      output += chunk.toString();
      if (/gateway ready/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', watch);
    child.stderr!.on('data', watch);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited ${code}:\n${output.slice(-2000)}`));
    });
  });
  child.stdout!.removeAllListeners('data');
  child.stderr!.removeAllListeners('data');
  child.stdout!.resume();
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  child.once('exit', (code) => console.error(`✖ gateway exited (${code}) during the run:\n${output.slice(-1500)}`));
  return {
    port,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners('exit');
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** W0–W8 (W5b with them): the Reflexo routes issue 17 compares over HTTP. */
const HTTP_WORKLOADS = ['W0', 'W1', 'W2', 'W3', 'W4', 'W5', 'W5b', 'W6', 'W7', 'W8'];
const HTTP_CONNECTIONS = [1, 16];

export async function httpPhase(appUrl: string, ownerUrl: string, ctx: BenchContext, workloadIds: string[]): Promise<HttpResult[]> {
  const { default: autocannon } = await import('autocannon');
  const { signToken } = await import('../../lib/auth/tokens');
  const token = (await signToken('access', { id: ctx.userId, reflexoId: ctx.tenantId, isSuperuser: false })).token;
  const seconds = Number(process.env.BENCH_HTTP_SECONDS ?? 6);
  log(`\n▸ HTTP (local gateway, autocannon: ${HTTP_CONNECTIONS.join(' and ')} connections, ${seconds} s each, scale ${ctx.scale}; CPU per request from /proc)`);
  const results: HttpResult[] = [];
  const observer = new pg.Client({ connectionString: ownerUrl, application_name: 'bench-observer' });
  await observer.connect();
  try {
    let seq = 1_000_000; // W6 slots far after the in-process ones
    for (const w of WORKLOADS.filter((x) => workloadIds.includes(x.id))) {
      // A fresh server per workload, so each workload's figures start from a cold process alike; its
      // connections carry a name of their own, so the database CPU they cost can be read apart.
      const tag = `bench-http-${w.id}`;
      const server = await startServer({ ...process.env, DATABASE_URL: taggedUrl(appUrl, tag), DB_POOL_MAX: '8', LOG_LEVEL: 'silent' });
      try {
        const make = () => w.request(ctx, seq++);
        const first = make();
        const qs = first.query ? `?${new URLSearchParams(Object.entries(first.query).map(([k, v]) => [k, String(v)] as [string, string]))}` : '';
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (first.auth) headers.authorization = `Bearer ${token}`;
        // Warm: the first request to a function builds and loads it (tens of seconds); wait until answers are quick.
        const url = `http://127.0.0.1:${server.port}${first.path}${qs}`;
        for (let i = 0, t0 = Date.now(); i < 20 && Date.now() - t0 < 120_000; i++) {
          const t = Date.now();
          const body = first.json === undefined ? undefined : JSON.stringify(make().json);
          const res = await fetch(url, { method: first.method, headers, body, signal: AbortSignal.timeout(90_000) }).catch(() => null);
          await res?.arrayBuffer();
          if (res && res.status === w.expect && (i >= 3 || Date.now() - t < 500)) break;
        }
        for (const connections of HTTP_CONNECTIONS) {
          // The serving processes' CPU: the gateway (tsx and the node process it starts) and the
          // PostgreSQL backends of its connections (a backend the pool opens meanwhile counts whole).
          const api0 = treeCpuMs(server.pid);
          const db0 = await dbCpuSample(observer, tag);
          const r = await autocannon({
            url,
            connections,
            duration: seconds,
            method: first.method as 'GET',
            headers,
            body: first.json === undefined ? undefined : JSON.stringify(first.json),
            // Writes need a fresh free slot per request.
            requests: w.id === 'W6' ? [{ setupRequest: (req: any) => ({ ...req, body: JSON.stringify(make().json) }) }] : undefined,
          });
          const api1 = treeCpuMs(server.pid);
          const db1 = await dbCpuSample(observer, tag);
          const answered = r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'];
          const perRequest = (ms: number | null) => (ms !== null && answered ? ms / answered : null);
          const h: HttpResult = {
            id: w.id,
            connections,
            seconds,
            rps: r.requests.average,
            p50: r.latency.p50,
            p99: r.latency.p99,
            mean: r.latency.mean,
            ok: r['2xx'],
            non2xx: r.non2xx,
            errors: r.errors + r.timeouts,
            apiCpuMs: perRequest(api0 !== null && api1 !== null ? api1 - api0 : null),
            dbCpuMs: perRequest(db0 && db1 ? dbCpuSpent(db0, db1) : null),
          };
          results.push(h);
          const cpu = (v: number | null) => (v === null ? '—' : v.toFixed(2));
          log(
            `  ${w.id.padEnd(4)} ${w.title.slice(0, 56).padEnd(56)} c${String(connections).padEnd(3)} ${h.rps.toFixed(0).padStart(6)} req/s  p50 ${h.p50} ms  p99 ${h.p99} ms  CPU/req API ${cpu(h.apiCpuMs)} ms, DB ${cpu(h.dbCpuMs)} ms  ${r.non2xx ? `✖ ${r.non2xx} non-2xx` : ''}`,
          );
        }
      } finally {
        await server.stop();
      }
    }
  } finally {
    await observer.end();
  }
  return results;
}

/** W2, W4 and W6 with a pool-of-one worker per simulated Lambda container (tests/bench/containers.ts). */
const CONTAINER_WORKLOADS = ['W2', 'W4', 'W6'];

export function runContainers(job: ContainerJob): Promise<ContainerResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(__dirname, 'containers.ts')], {
      env: { ...process.env, BENCH_CONTAINERS_JOB: JSON.stringify(job) },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(readFileSync(job.outFile, 'utf8'))) : reject(new Error(`containers worker exited ${code}`))));
  });
}

async function main() {
  process.env.JWT_SECRET = process.env.JWT_SECRET ?? LOCAL_JWT_SECRET;
  const calls = Number(process.env.BENCH_CALLS ?? 2000);
  const maxMs = Number(process.env.BENCH_MAX_SECONDS ?? 10) * 1000;
  mkdirSync(OUT, { recursive: true });
  const server = await startBenchServer(log);
  try {
    let scales = await seededScales(server);
    if (!scales.length) throw new Error('no seeded benchmark database: run `npm run bench:seed -- --scale 10` first');
    if (!scales.some((s) => s.scale === 1)) {
      log('scale 1 is not seeded yet (needed for the growth comparison): seeding it now');
      await seedScale(server, 1, log);
      scales = await seededScales(server);
    }
    for (const s of scales) await migrateUp(s.ownerUrl);
    const main = scales[0];
    await ensureBigDay(main.ownerUrl, log); // W5b's day (once per seeded database)

    log('▸ bundles (esbuild as serverless-esbuild builds them) and module-load times');
    const bundles: BundleReport[] = await measureBundles(ROOT);

    const functions: Job['functions'] = {};
    const mainContext = await loadContext(main.ownerUrl);
    for (const w of WORKLOADS) {
      const name = functionFor(w.request(mainContext, 0).path);
      functions[w.id] = name ? { name, bundle: bundlePath(name), counting: await buildCountingBundle(ROOT, name) } : null;
    }

    const perScale: ScaleResult[] = [];
    for (const s of scales) {
      const ids = s === main ? WORKLOADS.map((w) => w.id) : WORKLOADS.filter((w) => w.growth).map((w) => w.id);
      log(`\n▸ in-process, scale ${s.scale}: ${ids.join(' ')}`);
      const outFile = join(OUT, `inprocess-s${s.scale}.json`);
      // BENCH_REUSE_INPROCESS=1 keeps the previous run's in-process numbers (to redo only the HTTP part).
      const r: ScaleResult =
        process.env.BENCH_REUSE_INPROCESS === '1' && existsSync(outFile)
          ? JSON.parse(readFileSync(outFile, 'utf8'))
          : await runWorker({ appUrl: s.appUrl, ownerUrl: s.ownerUrl, workloads: ids, functions, calls, maxMs, outFile });
      for (const x of r.results) {
        const line = x.c1
          ? `p50 ${x.c1.p50.toFixed(2)} ms  p99 ${x.c1.p99.toFixed(2)} ms  c8 ${x.c8!.rps.toFixed(0)} req/s  queries ${x.queries}${x.ratio ? `  raw ${x.raw!.p50.toFixed(2)} ms  ratio ${x.ratio.toFixed(2)}×` : ''}`
          : `— ${x.error}`;
        log(`  ${x.id} ${line}`);
        for (const p of x.plans) {
          log(`    EXPLAIN${x.referencePlans ? ' (reference SQL)' : ''} ${p.sql.slice(0, 140)}`);
          log(
            p.plan
              .split('\n')
              .map((l) => `      ${l}`)
              .join('\n'),
          );
          if (p.violation) log(`      ${x.referencePlans ? '⚠ (reference SQL)' : '✖'} SEQ SCAN over ${p.seqScans.map((t) => `${t.table} (${t.rows} rows)`).join(', ')}`);
          if (p.error) log(`      ✖ ${p.error}`);
        }
      }
      perScale.push(r);
    }

    const measured = (id: string) => Boolean(functions[id] && perScale[0].results.find((r) => r.id === id)?.c1);
    let http: HttpResult[] = [];
    if (process.env.BENCH_SKIP_HTTP !== '1') {
      const ctx = await loadContext(main.ownerUrl); // again: W6 has booked slots since
      // BENCH_HTTP_WORKLOADS=all (or a list) adds the others, e.g. the v1 ones.
      const wanted = process.env.BENCH_HTTP_WORKLOADS === 'all' ? WORKLOADS.map((w) => w.id) : (process.env.BENCH_HTTP_WORKLOADS?.split(',') ?? HTTP_WORKLOADS);
      // A server that will not start must not cost the in-process numbers: report it instead.
      http = await httpPhase(main.appUrl, main.ownerUrl, ctx, wanted.filter(measured)).catch((err) => {
        console.error(`✖ HTTP phase failed: ${(err as Error).message}`);
        process.exitCode = 1;
        return [];
      });
    }

    let containers: ContainerResult[] = [];
    if (process.env.BENCH_SKIP_CONTAINERS !== '1') {
      const count = Number(process.env.BENCH_CONTAINERS ?? 32);
      const seconds = Number(process.env.BENCH_CONTAINER_SECONDS ?? 10);
      log(`\n▸ simulated Lambda containers: ${count} pool-of-one workers per function, ${seconds} s per workload, scale ${main.scale}`);
      const ids = CONTAINER_WORKLOADS.filter(measured);
      containers = await runContainers({
        appUrl: main.appUrl,
        ownerUrl: main.ownerUrl,
        workloads: ids,
        functions: Object.fromEntries(ids.map((id) => [id, { name: functions[id]!.name, bundle: functions[id]!.bundle }])),
        containers: count,
        seconds,
        outFile: join(OUT, 'containers.json'),
      }).catch((err) => {
        console.error(`✖ container simulation failed: ${(err as Error).message}`);
        process.exitCode = 1;
        return [];
      });
    }

    const machine = {
      nproc: execFileSync('nproc').toString().trim(),
      memory: execFileSync('free', ['-h']).toString().trimEnd(),
      node: process.version,
      date: new Date().toISOString(),
      commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim(),
      // the previous run's RESULTS.md and chart.svg do not make the code under test dirty
      dirty: execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', '.', ':!tests/bench/RESULTS.md', ':!tests/bench/chart.svg'], { cwd: ROOT }).toString().trim().length > 0,
      load: readFileSync('/proc/loadavg', 'utf8').trim(),
      note: process.env.BENCH_NOTE ?? '',
    };
    const violations = writeReport({ machine, bundles, perScale, http, containers, calls, maxMs });
    log(`\nwrote tests/bench/RESULTS.md and tests/bench/chart.svg`);
    if (violations.length) {
      console.error(`\n✖ sequential scan over a tenant table of more than 10,000 rows in a hot route:\n${violations.map((v) => `  ${v}`).join('\n')}`);
      process.exitCode = 1;
    }
  } finally {
    await server.stop();
  }
}

// Imported (a trial of one phase), nothing runs.
if (require.main === module) {
  main().then(
    () => process.exit(process.exitCode ?? 0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
