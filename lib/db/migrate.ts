import { Kysely, Migrator, PostgresDialect, sql, type MigrationResultSet } from 'kysely';
import pg from 'pg';
import { migrations } from '../../migrations';

/** A short-lived Kysely on the owner connection (migrations need DDL rights the API role lacks). */
export function ownerDb(url: string): Kysely<any> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => {});
  return new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
}

/** The migrations the database has applied, in order ([] for a database never migrated). */
export async function appliedNames(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db).catch((err: { code?: string }) => {
    if (err.code === '42P01') return { rows: [] as { name: string }[] }; // a database never migrated
    throw err;
  });
  return rows.map((r) => r.name);
}

function migrator(db: Kysely<any>) {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

function report(result: MigrationResultSet, log: (line: string) => void): void {
  for (const r of result.results ?? []) {
    log(`  ${r.status === 'Success' ? '✔' : r.status === 'Error' ? '✖' : '·'} ${r.direction.toLowerCase()} ${r.migrationName}`);
  }
  if (result.error) throw result.error;
}

export async function migrateUp(url: string, log: (line: string) => void = () => {}): Promise<void> {
  const db = ownerDb(url);
  try {
    const total = Object.keys(migrations).length;
    log(`migrating (${total} migrations known)`);
    report(await migrator(db).migrateToLatest(), log);
  } finally {
    await db.destroy();
  }
}

export async function migrateDown(url: string, steps: number | 'all', log: (line: string) => void = () => {}): Promise<void> {
  const db = ownerDb(url);
  try {
    const m = migrator(db);
    const count = steps === 'all' ? Object.keys(migrations).length : steps;
    for (let i = 0; i < count; i++) {
      const result = await m.migrateDown();
      report(result, log);
      if (!result.results?.length) break;
    }
  } finally {
    await db.destroy();
  }
}
