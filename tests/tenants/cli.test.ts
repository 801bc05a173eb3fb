import { handler as auth } from '../../functions/reflexo/architect-auth';
import { handler as password } from '../../functions/reflexo/profiles-password';
import { createTenant, ownerKysely, uniq } from '../helpers/fixtures';
import { runCli } from '../helpers/cli';
import { call } from '../helpers/http';
import { callFrom, freshIp } from '../helpers/identity';
import { lastMailTo } from '../helpers/mail';

/*
 * The operators' tenant CLI (lib/ops/tenant-cli.ts), run as a child process the way an operator runs
 * it, against this run's test database: MIGRATE_DATABASE_URL as the owner (or DATABASE_URL, the API's
 * role under RLS), SES_ENDPOINT the stand-in that tests/helpers/mail.ts reads.
 */
jest.setTimeout(120_000);

const cli = (args: string[], env: Record<string, string | undefined> = {}) => runCli('lib/ops/tenant-cli.ts', args, { MIGRATE_DATABASE_URL: process.env.TEST_OWNER_URL, ...env });

const db = () => ownerKysely();
const tenantsNamed = (name: string) => db().selectFrom('tenants').selectAll().where('name', '=', name).execute();

describe('tenant CLI', () => {
  it('create with a first administrator (owner connection): prints the new ids, writes every row, mails a code that sets the password', async () => {
    const name = uniq('Clínica CLI ');
    const email = `${uniq('cli')}@clinica-cli.pe`;
    const run = await cli(['create', '--name', name, '--time-zone', 'America/Lima', '--admin-email', email, '--admin-name', 'Lucía', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toEqual({
      tenant: { id: expect.any(Number), name, time_zone: 'America/Lima', is_active: true, created_at: expect.any(String), updated_at: expect.any(String) },
      company_id: expect.any(Number),
      admin: { id: expect.any(Number), email, user_name: email, role_id: expect.any(Number), code_expires_at: expect.any(String) },
    });
    const id = out.tenant.id as number;
    expect(await db().selectFrom('company_data').select(['id', 'company_name']).where('reflexo_id', '=', id).execute()).toEqual([{ id: out.company_id, company_name: name }]);
    expect(await db().selectFrom('ticket_counters').select('last_number').where('reflexo_id', '=', id).execute()).toEqual([{ last_number: 0 }]);
    expect(await db().selectFrom('history_counters').select('last_local_id').where('reflexo_id', '=', id).execute()).toEqual([{ last_local_id: 0 }]);
    expect(await db().selectFrom('tenant_live_counts').select('entity').where('reflexo_id', '=', id).orderBy('entity').execute()).toEqual([{ entity: 'appointments' }, { entity: 'patients' }]);
    const user = await db().selectFrom('users').innerJoin('roles', 'roles.id', 'users.role_id').select(['users.reflexo_id', 'users.name', 'roles.code']).where('users.id', '=', out.admin.id).executeTakeFirstOrThrow();
    expect(user).toEqual({ reflexo_id: id, name: 'Lucía', code: 'admin' });
    const audit = await db().selectFrom('audit_log').select(['action', 'user_id', 'user_agent']).where('entity', '=', 'tenants').where('entity_id', '=', String(id)).execute();
    expect(audit).toEqual([{ action: 'create', user_id: null, user_agent: expect.stringMatching(/^tenant-cli \(/) }]);

    // The code was keyed with the same JWT_SECRET as the API's, so the API's reset confirm takes it.
    const mail = await lastMailTo(email);
    const code = /Su código es: (\d{6})/.exec(mail!.body.text!)?.[1];
    const pw = 'Cumbre-Andina-2026!';
    expect((await call(password, { method: 'POST', path: '/api/profiles/password/reset/confirm/', json: { code, new_password: pw, new_password_confirm: pw } })).status).toBe(200);
    expect((await callFrom(auth, freshIp(), { method: 'POST', path: '/api/architect/auth/login/', json: { email, password: pw } })).status).toBe(200);
  });

  it("create without an administrator through the API's own role (DATABASE_URL, under RLS), human-readable output with the ids", async () => {
    const name = uniq('Clínica Rol App ');
    const run = await cli(['create', '--name', name, '--time-zone', 'America/Guayaquil', '--inactive'], { MIGRATE_DATABASE_URL: undefined });
    expect(run.code).toBe(0);
    const [row] = await tenantsNamed(name);
    expect(row).toMatchObject({ time_zone: 'America/Guayaquil', is_active: false });
    const company = await db().selectFrom('company_data').select('id').where('reflexo_id', '=', row.id).executeTakeFirstOrThrow();
    expect(run.stdout).toContain(`created clinic ${row.id} "${name}" (America/Guayaquil, inactive)`);
    expect(run.stdout).toContain(`company ${company.id}`);
    expect(run.stdout).toContain('no users yet');
  });

  it('list (with filters), deactivate and activate', async () => {
    const tag = uniq('Listado');
    const a = await createTenant(`Clínica ${tag} A`);
    const b = await createTenant(`Clínica ${tag} B`);
    await db().updateTable('tenants').set({ is_active: false }).where('id', '=', b.id).execute();

    const all = await cli(['list', '--search', tag, '--json']);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout).map((t: { id: number }) => t.id)).toEqual([a.id, b.id]);
    const inactive = await cli(['list', '--search', tag, '--inactive']);
    expect(inactive.stdout.trim()).toBe(`clinic ${b.id} "Clínica ${tag} B" (America/Lima, inactive)`);

    const off = await cli(['deactivate', String(a.id)]);
    expect(off.code).toBe(0);
    expect(off.stdout.trim()).toBe(`deactivated clinic ${a.id} "Clínica ${tag} A" (America/Lima, inactive)`);
    expect((await tenantsNamed(`Clínica ${tag} A`))[0].is_active).toBe(false);
    const on = await cli(['activate', String(b.id), '--json']);
    expect(JSON.parse(on.stdout)).toMatchObject({ id: b.id, is_active: true });
    expect((await tenantsNamed(`Clínica ${tag} B`))[0].is_active).toBe(true);

    const missing = await cli(['deactivate', '999999999']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Clínica no encontrada.');
  });

  it('refuses bad input with a clear message, exit code 1, and writes nothing', async () => {
    const name = uniq('Clínica Rechazada ');
    const badZone = await cli(['create', '--name', name, '--time-zone', 'America/Atlantida']);
    expect(badZone.code).toBe(1);
    expect(badZone.stderr).toContain('refused, nothing was written');
    expect(badZone.stderr).toContain('--time-zone: "America/Atlantida" no es una zona horaria IANA conocida');
    expect(badZone.stdout).toBe('');

    const badMail = await cli(['create', '--name', name, '--admin-email', 'sin-arroba']);
    expect(badMail.code).toBe(1);
    expect(badMail.stderr).toContain('--admin-email: Introduzca una dirección de correo electrónico válida.');
    expect(await tenantsNamed(name)).toEqual([]);

    const existing = uniq('Clínica Única ');
    expect((await cli(['create', '--name', existing])).code).toBe(0);
    const dup = await cli(['create', '--name', existing.toUpperCase()]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('--name: Ya existe una clínica con este nombre.');

    // Against a given database, the code's key must be the stage's: no JWT_SECRET, no administrator.
    const noSecret = await cli(['create', '--name', name, '--admin-email', `${uniq('x')}@test.reflexo.pe`], { JWT_SECRET: undefined });
    expect(noSecret.code).toBe(1);
    expect(noSecret.stderr).toContain('JWT_SECRET is not set');
    expect(await tenantsNamed(name)).toEqual([]);

    for (const [args, message] of [
      [['create'], 'create needs --name'],
      [['rename', '7'], 'unknown command "rename"'],
      [['create', '--name', name, '--colour', 'blue'], "Unknown option '--colour'"],
      [['deactivate', 'abc'], 'deactivate takes one clinic id'],
    ] as const) {
      const run = await cli([...args]);
      expect({ args, code: run.code }).toEqual({ args, code: 1 });
      expect(run.stderr).toContain(message);
      expect(run.stderr).toContain('usage:');
    }
    expect(await tenantsNamed(name)).toEqual([]);
  });
});
