import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { migrateUp, ownerDb } from '../../lib/db/migrate';
import { appUrlFor, prepareDatabase, startEmbeddedPostgres } from '../../lib/dev/postgres';
import { freePort } from '../helpers/ports';
import { bundledHandler } from './bundles';

/*
 * `npx tsx tests/bench/exports.ts`: how long each company export takes to build for a busy day.
 * A fresh embedded PostgreSQL (own port and folder), one clinic with 500 appointments on one day
 * (20 therapists, 400 tickets paid that day), then every Excel/PDF export and the JSON cash
 * reports called in-process through their bundled Lambda handlers: one cold call (first load of exceljs /
 * pdfkit) and BENCH_EXPORT_CALLS warm ones (default 10). Writes tests/bench/EXPORTS.md.
 */
const CALLS = Number(process.env.BENCH_EXPORT_CALLS ?? 10);
const DAY = '2026-03-16';
const ROOT = join(__dirname, '..', '..');

async function seedBusyDay(ownerUrl: string): Promise<number> {
  const db = ownerDb(ownerUrl);
  try {
    const tenant = await db.insertInto('tenants').values({ name: 'Clínica Benchmark' }).returning('id').executeTakeFirstOrThrow();
    const r = tenant.id as number;
    await db.insertInto('company_data').values({ reflexo_id: r, company_name: 'Clínica Benchmark — Sede Miraflores' }).execute();
    await sql`
      INSERT INTO therapists (reflexo_id, document_type_id, document_number, first_name, last_name_paternal, last_name_maternal, email, region_id, province_id, district_id)
      SELECT ${r}, 1, (40000000 + g)::text, 'Terapeuta ' || g, 'Apellido' || g, 'Materno' || g, 't' || g || '@bench.pe', 15, 1501, 150101
        FROM generate_series(1, 20) g`.execute(db);
    await sql`
      INSERT INTO patients (reflexo_id, document_type_id, document_number, name, paternal_lastname, maternal_lastname, phone1)
      SELECT ${r}, 1, (70000000 + g)::text, 'Paciente ' || g, 'García' || g, 'Quispe', '+51 9' || lpad(g::text, 8, '0')
        FROM generate_series(1, 300) g`.execute(db);
    // 500 appointments: 20 therapists × 25 half-hour slots from 08:00.
    await sql`
      INSERT INTO appointments (reflexo_id, patient_id, therapist_id, appointment_date, hour, duration_minutes, appointment_status_id, payment, payment_type_id, appointment_type)
      SELECT ${r}, p.id, t.id, ${DAY}::date, time '08:00' + (s * interval '30 minutes'), 30, 2, (50 + (s * 7 + t.rn * 3) % 90)::numeric(12, 2) + 0.5,
             1 + (s + t.rn) % 5, CASE WHEN s % 3 = 0 THEN 'CC' ELSE 'C' END
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM therapists WHERE reflexo_id = ${r}) t
        CROSS JOIN generate_series(0, 24) s
        JOIN LATERAL (SELECT id FROM patients WHERE reflexo_id = ${r} ORDER BY id OFFSET ((t.rn * 25 + s) % 300) LIMIT 1) p ON true`.execute(db);
    await sql`
      INSERT INTO tickets (reflexo_id, appointment_id, ticket_number, amount, payment_method, status, payment_date)
      SELECT a.reflexo_id, a.id, 'TKT-' || lpad(row_number() OVER (ORDER BY a.id)::text, 6, '0'), a.payment,
             (ARRAY['cash', 'yape', 'plin', 'card', 'transfer'])[1 + a.id % 5],
             CASE WHEN a.id % 5 = 0 THEN 'pending' ELSE 'paid' END,
             CASE WHEN a.id % 5 = 0 THEN NULL ELSE ((a.appointment_date + a.hour + interval '40 minutes') AT TIME ZONE 'America/Lima') END
        FROM appointments a WHERE a.reflexo_id = ${r}`.execute(db);
    await sql`ANALYZE`.execute(db);
    return r;
  } finally {
    await db.destroy();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

async function main() {
  const dir = join(ROOT, '.data', `bench-exports-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const server = await startEmbeddedPostgres(dir, await freePort());
  try {
    const ownerUrl = await prepareDatabase(server.ownerUrl, 'reflexo_bench_exports', { recreate: true });
    await migrateUp(ownerUrl);
    const tenantId = await seedBusyDay(ownerUrl);
    Object.assign(process.env, {
      DATABASE_URL: appUrlFor(ownerUrl),
      JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-0123456789',
      STAGE: 'bench',
      LOG_LEVEL: 'silent',
      PASSWORD_SCRYPT_N: '1024',
    });
    const { signToken } = await import('../../lib/auth/tokens');
    const { call } = await import('../helpers/http');
    // The handlers bundled as serverless-esbuild bundles them (middy is ESM-only; pdfkit must work bundled).
    const bundle = async (name: string) => bundledHandler(ROOT, name, { outDir: dir });
    const exportsHandler = await bundle('company-exports');
    const reportsHandler = await bundle('company-reports');
    const owner = ownerDb(ownerUrl);
    const role = await owner.selectFrom('roles').select('id').where('code', '=', 'admin').executeTakeFirstOrThrow();
    const user = await owner
      .insertInto('users')
      .values({ email: 'bench@exports.pe', user_name: 'bench_exports', password_hash: 'x', reflexo_id: tenantId, role_id: role.id, is_staff: true })
      .returning('id')
      .executeTakeFirstOrThrow();
    await owner.destroy();
    const token = (await signToken('access', { id: user.id as number, reflexoId: tenantId, isSuperuser: false })).token;

    const targets = [
      { label: 'JSON reports/improved-daily-cash', handler: reportsHandler, path: '/api/company/reports/improved-daily-cash/', query: { date: DAY } },
      { label: 'JSON reports/daily-cash', handler: reportsHandler, path: '/api/company/reports/daily-cash/', query: { date: DAY } },
      { label: 'Excel citas-rango (the day)', handler: exportsHandler, path: '/api/company/exports/excel/citas-rango/', query: { start_date: DAY, end_date: DAY } },
      { label: 'Excel caja-chica-mejorada', handler: exportsHandler, path: '/api/company/exports/excel/caja-chica-mejorada/', query: { date: DAY } },
      { label: 'Excel tickets-pagados', handler: exportsHandler, path: '/api/company/exports/excel/tickets-pagados/', query: { date: DAY } },
      { label: 'PDF citas-terapeuta', handler: exportsHandler, path: '/api/company/exports/pdf/citas-terapeuta/', query: { date: DAY } },
      { label: 'PDF pacientes-terapeuta', handler: exportsHandler, path: '/api/company/exports/pdf/pacientes-terapeuta/', query: { date: DAY } },
      { label: 'PDF resumen-caja', handler: exportsHandler, path: '/api/company/exports/pdf/resumen-caja/', query: { date: DAY } },
      { label: 'PDF caja-chica-mejorada', handler: exportsHandler, path: '/api/company/exports/pdf/caja-chica-mejorada/', query: { date: DAY } },
      { label: 'PDF tickets-pagados', handler: exportsHandler, path: '/api/company/exports/pdf/tickets-pagados/', query: { date: DAY } },
    ];
    const rows: string[] = [];
    for (const t of targets) {
      const times: number[] = [];
      let size = 0;
      for (let i = 0; i <= CALLS; i++) {
        const start = performance.now();
        const res = await call(t.handler, { path: t.path, query: t.query, token });
        const ms = performance.now() - start;
        if (res.status !== 200) throw new Error(`${t.label}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
        size = res.raw.length;
        times.push(ms);
      }
      const [cold, ...warm] = times;
      const line = `| ${t.label} | ${cold.toFixed(0)} | ${median(warm).toFixed(0)} | ${Math.max(...warm).toFixed(0)} | ${(size / 1024).toFixed(1)} |`;
      rows.push(line);
      console.log(line);
    }
    const report = [
      '# Company exports: build time for a busy day',
      '',
      `One clinic, ${DAY}: 500 appointments (20 therapists × 25 slots), 400 tickets paid that day. In-process through the bundled Lambda handlers`,
      `(middleware, transaction, SQL, rendering), embedded PostgreSQL on this machine; ${CALLS} warm calls after one cold call.`,
      `Generated ${new Date().toISOString()} by \`npx tsx tests/bench/exports.ts\`.`,
      '',
      '| export | cold ms | warm p50 ms | warm max ms | size KiB |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...rows,
      '',
    ].join('\n');
    writeFileSync(join(__dirname, 'EXPORTS.md'), report);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
