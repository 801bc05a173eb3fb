import { randomBytes, randomUUID, scryptSync } from 'node:crypto';
import { sql } from 'kysely';
import { handler as appointments } from '../../functions/reflexo/appointments-appointments';
import { handler as auth } from '../../functions/reflexo/architect-auth';
import { recordAudit } from '../../lib/domain/audit';
import { runWithContext } from '../../lib/context';
import { ANONYMOUS, withGlobalScope, withTenant } from '../../lib/db/tenant';
import { createTenant, createUser, ownerKysely, tenantWithAdmin, uniq } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { callFrom, freshIp } from '../helpers/identity';
import { catalogByCode, createPatient, createTherapist, limaDate, STATUS } from '../helpers/scheduling-fixtures';
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

describe('login', () => {
  it(`costs at most 4 round trips: BEGIN in the global scope, lookup, writes, audit + COMMIT`, async () => {
    const u = await createUser();
    const userAgent = `agent'\\${uniq()}`;
    const sent = await statementTextsOf(async () => {
      const res = await callFrom(auth, freshIp(), { method: 'POST', path: '/api/architect/auth/login/', json: { email: u.email, password: u.password }, headers: { 'user-agent': userAgent } });
      expect(res.status).toBe(200);
    });
    expect(sent.length).toBeLessThanOrEqual(4);
    expect(sent[sent.length - 1]).toMatch(/^INSERT INTO audit_log .* COMMIT$/);
    const row = await ownerKysely().selectFrom('audit_log').selectAll().where('user_id', '=', u.id).where('action', '=', 'login').executeTakeFirstOrThrow();
    expect(row.user_agent).toBe(userAgent);
  });

  it('an old hash is upgraded, failures are cleared and spent refresh tokens pruned in the same write', async () => {
    const u = await createUser();
    const salt = randomBytes(16);
    const weak = `scrypt$16$8$1$${salt.toString('base64')}$${scryptSync(u.password.normalize('NFKC'), salt, 32, { N: 16, r: 8, p: 1 }).toString('base64')}`;
    await ownerKysely().updateTable('users').set({ password_hash: weak }).where('id', '=', u.id).execute();
    await ownerKysely().insertInto('refresh_tokens').values({ jti: randomUUID(), family: randomUUID(), user_id: u.id, expires_at: new Date(Date.now() - 1000) }).execute();
    const ip = freshIp();
    expect((await callFrom(auth, ip, { method: 'POST', path: '/api/architect/auth/login/', json: { email: u.email, password: 'Wrong#123x' } })).status).toBe(401);
    const sent = await statementTextsOf(async () => expect((await callFrom(auth, ip, { method: 'POST', path: '/api/architect/auth/login/', json: { email: u.email, password: u.password } })).status).toBe(200));
    expect(sent.length).toBeLessThanOrEqual(4);
    const row = await ownerKysely().selectFrom('users').select(['password_hash', 'last_login']).where('id', '=', u.id).executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(row.last_login).not.toBeNull();
    expect(await ownerKysely().selectFrom('auth_failures').select('id').where('key', '=', u.email.toLowerCase()).execute()).toEqual([]);
    const tokens = await ownerKysely().selectFrom('refresh_tokens').select('expires_at').where('user_id', '=', u.id).execute();
    expect(tokens).toHaveLength(1);
    expect(new Date(tokens[0].expires_at).getTime()).toBeGreaterThan(Date.now());
    // The new hash still opens the account.
    expect((await callFrom(auth, freshIp(), { method: 'POST', path: '/api/architect/auth/login/', json: { email: u.email, password: u.password } })).status).toBe(200);
  });
});

describe('booking with its ticket (Reflexo create)', () => {
  const create = (token: string, json: Record<string, unknown>) => call(appointments, { method: 'POST', path: '/api/appointments/appointments/create/', token, json });
  let n = 0;
  const slot = () => ({ appointment_date: limaDate(20 + Math.floor(n / 10)), hour: `${String(8 + (n++ % 10)).padStart(2, '0')}:00` });

  it('costs at most 4 round trips: BEGIN + caller, one read, one write that returns the record, audit rows + COMMIT', async () => {
    const { tenant, admin } = await tenantWithAdmin();
    const patient = await createPatient(tenant.id);
    const therapist = await createTherapist(tenant.id);
    const body = { patient: patient.id, therapist: therapist.id, appointment_status: STATUS.pending, appointment_type: 'Consulta', ailments: 'Dolor lumbar', observation: 'x' };
    expect((await create(admin.token, { ...body, ...slot() })).status).toBe(201); // the first one creates the clinic's ticket counter
    let res!: Awaited<ReturnType<typeof create>>;
    const sent = await statementTextsOf(async () => {
      res = await create(admin.token, { ...body, ...slot() });
    });
    expect(res.status).toBe(201);
    expect(sent.length).toBeLessThanOrEqual(4);
    expect(sent[sent.length - 1]).toMatch(/^INSERT INTO audit_log .* COMMIT$/);
    const ticket = await ownerKysely().selectFrom('tickets').select('id').where('appointment_id', '=', res.body.id).executeTakeFirstOrThrow();
    const logged = await ownerKysely().selectFrom('audit_log').select(['entity', 'entity_id', 'user_id']).where('reflexo_id', '=', tenant.id).where('action', '=', 'create').orderBy('id').execute();
    expect(logged.slice(-2)).toEqual([
      { entity: 'appointments', entity_id: String(res.body.id), user_id: admin.id },
      { entity: 'tickets', entity_id: String(ticket.id), user_id: admin.id },
    ]);
  });

  it('answers what the detail route answers for the same appointment, among the clinic’s other appointments and tickets', async () => {
    const { tenant, admin } = await tenantWithAdmin();
    const patient = await createPatient(tenant.id);
    const therapist = await createTherapist(tenant.id);
    const { paymentType, paymentStatus } = await catalogByCode();
    const earlier = await create(admin.token, { patient: patient.id, therapist: therapist.id, ...slot(), payment: '30', payment_status: paymentStatus.paid });
    expect(earlier.status).toBe(201);
    const made = await create(admin.token, {
      patient: patient.id,
      therapist: therapist.id,
      ...slot(),
      appointment_type: 'Consulta',
      room: 'Sala 1',
      ailments: 'Dolor',
      payment: '120.50',
      payment_type: paymentType.cash,
      observation: 'Primera',
    });
    expect(made.status).toBe(201);
    const detail = await call(appointments, { path: `/api/appointments/appointments/${made.body.id}/`, token: admin.token });
    expect(detail.status).toBe(200);
    expect(made.body).toEqual(detail.body);
    expect(JSON.stringify(made.body)).toBe(JSON.stringify(detail.body));
  });

  it('a ticket born paid enters the cash ledger with its appointment’s doctor and patient (same statement)', async () => {
    const { tenant, admin } = await tenantWithAdmin();
    const patient = await createPatient(tenant.id);
    const therapist = await createTherapist(tenant.id);
    const { paymentStatus } = await catalogByCode();
    const res = await create(admin.token, { patient: patient.id, therapist: therapist.id, ...slot(), payment: '80.50', payment_status: paymentStatus.paid });
    expect(res.status).toBe(201);
    const ticket = await ownerKysely().selectFrom('tickets').selectAll().where('appointment_id', '=', res.body.id).executeTakeFirstOrThrow();
    expect(ticket).toMatchObject({ status: 'paid', amount: '80.50', ticket_number: 'TKT-000001' });
    const entry = await ownerKysely().selectFrom('cash_transactions').selectAll().where('ticket_id', '=', ticket.id).executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ kind: 'ingreso', amount: '80.50', doctor_id: therapist.id, patient_id: patient.id });
  });

  it('ticket numbers keep counting past six digits', async () => {
    const { tenant, admin } = await tenantWithAdmin();
    const patient = await createPatient(tenant.id);
    const therapist = await createTherapist(tenant.id);
    await ownerKysely().insertInto('ticket_counters').values({ reflexo_id: tenant.id, last_number: 999_999 }).execute();
    const res = await create(admin.token, { patient: patient.id, therapist: therapist.id, ...slot() });
    expect(res.status).toBe(201);
    expect(await ownerKysely().selectFrom('tickets').select('ticket_number').where('appointment_id', '=', res.body.id).executeTakeFirstOrThrow()).toEqual({ ticket_number: 'TKT-1000000' });
  });
});
