import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { connectionBudget } from '../../lib/ops/budget';
import type { BundleReport } from './bundles';
import type { ContainerResult } from './containers';
import { readSections, renderSection } from './sections';
import type { ScaleResult, WorkloadResult } from './inprocess';
import { WORKLOADS } from './workloads';

/* tests/bench/RESULTS.md and tests/bench/chart.svg from one run's numbers. */
export interface HttpResult {
  id: string;
  connections: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  mean: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** CPU milliseconds per answered request: the gateway's process tree, the PostgreSQL server's (null: not measurable). */
  apiCpuMs: number | null;
  dbCpuMs: number | null;
}

export interface Machine {
  nproc: string;
  memory: string;
  node: string;
  date: string;
  commit: string;
  dirty: boolean;
  load: string;
  note: string;
}

const f2 = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(2));
const f0 = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(0));
const mark = (ok: boolean) => (ok ? '✔' : '✖');
const cpu = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(2));
const int = (v: number) => v.toLocaleString('en-US');
const title = (id: string) => WORKLOADS.find((w) => w.id === id)!.title;

export function writeReport(input: {
  machine: Machine;
  bundles: BundleReport[];
  perScale: ScaleResult[];
  http: HttpResult[];
  containers?: ContainerResult[];
  calls: number;
  maxMs: number;
}, outDir = __dirname): string[] {
  const { machine, bundles, perScale, http } = input;
  const containers = input.containers ?? [];
  const main = perScale[0];
  const byScale = [...perScale].sort((a, b) => a.scale - b.scale);
  const L: string[] = [];
  const violations: string[] = [];
  const targets: string[] = [];

  L.push('# Benchmark results (issue 8)', '');
  L.push('Written by `npm run bench` (after `npm run bench:seed -- --scale 10`). Reproduce with those two commands; see "Method" below.', '');
  L.push(`- date: ${machine.date}`);
  L.push(`- commit: ${machine.commit}${machine.dirty ? ' (the working tree had uncommitted changes)' : ''}`);
  L.push(`- node ${machine.node}, \`nproc\` = ${machine.nproc}, load average at the end: ${machine.load}`);
  if (machine.note) L.push(`- note: ${machine.note}`);
  L.push('', '```', '$ free -h', machine.memory, '```', '');

  L.push('## Data', '', '| scale | tenants | patients | therapists | appointments | tickets | histories | medical records | seed time |', '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const s of byScale) {
    const c = s.context.counts ?? {};
    L.push(`| ${s.scale} | ${c.tenants} | ${c.patients} | ${c.therapists} | ${c.appointments} | ${c.tickets} | ${c.histories} | ${c.medical_records} | ${f0(s.context.seedSeconds)} s |`);
  }
  L.push(
    '',
    `The largest tenant holds about ${Math.round(100 / 1.52)} % of every table (scale × 10,000 patients, scale × 20 therapists, scale × 100,000 appointments). Busy day for W5: ${main.context.busyDay}${main.context.busyDayPayments ? ` (${int(main.context.busyDayPayments)} payments)` : ''}; W5b's day of 1,500 paid appointments: ${main.context.bigDay ?? '—'}; month for W8: ${main.context.monthStart} … ${main.context.monthEnd}.`,
    '',
  );

  L.push(`## In-process, scale ${main.scale} (bundled handler, API Gateway v2 event, warm, DB_POOL_MAX=8)`, '');
  L.push('| id | route | c1 p50 ms | c1 p99 ms | c1 req/s | c8 p50 ms | c8 p99 ms | c8 req/s | queries/req | raw p50 ms | handler/raw | target p50 |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of main.results) {
    const w = WORKLOADS.find((x) => x.id === r.id)!;
    if (!r.c1) {
      L.push(`| ${r.id} | \`${w.title}\` | ${r.error} | | | | | | | | | ${w.targetP50 === Infinity ? '—' : `≤ ${w.targetP50} ms`} |`);
      if (r.id !== 'W0') targets.push(`✖ ${r.id} not measured: ${r.error}`);
      continue;
    }
    const q = r.queriesBigPage !== undefined ? `${r.queries} (${r.queriesBigPage} at 100/page)` : `${r.queries}`;
    const target = w.targetP50 === Infinity ? '—' : `≤ ${w.targetP50} ms ${mark(r.c1.p50 <= w.targetP50)}`;
    L.push(`| ${r.id} | \`${w.title}\` | ${f2(r.c1.p50)} | ${f2(r.c1.p99)} | ${f0(r.c1.rps)} | ${r.c8 ? `${f2(r.c8.p50)} | ${f2(r.c8.p99)} | ${f0(r.c8.rps)}` : `✖ ${(r.c8Error ?? 'not measured').replace(/\|/g, '/')} | — | —`} | ${q} | ${f2(r.raw?.p50)} | ${r.ratio ? `${r.ratio.toFixed(2)}×` : '—'} | ${target} |`);
    if (w.targetP50 !== Infinity && r.id !== 'W0') targets.push(`${mark(r.c1.p50 <= w.targetP50)} ${r.id} in-process p50 ${f2(r.c1.p50)} ms (target ≤ ${w.targetP50} ms)`);
    if (r.ratio && ['W2', 'W3', 'W4', 'W5'].includes(r.id)) targets.push(`${mark(r.ratio <= 1.5)} ${r.id} handler/raw ${r.ratio.toFixed(2)}× (target ≤ 1.5×)`);
    if (r.ratio && w.targetRatio) targets.push(`${mark(r.ratio <= w.targetRatio)} ${r.id} handler/raw ${r.ratio.toFixed(2)}× (target ≤ ${w.targetRatio}×)`);
    if (w.maxQueries !== undefined && r.queries !== undefined) targets.push(`${mark(r.queries <= w.maxQueries)} ${r.id} round trips per request ${r.queries} (target ≤ ${w.maxQueries})`);
    if (r.queriesBigPage !== undefined) targets.push(`${mark(r.queriesBigPage === r.queries)} ${r.id} queries per request ${r.queries} at page size 20, ${r.queriesBigPage} at 100`);
  }
  L.push('');

  if (byScale.length > 1) {
    L.push('## Growth with data: W2–W5 at every seeded scale (in-process, concurrency 1)', '');
    L.push(`| id | ${byScale.map((s) => `p50 s${s.scale}`).join(' | ')} | ${byScale.map((s) => `p99 s${s.scale}`).join(' | ')} | ${byScale.map((s) => `queries s${s.scale}`).join(' | ')} | ${byScale.map((s) => `ratio s${s.scale}`).join(' | ')} |`);
    L.push(`| --- |${' ---: |'.repeat(byScale.length * 4)}`);
    for (const w of WORKLOADS.filter((x) => x.growth)) {
      const rs = byScale.map((s) => s.results.find((r) => r.id === w.id));
      L.push(`| ${w.id} | ${rs.map((r) => f2(r?.c1?.p50)).join(' | ')} | ${rs.map((r) => f2(r?.c1?.p99)).join(' | ')} | ${rs.map((r) => r?.queries ?? '—').join(' | ')} | ${rs.map((r) => (r?.ratio ? `${r.ratio.toFixed(2)}×` : '—')).join(' | ')} |`);
      const qs = rs.map((r) => r?.queries).filter((x) => x !== undefined);
      if (qs.length > 1) targets.push(`${mark(new Set(qs).size === 1)} ${w.id} queries per request independent of data size (${qs.join(' → ')})`);
    }
    L.push('');
  }

  if (http.length) L.push(...httpSection(http, main.scale));
  L.push(...containersSection(containers, main));
  L.push(...scalingSection(containers, main, machine));

  L.push('## Bundles (esbuild as serverless-esbuild builds them; AWS SDK external, provided by the runtime)', '');
  L.push(
    'Packed modules: the serverless.yml `external` packages a bundle requires, shipped as node_modules in its zip and loaded at their first use (first use ms: requiring them after the bundle, in the zip\'s layout).',
    '',
  );
  L.push('| function | size KB | module load ms | packed modules | packed KB | first use ms | budget | |', '| --- | ---: | ---: | --- | ---: | ---: | --- | --- |');
  for (const b of bundles) {
    const budget = b.heavy ? 2.5 * 1024 * 1024 : 1024 * 1024;
    const ok = b.bytes <= budget && b.loadMs <= 150;
    const packed = b.externals.length ? `| ${b.externals.join(', ')} | ${(b.externalBytes / 1024).toFixed(0)} | ${f2(b.lazyLoadMs!)} ` : '| – | – | – ';
    L.push(`| ${b.name} | ${(b.bytes / 1024).toFixed(0)} | ${f2(b.loadMs)} ${packed}| ${b.heavy ? '2.5 MB (SDK/export libs)' : '1 MB'}, 150 ms | ${mark(ok)} |`);
    if (!ok) targets.push(`✖ bundle ${b.name}: ${(b.bytes / 1024).toFixed(0)} KB, load ${f2(b.loadMs)} ms`);
  }
  if (bundles.every((b) => b.bytes <= (b.heavy ? 2.5 : 1) * 1024 * 1024 && b.loadMs <= 150)) targets.push(`✔ every bundle within its size budget and ≤ 150 ms module load (${bundles.length} functions)`);
  L.push('');

  L.push('## Plans (EXPLAIN, no ANALYZE) of every hot route statement', '');
  const warnings: string[] = [];
  for (const s of byScale) {
    for (const r of s.results) {
      for (const p of r.plans) {
        if (!p.violation) continue;
        const line = `scale ${s.scale} ${r.id}: Seq Scan on ${p.seqScans.map((x) => `${x.table} (${x.rows} rows)`).join(', ')} in: ${p.sql.slice(0, 200)}`;
        // The reference SQL is this benchmark's guess at a route not measured yet: a hint, not a failure.
        (r.referencePlans ? warnings : violations).push(line);
      }
    }
  }
  if (warnings.length) L.push('Reference SQL of routes not measured yet that would scan sequentially (hints for their authors):', '', ...warnings.map((v) => `- ${v}`), '');
  targets.push(violations.length ? `✖ ${violations.length} sequential scan(s) over a tenant table > 10,000 rows (see Plans)` : '✔ no sequential scan over a tenant table > 10,000 rows in any measured plan');
  if (violations.length) L.push('**✖ Sequential scans over tenant tables of more than 10,000 rows:**', '', ...violations.map((v) => `- ${v}`), '');
  for (const r of main.results) {
    if (!r.plans.length) continue;
    L.push(`<details><summary>${r.id} ${title(r.id)}${r.referencePlans ? ' — reference SQL (route not measured)' : ''}</summary>`, '');
    for (const p of r.plans) L.push('```sql', p.sql, '```', '```', p.error ? `error: ${p.error}` : p.plan, '```');
    L.push('</details>', '');
  }

  L.push('## Targets', '', ...targets.map((t) => `- ${t}`), '');
  L.push('## Method', '');
  L.push(
    `- In-process: the esbuild bundle of each function (what Lambda runs) is \`require\`d and its handler invoked with an API Gateway v2 event (tests/helpers/http.ts buildEvent), warm (20 warm-up calls), up to ${input.calls} calls or ${input.maxMs / 1000} s per measurement, at concurrency 1 and 8, DB_POOL_MAX=8. Each scale runs in its own process.`,
    '- Queries per request: a second build of the same function leaves `pg` external; pg.Client.prototype.query is wrapped and one request counted. The number is round trips: the transaction\'s BEGIN, tenant settings and auth probe travel in one, COMMIT in another.',
    '- Raw SQL (the floor): the statements the route sent (captured as above, minus the transaction envelope) replayed through one pg connection with the same tenant settings, under the same row-level security. Ratio = handler p50 / raw p50.',
    '- Plans: EXPLAIN of each captured statement (reference SQL from tests/bench/workloads.ts when the route is not deployed yet); the run fails when a plan has a Seq Scan on a table with reflexo_id and more than 10,000 rows (pg_class.reltuples).',
    `- HTTP: the local gateway (\`lib/dev/gateway.ts\`, what \`npm start\` serves) in a process of its own on a free port (DB_POOL_MAX=8), a fresh one per workload, warmed, then autocannon with 1 and with 16 connections for ${http[0]?.seconds ?? 6} s each; W6 books a different free slot per request. CPU per request: utime + stime (+ reaped children's) from \`/proc/<pid>/stat\` before and after each measurement, divided by the answered requests: API = the gateway's process tree (tsx and the node process serving), DB = the PostgreSQL backends of the gateway's connections (found in pg_stat_activity by the \`application_name\` its DATABASE_URL sets) plus what the postmaster reaped meanwhile (parallel query workers, which live for one statement; on a quiet machine nothing else ends during a measurement). WAL writer and checkpointer are not counted.`,
    `- Simulated containers: tests/bench/containers.ts, ${containers[0]?.containers ?? 32} copies of the function's bundle in one Node process, each its own module and pg pool of one connection (DB_POOL_MAX=1, as on Lambda), each serving one request at a time, all at once for ${containers[0]?.seconds ?? 10} s after two warm-up rounds; connections counted in pg_stat_activity, CPU per request as for HTTP (API = this process).`,
    '- W5b: context.ts ensureBigDay writes, once per seeded database, 1,500 completed appointments with their paid tickets (and so their ledger entries) on a Sunday about 400 days before the seed, which the seed left empty and no other workload reads.',
    '- W6 books free slots after the last seeded day, so every run adds appointments to the database (a re-seed resets it).',
    '',
  );
  // A trial run can write elsewhere (outDir); the benchmark writes tests/bench/RESULTS.md and keeps its input to re-render.
  if (outDir === __dirname) writeFileSync(join(__dirname, '.out', 'report-input.json'), JSON.stringify(input));
  // Sections other scripts own (the soak run) survive a new benchmark report.
  const kept = [...readSections(join(__dirname, 'RESULTS.md'))].map(([name, body]) => renderSection(name, body));
  writeFileSync(join(outDir, 'RESULTS.md'), [L.join('\n'), ...kept].join('\n'));
  writeFileSync(join(outDir, 'chart.svg'), chart(byScale, http, main.scale));
  return violations;
}


/** W0–W8 over HTTP: one row per workload, at 1 and at 16 connections, with the serving processes' CPU per request. */
function httpSection(http: HttpResult[], scale: number): string[] {
  const counts = [...new Set(http.map((h) => h.connections ?? 16))].sort((a, b) => a - b);
  const L: string[] = [];
  L.push(`## Over HTTP, scale ${scale} (local gateway, autocannon, ${counts.join(' and ')} connections, ${http[0].seconds ?? 10} s each)`, '');
  L.push(
    'CPU per request is what the serving processes spent (from `/proc`), not wall time: API = the gateway\'s processes (HTTP, event, handler, JSON), DB = the PostgreSQL backends of the gateway\'s connections and their parallel workers. Unlike latency it does not depend on queueing or on the number of cores, so it compares across machines of similar per-core speed. Latency percentiles are autocannon\'s (1 ms resolution).',
    '',
  );
  const head = counts.flatMap((c) => [`c${c} req/s`, `c${c} p50 ms`, `c${c} p99 ms`]);
  const cpuHead = counts.flatMap((c) => [`c${c} API CPU ms/req`, `c${c} DB CPU ms/req`]);
  L.push(`| id | route | ${head.join(' | ')} | ${cpuHead.join(' | ')} | non-2xx / errors |`, `| --- | --- |${' ---: |'.repeat(head.length + cpuHead.length + 1)}`);
  for (const id of [...new Set(http.map((h) => h.id))]) {
    const at = (c: number) => http.find((h) => h.id === id && (h.connections ?? 16) === c);
    const lat = counts.flatMap((c) => {
      const h = at(c);
      return h ? [f0(h.rps), String(h.p50), String(h.p99)] : ['—', '—', '—'];
    });
    const cpus = counts.flatMap((c) => [cpu(at(c)?.apiCpuMs), cpu(at(c)?.dbCpuMs)]);
    const sum = (f: (h: HttpResult) => number) => counts.reduce((n, c) => n + (at(c) ? f(at(c)!) : 0), 0);
    const bad = `${sum((h) => h.non2xx)} / ${sum((h) => h.errors)}`;
    L.push(`| ${id} | \`${title(id)}\` | ${lat.join(' | ')} | ${cpus.join(' | ')} | ${bad} |`);
  }
  L.push('');
  return L;
}

function containersSection(containers: ContainerResult[], main: ScaleResult): string[] {
  if (!containers.length) return [];
  const n = containers[0].containers;
  const L: string[] = [];
  L.push(`## Simulated Lambda containers, scale ${main.scale}: ${n} pool-of-one workers per function (tests/bench/containers.ts)`, '');
  L.push(
    `Each worker is a copy of the function's bundle with its own module state and one database connection (DB_POOL_MAX=1, as deployed), serving one request at a time; all ${n} run at once against the bench database for ${containers[0].seconds} s. They share one Node process (their JavaScript one core) and this machine's cores with PostgreSQL, so req/s is this machine's, and DB CPU per request is the figure to carry to another one.`,
    '',
  );
  L.push('| id | route | containers | req/s | p50 ms | p99 ms | failed | connections open / most busy at once | API CPU ms/req | DB CPU ms/req |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const c of containers) {
    if (!c.stats) {
      L.push(`| ${c.id} | \`${title(c.id)}\` | ${c.containers} | ✖ ${c.error ?? 'not measured'} | | | | | | |`);
      continue;
    }
    L.push(
      `| ${c.id} | \`${title(c.id)}\` | ${c.containers} | ${f0(c.stats.rps)} | ${f2(c.stats.p50)} | ${f2(c.stats.p99)} | ${c.failures}${c.firstFailure ? ` (${c.firstFailure.replace(/\|/g, '/').slice(0, 80)})` : ''} | ${c.openConnections ?? '—'} / ${c.busyConnections ?? '—'} | ${cpu(c.apiCpuMs)} | ${cpu(c.dbCpuMs)} |`,
    );
  }
  L.push('');
  return L;
}

interface Serverless {
  params: Record<string, Record<string, unknown>>;
  functions: Record<string, { reservedConcurrency?: number }>;
}

/*
 * How the deployed stack scales: the connection rules, the budget as serverless.yml's params set it
 * (computed by lib/ops/budget.js, as packaging does), and what 1,000 concurrent requests need, with
 * the database's work per request taken from the container simulation.
 */
function scalingSection(containers: ContainerResult[], main: ScaleResult, machine: Machine): string[] {
  const doc = yaml.load(readFileSync(join(__dirname, '..', '..', 'serverless.yml'), 'utf8')) as Serverless;
  const fns = Object.entries(doc.functions);
  const stages = [
    { label: 'dev, staging', params: { ...doc.params.default, ...doc.params.dev } },
    { label: 'prod', params: { ...doc.params.default, ...doc.params.prod } },
  ].map((st) => {
    const p = st.params as Record<string, number>;
    const shares = Object.fromEntries(fns.map(([name, f]) => [name, f.reservedConcurrency ?? Number(p.reservedConcurrency)]));
    const budget = connectionBudget({ dbMinAcu: p.dbMinAcu, dbMaxAcu: p.dbMaxAcu, proxyMaxConnectionsPercent: p.proxyMaxConnectionsPercent, lambdaAccountConcurrency: p.lambdaAccountConcurrency }, shares);
    return { ...st, p, budget, own: fns.filter(([, f]) => f.reservedConcurrency !== undefined).map(([name, f]) => `${name} ${f.reservedConcurrency}`) };
  });
  const prod = stages[1];
  const share = Number(prod.p.reservedConcurrency);
  const L: string[] = [];
  L.push('## How the deployed stack scales, and what 1,000 concurrent requests need', '');
  L.push(
    '- **One connection per container.** A Lambda container serves one request at a time, and its pool holds one database connection (`DB_POOL_MAX` is 1 on Lambda; `lib/db` refuses a second one). The connections a stage opens are therefore the containers running at once.',
    '- **RDS Proxy** sits between the functions and Aurora PostgreSQL Serverless v2: containers connect to the proxy, which lends its pool of database connections between transactions. A pinned session keeps one for itself, so the budget assumes no lending at all (every container pinned) and holds in the worst case.',
    '- **Reserved concurrency per function** caps each function\'s containers, hence its connections; `serverless package` refuses a stage whose Σ reserved concurrency exceeds the proxy\'s pool or what the account can reserve (`lib/ops/budget.js`, README "Deploying").',
    '',
    `The connection budget as \`serverless.yml\` params set it (${fns.length} functions; set by a function itself: ${prod.own.join(', ') || 'none'}):`,
    '',
    '| stage | Aurora ACU | max_connections | proxy pool | reserved per function | Σ reserved | account concurrency (reservable) | within budget |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
  );
  for (const st of stages) {
    const b = st.budget;
    L.push(
      `| ${st.label} | ${st.p.dbMinAcu}–${st.p.dbMaxAcu} | ${int(b.database)} | ${int(b.proxyPool)} (${st.p.proxyMaxConnectionsPercent} %) | ${st.p.reservedConcurrency} | ${int(b.reserved)} | ${int(Number(st.p.lambdaAccountConcurrency))} (${int(b.reservable)}) | ${b.problems.length ? `✖ ${b.problems.join('; ')}` : '✔'} |`,
    );
  }
  const need = 1000;
  const othersReserved = prod.budget.reserved - share; // every other function keeps its share
  const quota = need + othersReserved + 100;
  L.push(
    '',
    `**1,000 concurrent requests** are 1,000 containers at once, so 1,000 client connections to RDS Proxy and, in the worst case (all pinned), 1,000 database connections. prod's proxy pool (${int(prod.budget.proxyPool)} at ${prod.p.dbMinAcu}–${prod.p.dbMaxAcu} ACU) holds that many; dev and staging's (${int(stages[0].budget.proxyPool)}) do not. ${prod.budget.reserved < need ? `prod's reserved concurrency does not: at most ${int(prod.budget.reserved)} containers run at once over the whole stage (Σ of the shares), however the requests spread, and` : 'With prod\'s shares'} one route's function runs at most ${share} at once; Lambda throttles the rest (the throttle alarm fires). 1,000 concurrent requests on one route need its function's \`reservedConcurrency\` at ${int(need)}, hence an account quota of at least ${int(quota)} (${int(need)} + the other functions' ${int(othersReserved)} + the 100 Lambda keeps unreserved; today ${int(Number(prod.p.lambdaAccountConcurrency))}), and Σ reserved (${int(need + othersReserved)}) within the proxy's pool (${int(prod.budget.proxyPool)}${need + othersReserved <= prod.budget.proxyPool ? ': it is' : ': it is not, more ACU'}).`,
    '',
  );
  const measured = containers.filter((c) => c.stats);
  if (measured.length) {
    L.push(
      `What the database must do for them, from the simulation above (${measured[0].containers} pool-of-one containers on this machine): a container's request rate is 1 / its latency, so 1,000 containers kept busy send 1,000 / latency requests per second. Latency here is the in-process concurrency-1 p50 (each container has a CPU of its own when deployed; add the proxy's round trips, queries/request × its latency, which this machine cannot measure). Database cores = requests/s × DB CPU per request.`,
      '',
      '| id | simulation req/s (p99 ms) | DB CPU ms/req | this machine\'s DB-bound ceiling (cores ÷ DB CPU) | c1 p50 ms | 1,000 busy containers: req/s | database cores they need | per 1,000 req/s: containers, database cores |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    const cores = Number(machine.nproc) || undefined;
    for (const c of measured) {
      const r = main.results.find((x) => x.id === c.id);
      const latency = r?.c1?.p50;
      const d = c.dbCpuMs ?? undefined;
      const rate = latency ? (need * 1000) / latency : undefined;
      const ceiling = d && cores ? (cores * 1000) / d : undefined;
      L.push(
        `| ${c.id} | ${f0(c.stats!.rps)} (${f2(c.stats!.p99)}) | ${cpu(d)} | ${ceiling ? `${f0(ceiling)} req/s` : '—'} | ${f2(latency)} | ${rate ? int(Math.round(rate)) : '—'} | ${rate && d ? f0((rate * d) / 1000) : '—'} | ${latency ? f0(latency) : '—'}, ${d ? d.toFixed(1) : '—'} |`,
      );
    }
    L.push(
      '',
      'Containers for a request rate R are R × latency (Little\'s law), database cores R × DB CPU per request: the last column is both for 1,000 req/s. The connections those containers hold are what the budget above bounds; the cores are what the database\'s capacity (ACU) must supply.',
      '',
    );
  }
  return L;
}

/** Grouped bars on a log scale: p50 as the bar, p99 as a whisker, per workload and series. */
function chart(byScale: ScaleResult[], http: HttpResult[], mainScale: number): string {
  const series: { label: string; color: string; get: (id: string) => { p50: number; p99: number } | undefined }[] = [];
  const palette = ['#9ecae1', '#3182bd', '#08519c', '#31a354'];
  byScale.forEach((s, i) =>
    series.push({
      label: `in-process, scale ${s.scale}`,
      color: palette[i % 3],
      get: (id) => {
        const r: WorkloadResult | undefined = s.results.find((x) => x.id === id);
        return r?.c1 ? { p50: r.c1.p50, p99: r.c1.p99 } : undefined;
      },
    }),
  );
  if (http.length) series.push({ label: `HTTP (16 conn.), scale ${mainScale}`, color: palette[3], get: (id) => http.find((h) => h.id === id && (h.connections ?? 16) === 16) });
  const ids = WORKLOADS.map((w) => w.id).filter((id) => series.some((s) => s.get(id)));
  const values = ids.flatMap((id) => series.flatMap((s) => (s.get(id) ? [s.get(id)!.p50, s.get(id)!.p99] : []))).filter((v) => v > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.max(0.01, Math.min(...values, 1)))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...values, 10))));
  const W = 1100;
  const H = 520;
  const m = { l: 70, r: 20, t: 60, b: 110 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const y = (v: number) => m.t + ph - ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * ph;
  const gw = pw / Math.max(1, ids.length);
  const bw = Math.min(28, (gw * 0.8) / series.length);
  const o: string[] = [];
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  o.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  o.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">Latency per workload: bar = p50, whisker = p99 (ms, log scale)</text>`);
  for (let d = lo; d <= hi * 1.001; d *= 10) {
    o.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y(d)}" y2="${y(d)}" stroke="#ddd"/>`);
    o.push(`<text x="${m.l - 6}" y="${y(d) + 4}" text-anchor="end">${d >= 1 ? d.toFixed(0) : d}</text>`);
  }
  o.push(`<text transform="translate(18 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">milliseconds</text>`);
  ids.forEach((id, gi) => {
    const x0 = m.l + gi * gw + (gw - bw * series.length) / 2;
    series.forEach((s, si) => {
      const v = s.get(id);
      if (!v) return;
      const x = x0 + si * bw;
      o.push(`<rect x="${x.toFixed(1)}" y="${y(v.p50).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${(m.t + ph - y(v.p50)).toFixed(1)}" fill="${s.color}"><title>${id} ${s.label}: p50 ${v.p50.toFixed(2)} ms, p99 ${v.p99.toFixed(2)} ms</title></rect>`);
      const cx = x + (bw - 2) / 2;
      o.push(`<line x1="${cx}" x2="${cx}" y1="${y(v.p50)}" y2="${y(v.p99)}" stroke="#333"/><line x1="${cx - 4}" x2="${cx + 4}" y1="${y(v.p99)}" y2="${y(v.p99)}" stroke="#333"/>`);
    });
    o.push(`<text x="${m.l + gi * gw + gw / 2}" y="${m.t + ph + 18}" text-anchor="middle" font-weight="bold">${id}</text>`);
    const short = title(id).replace(/^(GET|POST) \/api\//, '').replace(/\?.*$/, '').slice(0, 24);
    // Staggered so neighbouring labels never overlap.
    o.push(`<text x="${m.l + gi * gw + gw / 2}" y="${m.t + ph + 34 + (gi % 2) * 14}" text-anchor="middle" font-size="10" fill="#555">${short.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</text>`);
    const target = WORKLOADS.find((w) => w.id === id)!.targetP50;
    if (Number.isFinite(target) && id !== 'W0') {
      const gx = m.l + gi * gw;
      o.push(`<line x1="${gx + 4}" x2="${gx + gw - 4}" y1="${y(target)}" y2="${y(target)}" stroke="#d62728" stroke-dasharray="4 3"><title>${id} target p50 ≤ ${target} ms</title></line>`);
    }
  });
  o.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${m.t + ph}" y2="${m.t + ph}" stroke="#333"/>`);
  o.push(`<line x1="${W - m.r - 200}" x2="${W - m.r - 170}" y1="${H - 33}" y2="${H - 33}" stroke="#d62728" stroke-dasharray="4 3"/><text x="${W - m.r - 164}" y="${H - 28}">target p50 (issue 8)</text>`);
  series.forEach((s, i) => {
    const lx = m.l + i * 230;
    o.push(`<rect x="${lx}" y="${H - 40}" width="14" height="14" fill="${s.color}"/><text x="${lx + 20}" y="${H - 28}">${s.label}</text>`);
  });
  o.push('</svg>');
  return o.join('\n');
}

/* `npx tsx tests/bench/report.ts` re-renders RESULTS.md and the chart from the last run's numbers. */
if (require.main === module) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  writeReport(JSON.parse(require('node:fs').readFileSync(join(__dirname, '.out', 'report-input.json'), 'utf8')));
}
