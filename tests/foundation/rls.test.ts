import { sql } from 'kysely';
import { getPool } from '../../lib/db/pool';
import { ANONYMOUS, withTenant } from '../../lib/db/tenant';
import { createTenant, createUser } from '../helpers/fixtures';

/*
 * The second wall: even a query that forgets `where reflexo_id = …` cannot see another clinic's rows,
 * because the API connects as a role that row-level security applies to.
 */
describe('row-level security', () => {
  let a: { id: number }, b: { id: number };
  let userA: number, userB: number;
  beforeAll(async () => {
    a = await createTenant();
    b = await createTenant();
    userA = (await createUser({ reflexoId: a.id })).id;
    userB = (await createUser({ reflexoId: b.id })).id;
    await createUser({ reflexoId: a.id });
  });

  it('the API connects as a role without superuser or BYPASSRLS', async () => {
    const { rows } = await getPool().query(`SELECT current_user AS u, r.rolsuper, r.rolbypassrls FROM pg_roles r WHERE r.rolname = current_user`);
    expect(rows[0]).toEqual({ u: 'reflexo_api', rolsuper: false, rolbypassrls: false });
  });

  it('a deliberately unfiltered query sees only the current tenant', async () => {
    const rows = await withTenant({ reflexoId: a.id, global: false, userId: null }, (db) => db.selectFrom('users').select(['id', 'reflexo_id']).execute());
    expect(rows.length).toBe(2);
    expect(rows.every((r) => r.reflexo_id === a.id)).toBe(true);
    expect(rows.map((r) => r.id)).toContain(userA);
    expect(rows.map((r) => r.id)).not.toContain(userB);
  });

  it('without a tenant context nothing is visible', async () => {
    const rows = await withTenant(ANONYMOUS, (db) => db.selectFrom('users').select('id').execute());
    expect(rows).toEqual([]);
    const tenants = await withTenant(ANONYMOUS, (db) => db.selectFrom('tenants').select('id').execute());
    expect(tenants).toEqual([]);
  });

  it('writes into another tenant are refused by the policy', async () => {
    await expect(
      withTenant({ reflexoId: a.id, global: false, userId: null }, (db) =>
        db.insertInto('users').values({ email: `x${Date.now()}@t.pe`, user_name: `x${Date.now()}`, password_hash: 'x', reflexo_id: b.id }).execute(),
      ),
    ).rejects.toThrow(/row-level security/);
    const moved = await withTenant({ reflexoId: a.id, global: false, userId: null }, (db) =>
      db.updateTable('users').set({ name: 'hacked' }).where('id', '=', userB).executeTakeFirst(),
    );
    expect(Number(moved.numUpdatedRows)).toBe(0);
  });

  it('the tenant setting is local to the transaction: the pooled connection forgets it', async () => {
    await withTenant({ reflexoId: a.id, global: false, userId: null }, async () => undefined);
    const client = await getPool().connect();
    try {
      const { rows } = await client.query(`SELECT coalesce(current_setting('app.reflexo_id', true), '') AS rid, count(*)::int AS n FROM users`);
      expect(rows[0]).toEqual({ rid: '', n: 0 });
    } finally {
      client.release();
    }
  });

  it('the global flag (superusers, system tasks) sees every tenant', async () => {
    const rows = await withTenant({ reflexoId: null, global: true, userId: null }, (db) =>
      db.selectFrom('users').select('reflexo_id').where('id', 'in', [userA, userB]).execute(),
    );
    expect(rows.map((r) => r.reflexo_id).sort()).toEqual([a.id, b.id].sort());
  });

  it('every table with a reflexo_id column has RLS enabled and forced', async () => {
    const { rows } = await getPool().query(`
      SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'reflexo_id' AND NOT a.attisdropped
      WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace`);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect([r.relname, r.relrowsecurity, r.relforcerowsecurity]).toEqual([r.relname, true, true]);
  });

  it('policies let the planner see the clinic (plain current_setting, no InitPlan): a clinic page is an index scan', async () => {
    const { rows } = await getPool().query(`SELECT tablename, qual FROM pg_policies WHERE schemaname = 'public' AND policyname = 'tenant_isolation'`);
    expect(rows.length).toBeGreaterThan(5);
    for (const r of rows) expect([r.tablename, /SELECT current_setting/.test(r.qual)]).toEqual([r.tablename, false]);
    const plan = await withTenant({ reflexoId: a.id, global: false, userId: null }, (db) =>
      sql<{ 'QUERY PLAN': string }>`EXPLAIN SELECT id FROM users WHERE reflexo_id = ${a.id}`.execute(db),
    );
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).not.toMatch(/InitPlan/);
  });

  it('every tenant policy compares the clinic before it reads the global flag (one setting read per row of the clinic)', async () => {
    const { rows } = await getPool().query(`SELECT tablename, qual FROM pg_policies WHERE schemaname = 'public' AND policyname = 'tenant_isolation'`);
    const first = (qual: string) => (/^\(*(\w+) = /.exec(qual)?.[1] ?? qual.slice(0, 40));
    for (const r of rows) expect([r.tablename, first(r.qual)]).toEqual([r.tablename, r.tablename === 'tenants' ? 'id' : 'reflexo_id']);
  });

  it('a failed request rolls back everything it wrote', async () => {
    const email = `rollback${Date.now()}@t.pe`;
    await expect(
      withTenant({ reflexoId: a.id, global: false, userId: null }, async (db) => {
        await db.insertInto('users').values({ email, user_name: email, password_hash: 'x', reflexo_id: a.id }).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const found = await withTenant({ reflexoId: a.id, global: false, userId: null }, (db) => db.selectFrom('users').select('id').where('email', '=', email).execute());
    expect(found).toEqual([]);
  });
});
