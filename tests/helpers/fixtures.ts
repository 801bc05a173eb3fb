import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { signToken } from '../../lib/auth/tokens';
import { hashPassword } from '../../lib/auth/passwords';
import { ownerDb } from '../../lib/db/migrate';

/*
 * Test data is written through the owner connection (no RLS), each test creating its own tenant with
 * unique names, so tests never depend on or truncate each other's rows.
 */
let owner: Kysely<any> | undefined;
export const ownerKysely = (): Kysely<any> => (owner ??= ownerDb(process.env.TEST_OWNER_URL!));
export async function closeOwner(): Promise<void> {
  const o = owner;
  owner = undefined;
  if (o) await o.destroy();
}

export const uniq = (prefix = 'x') => `${prefix}${randomUUID().slice(0, 8)}`;

export async function createTenant(name = uniq('Clínica ')): Promise<{ id: number; name: string }> {
  const row = await ownerKysely().insertInto('tenants').values({ name }).returning(['id', 'name']).executeTakeFirstOrThrow();
  return row as { id: number; name: string };
}

export async function ensureRole(name: string): Promise<number> {
  // The clinic-administrator role is found by its fixed code (migration 0012), whatever it is called now.
  if (name === 'Admin') return (await ownerKysely().selectFrom('roles').select('id').where('code', '=', 'admin').executeTakeFirstOrThrow()).id as number;
  await ownerKysely().insertInto('roles').values({ name }).onConflict((oc) => oc.column('name').doNothing()).execute();
  const r = await ownerKysely().selectFrom('roles').select('id').where('name', '=', name).executeTakeFirstOrThrow();
  return r.id as number;
}

export interface TestUser {
  id: number;
  email: string;
  password: string;
  reflexoId: number | null;
  token: string;
  refresh: string;
}

export async function createUser(opts: { reflexoId?: number | null; superuser?: boolean; staff?: boolean; role?: string; password?: string; email?: string } = {}): Promise<TestUser> {
  const password = opts.password ?? 'Clave#Segura2026';
  const email = opts.email ?? `${uniq('u')}@test.reflexo.pe`;
  const roleId = opts.role ? await ensureRole(opts.role) : null;
  const row = await ownerKysely()
    .insertInto('users')
    .values({
      email,
      user_name: email.split('@')[0],
      name: 'Test',
      paternal_lastname: 'Usuario',
      maternal_lastname: 'Prueba',
      password_hash: await hashPassword(password),
      reflexo_id: opts.reflexoId ?? null,
      is_superuser: opts.superuser ?? false,
      is_staff: opts.staff ?? false,
      role_id: roleId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const subject = { id: row.id as number, reflexoId: opts.reflexoId ?? null, isSuperuser: opts.superuser ?? false };
  const access = await signToken('access', subject);
  const refresh = await signToken('refresh', subject, randomUUID());
  return { id: subject.id, email, password, reflexoId: subject.reflexoId, token: access.token, refresh: refresh.token };
}

/** A tenant with an admin: what most tests start from. */
export async function tenantWithAdmin() {
  const tenant = await createTenant();
  const admin = await createUser({ reflexoId: tenant.id, role: 'Admin', staff: true });
  return { tenant, admin };
}
