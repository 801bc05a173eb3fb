import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleReport } from './bundles';
import { readSections, renderSection } from './sections';
import type { ScaleResult, WorkloadResult } from './inprocess';
import { WORKLOADS } from './workloads';

/* tests/bench/RESULTS.md and tests/bench/chart.svg from one run's numbers. */
export interface HttpResult {
  id: string;
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
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
const title = (id: string) => WORKLOADS.find((w) => w.id === id)!.title;

export function writeReport(input: { machine: Machine; bundles: BundleReport[]; perScale: ScaleResult[]; http: HttpResult[]; calls: number; maxMs: number }): string[] {
  const { machine, bundles, perScale, http } = input;
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
  L.push('', `The largest tenant holds about ${Math.round(100 / 1.52)} % of every table (scale × 10,000 patients, 20 therapists, 100,000 appointments). Busy day for W5: ${main.context.busyDay}; month for W8: ${main.context.monthStart} … ${main.context.monthEnd}.`, '');

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

  if (http.length) {
    L.push(`## Over HTTP, scale ${main.scale} (local gateway, autocannon, 16 connections, 10 s)`, '');
    L.push('| id | route | req/s | p50 ms | p99 ms | 2xx | non-2xx | errors |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const h of http) L.push(`| ${h.id} | \`${title(h.id)}\` | ${f0(h.rps)} | ${h.p50} | ${h.p99} | ${h.ok} | ${h.non2xx} | ${h.errors} |`);
    L.push('');
  }

  L.push('## Bundles (esbuild as serverless-esbuild builds them; AWS SDK external, provided by the runtime)', '');
  L.push('| function | size KB | module load ms | budget | |', '| --- | ---: | ---: | --- | --- |');
  for (const b of bundles) {
    const budget = b.heavy ? 2.5 * 1024 * 1024 : 1024 * 1024;
    const ok = b.bytes <= budget && b.loadMs <= 150;
    L.push(`| ${b.name} | ${(b.bytes / 1024).toFixed(0)} | ${f2(b.loadMs)} | ${b.heavy ? '2.5 MB (SDK/export libs)' : '1 MB'}, 150 ms | ${mark(ok)} |`);
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
    '- HTTP: the local gateway (`lib/dev/gateway.ts`, what `npm start` serves) on a free port, autocannon with 16 connections for 10 s per workload; W6 books a different free slot per request.',
    '- W6 books free slots after the last seeded day, so every run adds appointments to the database (a re-seed resets it).',
    '',
  );
  writeFileSync(join(__dirname, '.out', 'report-input.json'), JSON.stringify(input));
  // Sections other scripts own (the soak run) survive a new benchmark report.
  const kept = [...readSections(join(__dirname, 'RESULTS.md'))].map(([name, body]) => renderSection(name, body));
  writeFileSync(join(__dirname, 'RESULTS.md'), [L.join('\n'), ...kept].join('\n'));
  writeFileSync(join(__dirname, 'chart.svg'), chart(byScale, http, main.scale));
  return violations;
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
  if (http.length) series.push({ label: `HTTP (16 conn.), scale ${mainScale}`, color: palette[3], get: (id) => http.find((h) => h.id === id) });
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
