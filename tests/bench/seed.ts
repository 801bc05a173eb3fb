import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { hashPassword } from '../../lib/auth/passwords';
import { migrateUp } from '../../lib/db/migrate';
import { createScaleDatabase, databaseForScale, startBenchServer, type BenchServer } from './bench-db';
import {
  APPOINTMENT_COLUMNS,
  DIAGNOSES,
  HISTORY_COLUMNS,
  INVOICE_COLUMNS,
  INVOICE_ITEM_COLUMNS,
  LEDGER_COLUMNS,
  MOVEMENT_COLUMNS,
  PATIENT_COLUMNS,
  PRODUCT_COLUMNS,
  SUPPLIER_COLUMNS,
  RECORD_COLUMNS,
  THERAPIST_COLUMNS,
  TICKET_COLUMNS,
  isoDate,
  moneyRows,
  planTenants,
  tenantRows,
  type Catalogs,
  type IdCursor,
  type MoneyIdCursor,
  type Value,
} from './seed-data';

/*
 * An invoice's totals, paid amount and status from its lines and its completed payments, computed by
 * PostgreSQL (the lines' amounts and taxes are generated columns), once per clinic after its COPY.
 */
const FILL_INVOICES = `
  UPDATE invoices i SET subtotal = s.base, igv = s.tax, total = s.total,
         paid = CASE WHEN i.status = 'anulada' THEN 0 ELSE coalesce(p.paid, 0) END,
         status = CASE WHEN i.status = 'anulada' THEN 'anulada' WHEN coalesce(p.paid, 0) = 0 THEN 'emitida' WHEN p.paid < s.total THEN 'parcial' ELSE 'pagada' END
    FROM (SELECT invoice_id, sum(base) AS base, sum(tax) AS tax, sum(total) AS total FROM invoice_items WHERE reflexo_id = $1 GROUP BY invoice_id) s
    LEFT JOIN (SELECT invoice_id, sum(amount) AS paid FROM cash_transactions WHERE reflexo_id = $1 AND invoice_id IS NOT NULL AND status = 'completado' GROUP BY invoice_id) p
           ON p.invoice_id = s.invoice_id
   WHERE i.id = s.invoice_id AND i.reflexo_id = $1`;

/*
 * `npm run bench:seed -- --scale S`: a fresh database reflexo_bench_s<S> on the benchmark's embedded
 * PostgreSQL, migrated, then filled through the API's own tables with COPY (owner connection, all
 * constraints, indexes and foreign keys in place: nothing is disabled), then VACUUMed and ANALYZEd.
 * The last step writes bench_meta, which `npm run bench` reads (and which marks the seed complete).
 */
export const BENCH_PASSWORD = process.env.BENCH_PASSWORD ?? 'Reflexo#Bench2026';
export const benchAdminEmail = (tenantIndex: number) => `admin${tenantIndex + 1}@bench.reflexo.pe`;

const escapeCopy = (v: Value): string => {
  if (v === null) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return String(v);
  return /[\\\t\n\r]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : v;
};
const copyLines = (rows: Value[][]) => {
  let s = '';
  for (const row of rows) s += row.map(escapeCopy).join('\t') + '\n';
  return s;
};

class Progress {
  private done = 0;
  private last = 0;
  private readonly started = Date.now();
  constructor(private readonly total: number) {}
  tick(n: number, label: string) {
    this.done += n;
    const now = Date.now();
    if (now - this.last < 200 && this.done < this.total) return;
    this.last = now;
    const share = Math.min(1, this.done / this.total);
    const width = 30;
    const bar = '█'.repeat(Math.round(share * width)).padEnd(width, '░');
    const secs = ((now - this.started) / 1000).toFixed(0);
    process.stderr.write(`\r  ${bar} ${(share * 100).toFixed(0).padStart(3)}%  ${this.done.toLocaleString('en')} rows  ${secs}s  ${label.padEnd(28)}`);
  }
  end() {
    process.stderr.write('\n');
  }
}

async function copyRows(client: pg.Client, table: string, columns: string[], chunks: Iterable<Value[][]>, progress: Progress) {
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  async function* text() {
    for (const rows of chunks) {
      progress.tick(rows.length, table);
      yield copyLines(rows);
    }
  }
  await pipeline(Readable.from(text()), stream);
}

function* inChunks(rows: Value[][], size = 5000): Generator<Value[][]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

async function catalogs(c: pg.Client): Promise<Catalogs> {
  const one = async (q: string) => (await c.query(q)).rows;
  const byCode = (rows: { code: string; id: number }[]) => Object.fromEntries(rows.map((x) => [x.code, x.id]));
  const statuses = byCode(await one(`SELECT kind AS code, id FROM appointment_statuses WHERE kind IS NOT NULL`));
  const payStatuses = byCode(await one(`SELECT code, id FROM payment_statuses WHERE code IS NOT NULL`));
  const [dni] = await one(`SELECT id FROM document_types WHERE code = 'DNI'`);
  for (const [code, name] of DIAGNOSES) {
    await c.query(`INSERT INTO diagnoses (code, name) SELECT $1::varchar, $2 WHERE NOT EXISTS (SELECT 1 FROM diagnoses WHERE code = $1::varchar AND deleted_at IS NULL)`, [code, name]);
  }
  const districts = new Map<number, [number, number]>();
  for (const d of await one(`SELECT d.id, d.province_id, p.region_id FROM districts d JOIN provinces p ON p.id = d.province_id`)) {
    districts.set(d.id, [d.province_id, d.region_id]);
  }
  return {
    dniTypeId: dni.id,
    statusIds: { pending: statuses.pending, completed: statuses.completed, cancelled: statuses.cancelled, rescheduled: statuses.rescheduled },
    paymentTypeIds: byCode(await one(`SELECT code, id FROM payment_types WHERE code IS NOT NULL`)),
    paymentStatusIds: { pending: payStatuses.pending, paid: payStatuses.paid, cancelled: payStatuses.cancelled },
    diagnoseIds: (await one(`SELECT id FROM diagnoses WHERE deleted_at IS NULL ORDER BY id`)).map((x) => x.id),
    districts,
  };
}

/*
 * The bulk-load order pg_restore uses: rows first, then the secondary indexes and exclusion
 * constraints of the two biggest tables (1.5 M rows each at scale 10). Row by row, the GiST index behind
 * the agenda's no-overlap constraint grew slower with every insert (26,000 appointments/s at the
 * start of the largest clinic, under 4,000/s after a million); built once at the end it takes seconds.
 * Nothing is skipped: re-adding the exclusion constraint checks every seeded appointment against it,
 * unique indexes and foreign keys stay in place throughout.
 */
const DEFERRED_TABLES = ['appointments', 'tickets'];
interface Deferred {
  table: string;
  constraint: string | null;
  name: string;
  definition: string;
}

async function deferSecondaryIndexes(c: pg.Client): Promise<Deferred[]> {
  const { rows } = await c.query<{ table: string; name: string; indexdef: string; conname: string | null; condef: string | null }>(
    `SELECT i.indrelid::regclass::text AS table, i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS indexdef,
            con.conname, pg_get_constraintdef(con.oid) AS condef
       FROM pg_index i
       LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.contype = 'x'
      WHERE i.indrelid = ANY($1::regclass[]) AND NOT i.indisunique AND NOT i.indisprimary
      ORDER BY 1, 2`,
    [DEFERRED_TABLES],
  );
  const deferred = rows.map((r) => ({ table: r.table, constraint: r.conname, name: r.name, definition: r.conname ? r.condef! : r.indexdef }));
  for (const d of deferred) await c.query(d.constraint ? `ALTER TABLE ${d.table} DROP CONSTRAINT ${d.constraint}` : `DROP INDEX ${d.name}`);
  return deferred;
}

async function restoreSecondaryIndexes(c: pg.Client, deferred: Deferred[]): Promise<void> {
  for (const d of deferred) await c.query(d.constraint ? `ALTER TABLE ${d.table} ADD CONSTRAINT ${d.constraint} ${d.definition}` : d.definition);
}

export async function seedScale(server: BenchServer, scale: number, log: (s: string) => void = (s) => console.error(s)): Promise<void> {
  const started = Date.now();
  const { ownerUrl } = await createScaleDatabase(server, scale);
  log(`seeding ${databaseForScale(scale)} (scale ${scale})`);
  await migrateUp(ownerUrl);
  const c = new pg.Client({ connectionString: ownerUrl });
  await c.connect();
  try {
    // Durability of a benchmark fixture is not worth a WAL flush per COPY; nothing else is relaxed.
    await c.query(`SET synchronous_commit = off`);
    await c.query(`CREATE TABLE bench_meta (scale numeric NOT NULL, seeded_on date NOT NULL, tenant_id integer NOT NULL, admin_email text NOT NULL,
      password text NOT NULL, seconds numeric, counts jsonb, finished_at timestamptz)`);
    const cat = await catalogs(c);
    const deferred = await deferSecondaryIndexes(c);
    const plans = planTenants(scale);
    const today = new Date(`${isoDate(new Date())}T00:00:00Z`);
    const hash = await hashPassword(BENCH_PASSWORD);
    await c.query(`INSERT INTO roles (name) VALUES ('Admin') ON CONFLICT (name) DO NOTHING`);
    const roleId = (await c.query(`SELECT id FROM roles WHERE name = 'Admin'`)).rows[0].id;
    const hasCompany = (await c.query(`SELECT to_regclass('company_data') AS t`)).rows[0].t !== null;
    const tenantIds: number[] = [];
    for (const p of plans) {
      const id = (await c.query(`INSERT INTO tenants (name) VALUES ($1) RETURNING id`, [p.name])).rows[0].id as number;
      tenantIds.push(id);
      await c.query(
        `INSERT INTO users (reflexo_id, email, user_name, name, paternal_lastname, password_hash, is_staff, role_id, email_verified_at)
         VALUES ($1, $2, $3, 'Administración', $4, $5, true, $6, now())`,
        [id, benchAdminEmail(p.index), `bench_admin_${p.index + 1}`, p.name.slice(0, 150), hash, roleId],
      );
      if (hasCompany) await c.query(`INSERT INTO company_data (reflexo_id, company_name) VALUES ($1, $2)`, [id, p.name]);
    }

    const max = async (t: string) => Number((await c.query(`SELECT coalesce(max(id), 0) AS m FROM ${t}`)).rows[0].m);
    const ids: IdCursor = {
      patient: await max('patients'),
      therapist: await max('therapists'),
      history: await max('histories'),
      record: await max('medical_records'),
      appointment: await max('appointments'),
      ticket: await max('tickets'),
    };
    const moneyIds: MoneyIdCursor = { supplier: await max('suppliers'), product: await max('products'), invoice: await max('invoices') };
    const methods = Object.fromEntries((await c.query(`SELECT code, id, name FROM payment_types WHERE code IS NOT NULL`)).rows.map((x) => [x.code, { id: x.id, name: x.name }]));
    const sum = (f: (p: (typeof plans)[number]) => number) => plans.reduce((a, p) => a + f(p), 0);
    // appointments + tickets, patients + histories + records, therapists
    const total = Math.round(sum((p) => 2 * p.appointments + p.patients * 2.2 + p.therapists));
    const progress = new Progress(total);
    const counts = { tenants: plans.length, patients: 0, therapists: 0, histories: 0, medical_records: 0, appointments: 0, tickets: 0, cash_transactions: 0, invoices: 0, products: 0, stock_movements: 0 };
    for (const p of plans) {
      const reflexoId = tenantIds[p.index];
      const rows = tenantRows(p, reflexoId, ids, cat, today);
      await copyRows(c, 'therapists', THERAPIST_COLUMNS, inChunks(rows.therapists), progress);
      // The v1 agenda: every therapist works Monday to Saturday on the seeded 08:00–20:00 hourly grid.
      await c.query(
        `INSERT INTO doctor_schedules (reflexo_id, therapist_id, weekday, start_time, end_time, slot_minutes)
         SELECT $1, t.id, d, '08:00', '20:00', 60 FROM therapists t CROSS JOIN generate_series(1, 6) d WHERE t.reflexo_id = $1`,
        [reflexoId],
      );
      await copyRows(c, 'patients', PATIENT_COLUMNS, inChunks(rows.patients), progress);
      await copyRows(c, 'histories', HISTORY_COLUMNS, inChunks(rows.histories), progress);
      await copyRows(c, 'medical_records', RECORD_COLUMNS, inChunks(rows.records), progress);
      let appointments = 0;
      const counted = function* () {
        for (const chunk of rows.appointments()) {
          appointments += chunk.length;
          yield chunk;
        }
      };
      await copyRows(c, 'appointments', APPOINTMENT_COLUMNS, counted(), progress);
      await copyRows(c, 'tickets', TICKET_COLUMNS, inChunks(rows.tickets), progress);
      // Paid tickets are already in the ledger (tickets trigger); the rest of the clinic's money and stock:
      const money = moneyRows(p, reflexoId, moneyIds, rows.patients.map((x) => x[0] as number), methods, today);
      await copyRows(c, 'suppliers', SUPPLIER_COLUMNS, inChunks(money.suppliers), progress);
      await copyRows(c, 'products', PRODUCT_COLUMNS, inChunks(money.products), progress);
      await copyRows(c, 'stock_movements', MOVEMENT_COLUMNS, inChunks(money.movements), progress);
      await copyRows(c, 'invoices', INVOICE_COLUMNS, inChunks(money.invoices), progress);
      await copyRows(c, 'invoice_items', INVOICE_ITEM_COLUMNS, inChunks(money.items), progress);
      await copyRows(c, 'cash_transactions', LEDGER_COLUMNS, inChunks(money.ledger), progress);
      // Fresh COPYs have no statistics yet: without them the planner joins the clinic's invoices to its
      // ledger by nested loops (the largest clinic's fill ran for more than 12 minutes instead of seconds).
      await c.query(`ANALYZE invoices, invoice_items, cash_transactions`);
      await c.query(FILL_INVOICES, [reflexoId]);
      if (money.lastInvoiceNumber) await c.query(`INSERT INTO invoice_counters (reflexo_id, series, last_number) VALUES ($1, 'F001', $2)`, [reflexoId, money.lastInvoiceNumber]);
      counts.invoices += money.invoices.length;
      counts.products += money.products.length;
      counts.stock_movements += money.movements.length;
      // The per-tenant counters continue after the generated numbers.
      await c.query(`INSERT INTO history_counters (reflexo_id, last_local_id) VALUES ($1, $2)`, [reflexoId, rows.lastHistoryLocalId]);
      await c.query(`INSERT INTO ticket_counters (reflexo_id, last_number) VALUES ($1, $2)`, [reflexoId, rows.lastTicketNumber()]);
      counts.patients += rows.patients.length;
      counts.therapists += rows.therapists.length;
      counts.histories += rows.histories.length;
      counts.medical_records += rows.records.length;
      counts.appointments += appointments;
      counts.tickets += rows.tickets.length;
    }
    progress.end();
    log(`  building the deferred indexes of ${DEFERRED_TABLES.join(', ')}: ${deferred.map((d) => d.constraint ?? d.name).join(', ')}`);
    await restoreSecondaryIndexes(c, deferred);
    counts.cash_transactions = Number((await c.query(`SELECT count(*) AS n FROM cash_transactions`)).rows[0].n);
    for (const t of ['patients', 'therapists', 'histories', 'medical_records', 'appointments', 'tickets', 'suppliers', 'products', 'invoices', 'doctor_schedules']) {
      await c.query(`SELECT setval(pg_get_serial_sequence('${t}', 'id'), (SELECT coalesce(max(id), 1) FROM ${t}))`);
    }
    // VACUUM as well as ANALYZE: a live database's tables have been vacuumed (autovacuum), so their
    // visibility maps allow index-only scans; freshly COPYed pages would not, and counts would look worse.
    log('  VACUUM (ANALYZE)');
    await c.query('VACUUM (ANALYZE)');
    const seconds = (Date.now() - started) / 1000;
    await c.query(`INSERT INTO bench_meta VALUES ($1, $2, $3, $4, $5, $6, $7, now())`, [
      scale,
      isoDate(today),
      tenantIds[0],
      benchAdminEmail(0),
      BENCH_PASSWORD,
      seconds.toFixed(1),
      JSON.stringify(counts),
    ]);
    log(`  ✔ ${Object.entries(counts).map(([k, v]) => `${v.toLocaleString('en')} ${k}`).join(', ')} in ${seconds.toFixed(0)} s`);
  } finally {
    await c.end();
  }
}

function scaleArg(argv: string[]): number {
  const i = argv.findIndex((a) => a === '--scale' || a.startsWith('--scale='));
  const raw = i < 0 ? '1' : argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
  const scale = Number(raw);
  if (!(scale > 0 && scale <= 100)) throw new Error(`--scale must be a number in (0, 100], got "${raw}"`);
  return scale;
}

if (require.main === module) {
  (async () => {
    const scale = scaleArg(process.argv.slice(2));
    const server = await startBenchServer((s) => console.error(s));
    try {
      await seedScale(server, scale);
    } finally {
      await server.stop();
    }
  })().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
