import { sql } from 'kysely';
import { recordAudit } from '../../lib/domain/audit';
import { runWithContext } from '../../lib/context';
import { ANONYMOUS, withGlobalScope, withTenant } from '../../lib/db/tenant';
import { createTenant, createUser, ownerKysely, uniq } from '../helpers/fixtures';
import { statementTextsOf } from '../helpers/statements';

/*
 * What a request pays in round trips to PostgreSQL (tests/helpers/statements.ts: one per query()
 * call). BEGIN waits for the first statement and carries the tenant settings wanted by then;
 * withGlobalScope costs no round trip of its own; audit rows travel with COMMIT, in one string
 * whose failure rolls the whole request back.
 */
const audits = (entity: string) => ownerKysely().selectFrom('audit_log').selectAll().where('entity', '=', entity).orderBy('id').execute();
const inScope = (reflexoId: number) => ({ reflexoId, global: false, userId: null });

describe('the transaction envelope', () => {
  it('a transaction that sends nothing costs nothing; one statement costs BEGIN and COMMIT around it', async () => {
    expect(await statementTextsOf(() => withTenant(ANONYMOUS, async () => 1))).toEqual([]);
    const sent = await statementTextsOf(() => withTenant(ANONYMOUS, (db) => sql`SELECT 1`.execute(db)));
    expect(sent).toHaveLength(3);
    expect(sent[0]).toMatch(/^BEGIN; SELECT set_config\('app.reflexo_id', '', true\), set_config\('app.global', 'off', true\)/);
    expect(sent[2]).toBe('COMMIT');
  });

  it('withGlobalScope lifts the wall for what runs inside it only, without round trips of its own', async () => {
    const a = await createTenant();
    const b = await createTenant();
    const other = await createUser({ reflexoId: b.id });
    const seen: number[][] = [];
    const sent = await statementTextsOf(() =>
      withTenant(inScope(a.id), async (db) => {
        const ids = async () => (await db.selectFrom('users').select('id').where('id', '=', other.id).execute()).map((r) => r.id);
        seen.push(await withGlobalScope(db, ids));
        seen.push(await ids());
        seen.push(await withGlobalScope(db, () => withGlobalScope(db, ids)));
      }),
    );
    expect(seen).toEqual([[other.id], [], [other.id]]);
    // BEGIN (global on), query, settings (global off), query, settings (on), query, COMMIT.
    expect(sent).toHaveLength(7);
    expect(sent[0]).toContain("set_config('app.global', 'on', true)");
    expect(sent[2]).toContain("set_config('app.global', 'off', true)");
  });

  it('a failed withGlobalScope still puts the wall back for what follows', async () => {
    const a = await createTenant();
    const b = await createTenant();
    const other = await createUser({ reflexoId: b.id });
    const after = await withTenant(inScope(a.id), async (db) => {
      await withGlobalScope(db, async () => {
        await db.selectFrom('users').select('id').execute();
        throw new Error('inside');
      }).catch(() => undefined);
      return db.selectFrom('users').select('id').where('id', '=', other.id).execute();
    });
    expect(after).toEqual([]);
  });

  it('a ROLLBACK TO SAVEPOINT takes back the settings made after it, and they are sent again when wanted', async () => {
    const a = await createTenant();
    const b = await createTenant();
    const other = await createUser({ reflexoId: b.id });
    const seen = await withTenant(inScope(a.id), async (db) => {
      await sql`SAVEPOINT sp`.execute(db);
      return withGlobalScope(db, async () => {
        await sql`SELECT 1`.execute(db);
        await sql`ROLLBACK TO SAVEPOINT sp`.execute(db);
        return (await db.selectFrom('users').select('id').where('id', '=', other.id).execute()).map((r) => r.id);
      });
    });
    expect(seen).toEqual([other.id]);
  });
});

describe('audit rows in the COMMIT round trip', () => {
  it('are sent with COMMIT, in their order, each under the scope it was recorded in', async () => {
    const a = await createTenant();
    const entity = uniq('rt-order');
    const sent = await statementTextsOf(() =>
      withTenant(inScope(a.id), async (db) => {
        await sql`SELECT 1`.execute(db);
        await recordAudit(db, { action: 'create', entity, entityId: 1, reflexoId: a.id, changedFields: ['x', 'y'] });
        // A row of no clinic is only writable in the global scope: it keeps the scope it was recorded in.
        await withGlobalScope(db, () => recordAudit(db, { action: 'login_failed', entity, entityId: 2, reflexoId: null }));
        await recordAudit(db, { action: 'update', entity, entityId: 3, reflexoId: a.id });
      }),
    );
    expect(sent).toHaveLength(3);
    expect(sent[2]).toMatch(/^INSERT INTO audit_log .*; SELECT set_config.*; INSERT INTO audit_log .*; SELECT set_config.*; INSERT INTO audit_log .*; COMMIT$/);
    const rows = await audits(entity);
    expect(rows.map((r) => [r.entity_id, r.reflexo_id, r.changed_fields])).toEqual([
      ['1', a.id, ['x', 'y']],
      ['2', null, null],
      ['3', a.id, null],
    ]);
  });

  it('still cannot write another clinic’s row: row-level security checks it at COMMIT', async () => {
    const a = await createTenant();
    const b = await createTenant();
    const entity = uniq('rt-wall');
    await expect(withTenant(inScope(a.id), (db) => recordAudit(db, { action: 'create', entity, reflexoId: b.id }))).rejects.toThrow(/row-level security/);
    expect(await audits(entity)).toEqual([]);
  });

  it('an audit insert that fails rolls back the write it records', async () => {
    const a = await createTenant();
    const entity = uniq('rt-atomic');
    const key = uniq('rt-atomic-key');
    await expect(
      withTenant(inScope(a.id), async (db) => {
        await withGlobalScope(db, () => sql`INSERT INTO auth_failures (kind, key) VALUES ('login_account', ${key})`.execute(db));
        await recordAudit(db, { action: 'x'.repeat(41), entity, reflexoId: a.id }); // action is varchar(40)
      }),
    ).rejects.toThrow(/too long/);
    expect(await ownerKysely().selectFrom('auth_failures').select('id').where('key', '=', key).execute()).toEqual([]);
    expect(await audits(entity)).toEqual([]);
    // The connection is usable again (the pool has one).
    expect(await withTenant(ANONYMOUS, async (db) => (await sql<{ one: number }>`SELECT 1 AS one`.execute(db)).rows)).toEqual([{ one: 1 }]);
  });

  it('an audit recorded under a savepoint that is rolled back is not written; a released one is', async () => {
    const a = await createTenant();
    const entity = uniq('rt-savepoint');
    await withTenant(inScope(a.id), async (db) => {
      await sql`SAVEPOINT kept`.execute(db);
      await recordAudit(db, { action: 'create', entity, entityId: 'kept', reflexoId: a.id });
      await sql`RELEASE SAVEPOINT kept`.execute(db);
      await sql`SAVEPOINT dropped`.execute(db);
      await recordAudit(db, { action: 'create', entity, entityId: 'dropped', reflexoId: a.id });
      await withGlobalScope(db, () => sql`SELECT 1`.execute(db));
      await sql`ROLLBACK TO SAVEPOINT dropped`.execute(db);
      // The rollback also took back the global setting: the wall is up again for this row.
      await recordAudit(db, { action: 'create', entity, entityId: 'after', reflexoId: a.id });
    });
    expect((await audits(entity)).map((r) => r.entity_id)).toEqual(['kept', 'after']);
  });

  it('keeps what the client sent verbatim: quotes, backslashes, non-ASCII; NUL is dropped', async () => {
    const a = await createTenant();
    const entity = uniq('rt-literal');
    const userAgent = `Mozilla/5.0 (O'Brien\\'s "agent"); DROP TABLE audit_log; -- \\x00 ñandú ✓ 🦙\0end`;
    await runWithContext({ requestId: `req'\\${entity}`, sourceIp: '203.0.113.9', userAgent, actor: null }, () =>
      withTenant(inScope(a.id), (db) => recordAudit(db, { action: 'create', entity, entityId: `id'\\1`, reflexoId: a.id, changedFields: ["it's", 'back\\slash', '{braces}', 'a,b'] })),
    );
    const [row] = await audits(entity);
    expect(row).toMatchObject({
      user_agent: userAgent.replace('\0', ''),
      request_id: `req'\\${entity}`,
      entity_id: `id'\\1`,
      changed_fields: ["it's", 'back\\slash', '{braces}', 'a,b'],
      ip: '203.0.113.9',
    });
  });
});
