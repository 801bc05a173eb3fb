import { PLATFORM_PERMISSION } from '../../lib/auth/actor';
import { createUser, ownerKysely, tenantWithAdmin, type TestUser } from './fixtures';

/*
 * The callers the shared-rows rule tells apart: platform staff (the permission, no clinic) and a
 * superuser may write rows every clinic shares; a clinic's user, a clinic's Admin and a
 * self-registered user (no clinic, no role) may not.
 */
export async function platformStaff(): Promise<TestUser> {
  const u = await createUser({ staff: true });
  await ownerKysely().updateTable('users').set({ permissions: [PLATFORM_PERMISSION] }).where('id', '=', u.id).execute();
  return u;
}

export async function sharedRowsCallers(): Promise<{ platform: TestUser; superuser: TestUser; refused: [string, TestUser][] }> {
  const { tenant, admin } = await tenantWithAdmin();
  return {
    platform: await platformStaff(),
    superuser: await createUser({ superuser: true }),
    refused: [
      ['a clinic user', await createUser({ reflexoId: tenant.id })],
      ['a clinic Admin', admin],
      ['a self-registered user', await createUser()],
    ],
  };
}

/** DRF's permission body, the one the contract shows for a 403. */
export const DRF_DENIED = { detail: 'You do not have permission to perform this action.' };
