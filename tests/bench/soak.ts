import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalStack } from '../e2e/local-stack';
import { writeSection } from './sections';

/*
 * Soak: ≥ 50,000 mixed requests (lists, details, searches, creates, exports) through `npm start`'s
 * gateway, printing the serving processes' resident memory every 5,000. A developer leaves
 * `npm start` running all day; it must not grow. Not a test (it measures, it does not assert in
 * jest); the verdict and the figures go to tests/bench/RESULTS.md (section "soak").
 *
 *   npx tsx tests/bench/soak.ts [total=50000] [concurrency=8]
 */
const TOTAL = Number(process.argv[2] ?? 50_000);
const CONCURRENCY = Number(process.argv[3] ?? 8);
const EVERY = 5_000;
const LIMIT_MB = 100;

function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      (children.get(ppid) ?? children.set(ppid, []).get(ppid)!).push(Number(d));
    } catch {
      /* the process ended meanwhile */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => (children.get(p) ?? []).forEach((c) => (out.push(c), walk(c)));
  walk(pid);
  return out;
}

const rssKb = (pid: number) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
};
const isPostgres = (pid: number) => {
  try {
    return /postgres/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return false;
  }
};

/** MB held by the API's own processes (tsx + node running the gateway and functions), and by PostgreSQL. */
function memory(rootPid: number): { api: number; postgres: number } {
  let api = rssKb(rootPid);
  let postgres = 0;
  for (const p of descendants(rootPid)) (isPostgres(p) ? (postgres += rssKb(p)) : (api += rssKb(p)));
  return { api: Math.round(api / 1024), postgres: Math.round(postgres / 1024) };
}

async function main() {
  const stack = await startLocalStack({ LOG_LEVEL: 'silent' });
  const base = stack.url;
  try {
    const login = await fetch(`${base}/api/architect/auth/login/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'clinica@demo.reflexo.pe', password: 'Reflexo#2026' }) });
    const token = ((await login.json()) as { access: string }).access;
    const auth = { authorization: `Bearer ${token}` };
    const patients = (await (await fetch(`${base}/api/patients/patients/?per_page=50`, { headers: auth })).json()) as { results: { id: number }[] };
    const therapists = (await (await fetch(`${base}/api/therapists/therapists/`, { headers: auth })).json()) as unknown;
    const therapistIds = (Array.isArray(therapists) ? therapists : ((therapists as { results?: { id: number }[] }).results ?? [])).map((t: { id: number }) => t.id);
    const today = new Date().toISOString().slice(0, 10);
    let created = 0;
    const kinds: [string, number, (i: number) => Promise<Response>][] = [
      ['patients list', 20, () => fetch(`${base}/api/patients/patients/?page=1`, { headers: auth })],
      ['patient detail', 20, (i) => fetch(`${base}/api/patients/patients/${patients.results[i % patients.results.length].id}/`, { headers: auth })],
      ['patient search', 10, () => fetch(`${base}/api/patients/patients/search/?q=ma`, { headers: auth })],
      ['agenda', 15, () => fetch(`${base}/api/appointments/appointments/?page=1`, { headers: auth })],
      ['therapist detail', 10, (i) => fetch(`${base}/api/therapists/therapists/${therapistIds[i % therapistIds.length]}/`, { headers: auth })],
      ['districts', 10, () => fetch(`${base}/api/locations/districts/?province=1501`, { headers: auth })],
      ['daily cash', 5, () => fetch(`${base}/api/company/reports/daily-cash/?date=${today}`, { headers: auth })],
      [
        'create patient',
        8,
        (i) =>
          fetch(`${base}/api/patients/patients/create/`, {
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/json' },
            body: JSON.stringify({
              document_number: String(70_000_000 + i),
              paternal_lastname: 'Soak',
              name: `Paciente ${i}`,
              email: `soak${i}-${Date.now()}@example.com`,
              document_type_id: 1,
              region_code: 15,
              province_code: 1501,
              district_code: 150122,
              ocupation: 'Prueba',
              health_condition: 'Ninguna',
            }),
          }).then((r) => (r.status === 201 && created++, r)),
      ],
      ['excel export', 2, () => fetch(`${base}/api/company/exports/excel/citas-rango/?start_date=${today}&end_date=${today}`, { headers: auth })],
    ];
    const wheel = kinds.flatMap(([name, weight, fn]) => Array.from({ length: weight }, () => ({ name, fn })));
    const statuses = new Map<string, number>();
    const samples: { at: number; api: number; postgres: number; rps: number }[] = [{ at: 0, ...memory(stack.pid), rps: 0 }];
    console.log(`soak: ${TOTAL} requests, ${CONCURRENCY} at a time, through ${base}`);
    console.log(`       0 requests  api ${samples[0].api} MB  postgres ${samples[0].postgres} MB`);
    let next = 0;
    let done = 0;
    let windowStart = Date.now();
    const started = Date.now();
    const worker = async () => {
      for (let i = next++; i < TOTAL; i = next++) {
        const pick = wheel[i % wheel.length];
        const res = await pick.fn(i);
        await res.arrayBuffer();
        const key = `${pick.name} ${res.status}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        if (++done % EVERY === 0) {
          const rps = Math.round(EVERY / ((Date.now() - windowStart) / 1000));
          windowStart = Date.now();
          const m = memory(stack.pid);
          samples.push({ at: done, ...m, rps });
          console.log(`${String(done).padStart(8)} requests  api ${m.api} MB  postgres ${m.postgres} MB  ${rps} req/s`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (Date.now() - started) / 1000;
    const warm = samples.find((s) => s.at === EVERY) ?? samples[0];
    const peak = Math.max(...samples.filter((s) => s.at >= warm.at).map((s) => s.api));
    const last = samples[samples.length - 1];
    const growth = peak - warm.api;
    const verdict = growth < LIMIT_MB ? '✔' : '✖';
    console.log(`\ngrowth after warm-up (${warm.at} → ${last.at} requests): ${growth} MB (peak ${peak} MB) ${verdict} (limit ${LIMIT_MB} MB)`);
    const lines = [
      '## Soak: memory of `npm start` under 50,000 mixed requests',
      '',
      `\`npx tsx tests/bench/soak.ts ${TOTAL} ${CONCURRENCY}\` on ${new Date().toISOString().slice(0, 10)} (node ${process.version}, nproc ${readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm)?.length}): ${TOTAL} requests, ${CONCURRENCY} concurrent, ${Math.round(seconds)} s (${Math.round(TOTAL / seconds)} req/s), ${created} patients created. RSS of the API process tree (tsx + the gateway process with every function loaded) and, apart, of the embedded PostgreSQL.`,
      '',
      '| requests | API RSS MB | PostgreSQL RSS MB | req/s in the window |',
      '| ---: | ---: | ---: | ---: |',
      ...samples.map((s) => `| ${s.at} | ${s.api} | ${s.postgres} | ${s.rps || '—'} |`),
      '',
      `Growth after warm-up (from ${warm.at} requests to the end): **${growth} MB** ${verdict} (limit < ${LIMIT_MB} MB).`,
      '',
      'Mix (route, status → count): ' + [...statuses.entries()].sort().map(([k, v]) => `${k} → ${v}`).join('; ') + '.',
    ];
    writeSection(join(__dirname, 'RESULTS.md'), 'soak', lines.join('\n'));
    if (growth >= LIMIT_MB) process.exitCode = 1;
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
