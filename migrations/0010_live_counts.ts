import { sql, type Kysely } from 'kysely';
import { enableTenantRls } from './rls';

/*
 * The unfiltered lists (the agenda, the patient register) must answer `count` on every page, and an
 * exact count(*) over a clinic's million appointments costs a full scan per page view. These
 * counters hold each clinic's live (not soft-deleted) rows, maintained by statement-level triggers
 * with transition tables: one aggregated upsert per statement, so bulk loads (COPY) stay cheap.
 * Updates that do not change liveness or tenant touch nothing. The counter row is locked until
 * commit, which serialises inserts per clinic: bookings already serialise on the ticket counter.
 */
const TABLES = ['appointments', 'patients'];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('tenant_live_counts')
    .addColumn('reflexo_id', 'integer', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('entity', 'varchar(40)', (c) => c.notNull())
    .addColumn('live', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('tenant_live_counts_pk', ['reflexo_id', 'entity'])
    .execute();
  await enableTenantRls(db, 'tenant_live_counts');
  await sql`
    CREATE FUNCTION count_live_rows() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO tenant_live_counts (reflexo_id, entity, live)
          SELECT reflexo_id, TG_TABLE_NAME, count(*) FROM new_rows WHERE deleted_at IS NULL GROUP BY reflexo_id
          ON CONFLICT (reflexo_id, entity) DO UPDATE SET live = tenant_live_counts.live + excluded.live;
      ELSIF TG_OP = 'DELETE' THEN
        UPDATE tenant_live_counts c SET live = c.live - d.n
          FROM (SELECT reflexo_id, count(*) AS n FROM old_rows WHERE deleted_at IS NULL GROUP BY reflexo_id) d
          WHERE c.reflexo_id = d.reflexo_id AND c.entity = TG_TABLE_NAME;
      ELSE
        INSERT INTO tenant_live_counts (reflexo_id, entity, live)
          SELECT reflexo_id, TG_TABLE_NAME, sum(d) FROM (
            SELECT reflexo_id, 1 AS d FROM new_rows WHERE deleted_at IS NULL
            UNION ALL SELECT reflexo_id, -1 FROM old_rows WHERE deleted_at IS NULL) x
          GROUP BY reflexo_id HAVING sum(d) <> 0
          ON CONFLICT (reflexo_id, entity) DO UPDATE SET live = tenant_live_counts.live + excluded.live;
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  for (const t of TABLES) {
    await sql.raw(`CREATE TRIGGER ${t}_live_ins AFTER INSERT ON ${t} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_live_rows()`).execute(db);
    await sql.raw(`CREATE TRIGGER ${t}_live_upd AFTER UPDATE ON ${t} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_live_rows()`).execute(db);
    await sql.raw(`CREATE TRIGGER ${t}_live_del AFTER DELETE ON ${t} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION count_live_rows()`).execute(db);
    await sql
      .raw(`INSERT INTO tenant_live_counts (reflexo_id, entity, live) SELECT reflexo_id, '${t}', count(*) FROM ${t} WHERE deleted_at IS NULL GROUP BY reflexo_id`)
      .execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of TABLES) {
    for (const op of ['ins', 'upd', 'del']) await sql.raw(`DROP TRIGGER IF EXISTS ${t}_live_${op} ON ${t}`).execute(db);
  }
  await sql`DROP FUNCTION IF EXISTS count_live_rows()`.execute(db);
  await db.schema.dropTable('tenant_live_counts').execute();
}
