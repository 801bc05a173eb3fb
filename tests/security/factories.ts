import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { ownerKysely } from '../helpers/fixtures';

/*
 * Row factories for the isolation matrix: entity (table) name → function(tenantId) that creates a row
 * of that tenant through the owner connection and returns its id.
 *
 * Most tables need no hand-written factory: `genericRow` reads the table from PostgreSQL's catalog
 * and fills every NOT NULL column without a default (text with the tenant's marker, so a leaked
 * name is recognisable in any response; FKs to tenant tables by creating the parent in the same
 * tenant; FKs to global catalogs with an existing row; CHECK (col IN (...)) with its first value).
 * A table whose rules the generic filler cannot meet gets an entry in FACTORIES.
 */

export type Factory = (tenantId: number, marker: string) => Promise<number>;

/** Hand-written factories, for tables whose constraints the generic filler cannot satisfy. */
export const FACTORIES: Record<string, Factory> = {};

/**
 * Tenant tables the matrix cannot seed, with the reason. Printed by the isolation test; keep it short
 * and honest. (Tables are discovered from PostgreSQL: every table with a reflexo_id column.)
 */
export const EXCLUDED_TABLES: Record<string, string> = {};

interface Column {
  column_name: string;
  data_type: string;
  udt_name: string;
  is_nullable: 'YES' | 'NO';
  column_default: string | null;
  is_identity: 'YES' | 'NO';
  is_generated: string;
  character_maximum_length: number | null;
}

/** A foreign key; tenant-composite keys (`(reflexo_id, x_id) → t(reflexo_id, id)`) have two columns. */
interface ForeignKey {
  columns: string[];
  table: string;
  refColumns: string[];
}

const catalog = new Map<string, { columns: Column[]; fks: ForeignKey[]; checks: string[]; tenant: boolean }>();

async function describe(table: string) {
  let d = catalog.get(table);
  if (d) return d;
  const db = ownerKysely();
  const columns = (
    await sql<Column>`SELECT column_name, data_type, udt_name, is_nullable, column_default, is_identity, is_generated, character_maximum_length
      FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ${table} ORDER BY ordinal_position`.execute(db)
  ).rows;
  const fks = (
    await sql<ForeignKey>`SELECT cl.relname AS table,
        array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS columns,
        array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) AS "refColumns"
      FROM pg_constraint c
      JOIN pg_class t ON t.oid = c.conrelid
      JOIN pg_class cl ON cl.oid = c.confrelid
      WHERE c.contype = 'f' AND t.relname = ${table}`.execute(db)
  ).rows;
  const checks = (
    await sql<{ def: string }>`SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
      WHERE c.contype = 'c' AND t.relname = ${table}`.execute(db)
  ).rows.map((r) => r.def);
  d = { columns, fks, checks, tenant: columns.some((c) => c.column_name === 'reflexo_id') };
  catalog.set(table, d);
  return d;
}

/** Tenant-scoped tables, as PostgreSQL knows them: every base table with a reflexo_id column. */
export async function tenantTables(): Promise<string[]> {
  const rows = await sql<{ table_name: string }>`SELECT c.table_name FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema
    WHERE c.table_schema = 'public' AND c.column_name = 'reflexo_id' AND t.table_type = 'BASE TABLE' ORDER BY 1`.execute(ownerKysely());
  return rows.rows.map((r) => r.table_name);
}

let seq = 0;

/** The first literal a CHECK constraint allows for `column` (`col IN ('a','b')`, `col = ANY (ARRAY[...])`, `col >= 0`). */
function checkedValue(checks: string[], column: string): unknown {
  for (const def of checks) {
    if (!new RegExp(`\\b${column}\\b`).test(def)) continue;
    const lit = /ANY \(+ARRAY\[\s*'([^']*)'/.exec(def) ?? / IN \('([^']*)'/.exec(def);
    if (lit) return lit[1];
    const bool = new RegExp(`${column}\\)?\\s*(=|>=|>)\\s*\\(?(\\d+)`).exec(def);
    if (bool) return Number(bool[2]) + 1; // strictly inside the range: `amount >= 0` rows should still look real
  }
  return undefined;
}

function valueFor(c: Column, marker: string, checks: string[]): unknown {
  const checked = checkedValue(checks, c.column_name);
  if (checked !== undefined) return checked;
  const n = ++seq;
  const name = c.column_name;
  switch (c.udt_name) {
    case 'int2':
      return (n % 30000) + 1;
    case 'int4':
    case 'int8':
      return n + 1000;
    case 'numeric':
    case 'float4':
    case 'float8':
      return '10.00';
    case 'bool':
      return false;
    case 'date':
      return sql`current_date`;
    case 'time':
    case 'timetz':
      return `${String(7 + (n % 12)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}:00`;
    case 'timestamptz':
    case 'timestamp':
      return sql`now() + make_interval(mins => ${n})`;
    case 'json':
    case 'jsonb':
      return JSON.stringify({});
    case 'uuid':
      return randomUUID();
    case 'inet':
      return '127.0.0.1';
    case 'bytea':
      return Buffer.from('x');
    case 'tstzrange':
      return sql`tstzrange(now() + make_interval(hours => ${n}), now() + make_interval(hours => ${n + 1}))`;
  }
  if (c.data_type === 'ARRAY') return sql`'{}'`;
  const max = c.character_maximum_length ?? 200;
  if (/email/i.test(name) || c.udt_name === 'citext') return `${marker.toLowerCase()}${n}@sec.test`.slice(-max);
  if (c.udt_name === 'varchar' || c.udt_name === 'text' || c.udt_name === 'bpchar' || c.udt_name === 'citext') {
    const text = `${marker}${n}`;
    return text.length <= max ? text : text.slice(-max);
  }
  if (c.data_type === 'USER-DEFINED') return sql.raw(`(enum_range(NULL::${c.udt_name}))[1]`);
  return `${marker}${n}`;
}

/**
 * Inserts one row of `table` for `tenantId`, creating the tenant-owned parents it needs in the same
 * tenant. Nullable text columns get the marker too, so names and descriptions are recognisable.
 */
export async function genericRow(table: string, tenantId: number | null, marker: string, depth = 0): Promise<number> {
  if (depth > 6) throw new Error(`FK chain too deep at ${table}`);
  const d = await describe(table);
  const values: Record<string, unknown> = {};
  for (const c of d.columns) {
    if (c.is_identity === 'YES' || c.is_generated === 'ALWAYS' || c.column_name === 'id') continue;
    if (c.column_name === 'reflexo_id') {
      if (tenantId !== null) values.reflexo_id = tenantId;
      continue;
    }
    const fk = d.fks.find((f) => f.columns.includes(c.column_name) && f.columns.length <= 2);
    const required = c.is_nullable === 'NO' && c.column_default === null;
    if (fk) {
      if (!required || c.column_name in values) continue;
      const parent = await describe(fk.table);
      const own = fk.columns.filter((x) => x !== 'reflexo_id');
      const ref = own.map((x) => fk.refColumns[fk.columns.indexOf(x)]);
      if (fk.table === 'tenants') values[c.column_name] = tenantId;
      else if (parent.tenant) {
        const parentId = await genericRow(fk.table, tenantId, marker, depth + 1);
        const row = await ownerKysely().selectFrom(fk.table).select(ref).where(parent.columns.some((x) => x.column_name === 'id') ? 'id' : 'reflexo_id', '=', parentId).executeTakeFirstOrThrow();
        own.forEach((x, i) => (values[x] = (row as Record<string, unknown>)[ref[i]]));
      } else {
        const existing = await ownerKysely().selectFrom(fk.table).select(ref).orderBy(ref[0]).limit(1).executeTakeFirst();
        if (existing) own.forEach((x, i) => (values[x] = (existing as Record<string, unknown>)[ref[i]]));
        // A global catalog row is shared by every clinic: it must not carry a tenant's marker.
        else values[c.column_name] = await genericRow(fk.table, null, 'Catalog', depth + 1);
      }
      continue;
    }
    if (/^(deleted_at|is_deleted)$/.test(c.column_name)) continue; // a live row, not a soft-deleted one
    const texty = ['varchar', 'text', 'bpchar', 'citext'].includes(c.udt_name);
    if (required || (texty && c.column_default === null && !/_key$|_url$|token|code|hash/.test(c.column_name))) {
      values[c.column_name] = valueFor(c, marker, d.checks);
    }
  }
  // Per-tenant rows keyed by reflexo_id alone (counters) have no id: the tenant id stands for the row.
  if (!d.columns.some((c) => c.column_name === 'id')) {
    await ownerKysely().insertInto(table).values(values).onConflict((oc) => oc.doNothing()).execute();
    return tenantId ?? 0;
  }
  const row = await ownerKysely().insertInto(table).values(values).returning('id').executeTakeFirstOrThrow();
  return Number((row as { id: unknown }).id);
}

export async function createRow(table: string, tenantId: number, marker: string): Promise<number> {
  return (FACTORIES[table] ?? ((t: number, m: string) => genericRow(table, t, m)))(tenantId, marker);
}

/** The row as the owner sees it, for before/after comparison. */
export async function snapshot(table: string, id: number): Promise<unknown> {
  const row = await ownerKysely().selectFrom(table).selectAll().where('id', '=', id).executeTakeFirst();
  return row ? JSON.parse(JSON.stringify(row)) : null;
}

/**
 * The invariant behind every tenant FK: a row never points at another clinic's row. Checked over the
 * whole database, for every foreign key from one tenant table to another.
 */
export async function crossTenantReferences(): Promise<string[]> {
  const problems: string[] = [];
  for (const table of await tenantTables()) {
    const d = await describe(table);
    for (const fk of d.fks) {
      const own = fk.columns.filter((c) => c !== 'reflexo_id');
      if (own.length !== 1 || fk.table === 'tenants' || !(await describe(fk.table)).tenant) continue;
      const ref = fk.refColumns[fk.columns.indexOf(own[0])];
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} t JOIN ${sql.table(fk.table)} p ON p.${sql.ref(ref)} = t.${sql.ref(own[0])}
        WHERE t.reflexo_id IS DISTINCT FROM p.reflexo_id`.execute(ownerKysely());
      if (rows[0].n) problems.push(`${rows[0].n} row(s) of ${table}.${own[0]} point at another clinic's ${fk.table}`);
    }
  }
  return problems;
}

/**
 * The first row of every global catalog (tables without reflexo_id), for foreign-key hints:
 * `document_type_id` → an existing document type. Ubigeo codes use Lima's.
 */
export async function catalogIds(): Promise<Record<string, number>> {
  const rows = await sql<{ table_name: string }>`SELECT t.table_name FROM information_schema.tables t
    WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE'
      AND EXISTS (SELECT 1 FROM information_schema.columns c WHERE c.table_name = t.table_name AND c.table_schema = 'public' AND c.column_name = 'id')
      AND NOT EXISTS (SELECT 1 FROM information_schema.columns c WHERE c.table_name = t.table_name AND c.table_schema = 'public' AND c.column_name = 'reflexo_id')`.execute(ownerKysely());
  const out: Record<string, number> = {};
  for (const { table_name } of rows.rows) {
    if (['tenants', 'kysely_migration', 'kysely_migration_lock'].includes(table_name)) continue;
    const r = await sql<{ id: number }>`SELECT min(id)::int AS id FROM ${sql.table(table_name)}`.execute(ownerKysely()).catch(() => undefined);
    if (r?.rows[0]?.id) out[table_name] = r.rows[0].id;
  }
  return out;
}

/** An id no seeded row has: what an {id} route gets when the suite owns no row behind it. */
export const MISSING_ID = 999_999_999;

const tableExists = async (table: string) =>
  !!(await sql<{ n: number }>`SELECT 1 AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name = ${table}`.execute(ownerKysely())).rows.length;

/**
 * The table behind a route's {id}: its declared entity, or, for global catalogs (which declare none),
 * the path segment before {id} when a table of that name exists (`/payment-types/{id}/` → payment_types).
 */
export async function tableBehind(path: string, entity?: string): Promise<string | undefined> {
  if (entity) return entity;
  const m = /\/([a-z][a-z-]*)\/\{id\}/.exec(path);
  const guess = m?.[1].replace(/-/g, '_');
  return guess && (await tableExists(guess)) ? guess : undefined;
}

/**
 * Rows the suite owns, one per table a route addresses: every tenant table for `tenantId`, plus
 * every global catalog a route writes to. Writes and fuzzing aim at these ids only, never at seeded
 * catalog rows (renaming "Pendiente" or "Efectivo" would break every other test of the run).
 */
export async function ownRows(tenantId: number, marker: string, routes: { route: { path: string; entity?: string } }[]): Promise<Record<string, number>> {
  const ids: Record<string, number> = {};
  for (const t of await tenantTables()) ids[t] = await createRow(t, tenantId, marker).catch(() => MISSING_ID);
  for (const r of routes) {
    if (!r.route.path.includes('{id}')) continue;
    const table = await tableBehind(r.route.path, r.route.entity);
    if (table && !(table in ids)) ids[table] = await createRow(table, tenantId, marker).catch(() => MISSING_ID);
  }
  return ids;
}

/** The id an {id} route should get: the suite's own row behind it, or one that exists nowhere. */
export async function ownIdFor(ids: Record<string, number>, path: string, entity?: string): Promise<number> {
  const table = await tableBehind(path, entity);
  return (table && ids[table]) || MISSING_ID;
}

/** route key ("PUT /x/{id}/") → the table behind its {id}, for every route that has one. */
export async function routeTables(routes: { key: string; route: { path: string; entity?: string } }[]): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  for (const r of routes) if (r.route.path.includes('{id}')) out.set(r.key, await tableBehind(r.route.path, r.route.entity));
  return out;
}
