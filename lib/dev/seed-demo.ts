import type { Kysely } from 'kysely';
import { hashPassword } from '../auth/passwords';
import { seedDemoClinic } from './seed-demo-clinic';

/*
 * The demo tenant for local use (never seeded in a deployed stage). Credentials are fixed so scripts
 * can rely on them; DEMO_PASSWORD overrides the password. Idempotent: running it twice changes nothing.
 */
export const DEMO = {
  tenant: 'Reflexo Demo',
  superuser: process.env.DEMO_SUPERUSER_EMAIL ?? 'admin@demo.reflexo.pe',
  admin: process.env.DEMO_ADMIN_EMAIL ?? 'clinica@demo.reflexo.pe',
  password: process.env.DEMO_PASSWORD ?? 'Reflexo#2026',
};

export async function seedDemo(db: Kysely<any>, log: (s: string) => void = () => {}): Promise<{ tenantId: number }> {
  if (['dev', 'staging', 'prod'].includes(process.env.STAGE ?? '')) throw new Error('the demo seed never runs in a deployed stage');
  let tenant = await db.selectFrom('tenants').select('id').where('name', '=', DEMO.tenant).executeTakeFirst();
  if (!tenant) tenant = await db.insertInto('tenants').values({ name: DEMO.tenant }).returning('id').executeTakeFirstOrThrow();
  const tenantId = tenant.id as number;
  // The clinic-administrator role exists from migration 0012, found by its fixed code.
  const role = await db.selectFrom('roles').select('id').where('code', '=', 'admin').executeTakeFirstOrThrow();
  const hash = await hashPassword(DEMO.password);
  const users = [
    { email: DEMO.superuser, user_name: 'admin', name: 'Super', paternal_lastname: 'Admin', reflexo_id: null, is_superuser: true, is_staff: true, role_id: role.id },
    { email: DEMO.admin, user_name: 'clinica', name: 'Clínica', paternal_lastname: 'Demo', reflexo_id: tenantId, is_superuser: false, is_staff: true, role_id: role.id },
  ];
  for (const u of users) {
    await db
      .insertInto('users')
      .values({ ...u, password_hash: hash, document_number: null, email_verified_at: new Date() })
      .onConflict((oc) => oc.column('email').doNothing())
      .execute();
    // The v1 login takes a user name: databases seeded before it had one get it now (if nobody else holds it).
    await db
      .updateTable('users')
      .set({ user_name: u.user_name })
      .where('email', '=', u.email)
      .where('user_name', 'like', 'demo\\_%')
      .where((eb) => eb.not(eb.exists(eb.selectFrom('users as o').select('o.id').where('o.user_name', '=', u.user_name))))
      .execute();
  }
  log(`  ✔ demo tenant "${DEMO.tenant}" (id ${tenantId}), users ${DEMO.superuser}, ${DEMO.admin}`);
  await seedDemoClinic(db, tenantId, log);
  return { tenantId };
}
