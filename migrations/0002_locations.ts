import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';

/*
 * Peru's INEI ubigeo as read-only global catalogs. The id of each row IS its ubigeo code
 * (Lima region 15, Lima province 1501, Miraflores 150122): ids are then identical in every
 * deployment, so seeds, clients and bookmarks can rely on them. `sequence` is the row's position
 * inside its parent, in code order.
 */
const DATA = join(__dirname, 'data', 'ubigeo');

function readCsv(file: string): string[][] {
  const lines = readFileSync(join(DATA, file), 'utf8').trim().split('\n').slice(1);
  return lines.map((l) => l.split(','));
}

function withSequence(rows: string[][]): { code: number; name: string; parent: number; sequence: number }[] {
  const seen = new Map<number, number>();
  return rows.map(([code, name, parent]) => {
    const p = Number(parent);
    const sequence = (seen.get(p) ?? 0) + 1;
    seen.set(p, sequence);
    return { code: Number(code), name, parent: p, sequence };
  });
}

export async function up(db: Kysely<any>): Promise<void> {
  const ts = (t: any) =>
    t
      .addColumn('created_at', 'timestamptz', (c: any) => c.notNull().defaultTo(sql`now()`))
      .addColumn('updated_at', 'timestamptz', (c: any) => c.notNull().defaultTo(sql`now()`))
      .addColumn('deleted_at', 'timestamptz');
  await ts(
    db.schema
      .createTable('regions')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'varchar(100)', (c) => c.notNull())
      .addColumn('ubigeo_code', 'integer', (c) => c.notNull().unique()),
  ).execute();
  await ts(
    db.schema
      .createTable('provinces')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'varchar(100)', (c) => c.notNull())
      .addColumn('ubigeo_code', 'integer', (c) => c.notNull().unique())
      .addColumn('sequence', 'integer', (c) => c.notNull())
      .addColumn('region_id', 'integer', (c) => c.notNull().references('regions.id')),
  ).execute();
  await ts(
    db.schema
      .createTable('districts')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'varchar(100)', (c) => c.notNull())
      .addColumn('ubigeo_code', 'integer', (c) => c.notNull().unique())
      .addColumn('sequence', 'integer', (c) => c.notNull())
      .addColumn('province_id', 'integer', (c) => c.notNull().references('provinces.id')),
  ).execute();
  await db.schema.createIndex('provinces_region_idx').on('provinces').columns(['region_id', 'id']).execute();
  await db.schema.createIndex('districts_province_idx').on('districts').columns(['province_id', 'id']).execute();

  const regions = readCsv('regions.csv').map(([code, name]) => ({ id: Number(code), ubigeo_code: Number(code), name }));
  await db.insertInto('regions').values(regions).execute();
  const provinces = withSequence(readCsv('provinces.csv')).map((r) => ({
    id: r.code,
    ubigeo_code: r.code,
    name: r.name,
    sequence: r.sequence,
    region_id: r.parent,
  }));
  await db.insertInto('provinces').values(provinces).execute();
  const districts = withSequence(readCsv('districts.csv')).map((r) => ({
    id: r.code,
    ubigeo_code: r.code,
    name: r.name,
    sequence: r.sequence,
    province_id: r.parent,
  }));
  for (let i = 0; i < districts.length; i += 500) {
    await db.insertInto('districts').values(districts.slice(i, i + 500)).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('districts').execute();
  await db.schema.dropTable('provinces').execute();
  await db.schema.dropTable('regions').execute();
}
