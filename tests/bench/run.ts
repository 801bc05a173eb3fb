import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { migrateUp } from '../../lib/db/migrate';
import { LOCAL_JWT_SECRET } from '../../lib/dev/local-env';
import { ROOT, seededScales, startBenchServer } from './bench-db';
import { buildCountingBundle, bundlePath, measureBundles, type BundleReport } from './bundles';
import { loadContext } from './context';
import type { Job, ScaleResult } from './inprocess';
import { writeReport, type HttpResult } from './report';
import { seedScale } from './seed';
import { WORKLOADS, type BenchContext } from './workloads';

/*
 * `npm run bench` (after `npm run bench:seed -- --scale 10`): the issue-8 benchmark.
 *  1. every Lambda bundle built as serverless-esbuild builds it: size and module-load time;
 *  2. per seeded scale, in a fresh process: W0–W8 at the largest scale, W2–W5 at every other one
 *     (scale 1 is seeded first if missing), in-process at concurrency 1 and 8, queries per request,
 *     the route's own SQL replayed through pg (the floor) and EXPLAIN of every statement;
 *  3. over HTTP against the local gateway on a free port: autocannon, 16 connections, 10 s each;
 *  4. tests/bench/RESULTS.md and tests/bench/chart.svg.
 * Exits non-zero when a hot route's plan scans a tenant table of more than 10,000 rows sequentially.
 *
 * Knobs: BENCH_CALLS (calls per in-process measurement, default 2000), BENCH_MAX_SECONDS (time box
 * per measurement, default 10), BENCH_HTTP_SECONDS (default 10), BENCH_SKIP_HTTP=1, BENCH_NOTE (a
 * line for RESULTS.md, e.g. "machine shared with other test runs").
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

async function httpPhase(appUrl: string, ctx: BenchContext, workloadIds: string[]): Promise<HttpResult[]> {
  const { default: autocannon } = await import('autocannon');
  const { signToken } = await import('../../lib/auth/tokens');
  const token = (await signToken('access', { id: ctx.userId, reflexoId: ctx.tenantId, isSuperuser: false })).token;
  const seconds = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
  log(`\n▸ HTTP (local gateway, autocannon: 16 connections, ${seconds} s per workload, scale ${ctx.scale})`);
  const results: HttpResult[] = [];
  let seq = 1_000_000; // W6 slots far after the in-process ones
  for (const w of WORKLOADS.filter((x) => workloadIds.includes(x.id))) {
    // A fresh server per workload, so each workload's figures start from a cold process alike.
    const server = await startServer({ ...process.env, DATABASE_URL: appUrl, DB_POOL_MAX: '8', LOG_LEVEL: 'silent' });
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
      const r = await autocannon({
        url,
        connections: 16,
        duration: seconds,
        method: first.method as 'GET',
        headers,
        body: first.json === undefined ? undefined : JSON.stringify(first.json),
        // Writes need a fresh free slot per request.
        requests: w.id === 'W6' ? [{ setupRequest: (req: any) => ({ ...req, body: JSON.stringify(make().json) }) }] : undefined,
      });
      const ok = r['2xx'];
      results.push({ id: w.id, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, ok, non2xx: r.non2xx, errors: r.errors + r.timeouts });
      log(`  ${w.id} ${w.title.padEnd(58)} ${r.requests.average.toFixed(0).padStart(6)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  ${r.non2xx ? `✖ ${r.non2xx} non-2xx` : ''}`);
    } finally {
      await server.stop();
    }
  }
  return results;
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

    log('▸ bundles (esbuild as serverless-esbuild builds them) and module-load times');
    const bundles: BundleReport[] = await measureBundles(ROOT);

    const functions: Job['functions'] = {};
    for (const w of WORKLOADS) {
      const name = functionFor(w.request(await loadContext(main.ownerUrl), 0).path);
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

    let http: HttpResult[] = [];
    if (process.env.BENCH_SKIP_HTTP !== '1') {
      const ctx = await loadContext(main.ownerUrl); // again: W6 has booked slots since
      const deployed = WORKLOADS.filter((w) => functions[w.id] && perScale[0].results.find((r) => r.id === w.id)?.c1).map((w) => w.id);
      // A server that will not start must not cost the in-process numbers: report it instead.
      http = await httpPhase(main.appUrl, ctx, deployed).catch((err) => {
        console.error(`✖ HTTP phase failed: ${(err as Error).message}`);
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
    const violations = writeReport({ machine, bundles, perScale, http, calls, maxMs });
    log(`\nwrote tests/bench/RESULTS.md and tests/bench/chart.svg`);
    if (violations.length) {
      console.error(`\n✖ sequential scan over a tenant table of more than 10,000 rows in a hot route:\n${violations.map((v) => `  ${v}`).join('\n')}`);
      process.exitCode = 1;
    }
  } finally {
    await server.stop();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
