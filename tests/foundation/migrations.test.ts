import pg from 'pg';
import { migrateDown, migrateUp } from '../../lib/db/migrate';
import { prepareDatabase } from '../../lib/dev/postgres';
import { migrations } from '../../migrations';

/* Every migration goes up, comes back down and goes up again, in a database of its own. */
it('migrations run up, down to nothing, and up again', async () => {
  const url = await prepareDatabase(process.env.TEST_SERVER_URL!, 'reflexo_migrations_test', { recreate: true });
  const lines: string[] = [];
  const tables = async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const { rows } = await c.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'kysely_%' ORDER BY 1`);
      const districts = rows.some((r) => r.tablename === 'districts') ? (await c.query('SELECT count(*)::int AS n FROM districts')).rows[0].n : 0;
      return { names: rows.map((r) => r.tablename), districts };
    } finally {
      await c.end();
    }
  };
  await migrateUp(url, (l) => lines.push(l));
  const first = await tables();
  expect(first.names).toEqual(expect.arrayContaining(['tenants', 'users', 'roles', 'revoked_tokens', 'regions', 'provinces', 'districts']));
  expect(first.districts).toBe(1892);
  expect(lines.filter((l) => l.includes('✔ up'))).toHaveLength(Object.keys(migrations).length);

  await migrateDown(url, 'all');
  expect((await tables()).names).toEqual([]);

  await migrateUp(url);
  expect(await tables()).toEqual(first);
}, 60_000);
