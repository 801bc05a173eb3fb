import { sql } from 'kysely';
import { ANONYMOUS, withTenant } from '../../lib/db/tenant';
import { createTenant } from '../helpers/fixtures';
import { insertPatient } from '../helpers/clinical-fixtures';

/*
 * patient_search() runs as its owner so that the trigram index can be used under RLS; it must
 * apply the tenant wall itself. Called as the API role, with each tenant context.
 */
describe('patient_search() keeps the tenant wall', () => {
  let a: number, b: number, pa: number;
  beforeAll(async () => {
    a = (await createTenant()).id;
    b = (await createTenant()).id;
    pa = (await insertPatient(a, { name: 'Zacarías', paternal_lastname: 'Wallberg' })).id;
  });
  const search = (scope: Parameters<typeof withTenant>[0], tenantArg: number | null) =>
    withTenant(scope, async (db) => (await sql<{ id: number | null; total: number }>`SELECT id, total FROM patient_search(${tenantArg}::int, ${['wallberg']}::text[], 10, 0)`.execute(db)).rows);

  it('finds the row for its own clinic and for a global administrator', async () => {
    expect(await search({ reflexoId: a, global: false, userId: null }, a)).toEqual([{ id: pa, total: 1 }]);
    expect(await search({ reflexoId: null, global: true, userId: null }, null)).toContainEqual({ id: pa, total: expect.any(Number) });
  });

  it('another clinic, or no tenant context, sees nothing even when naming clinic A', async () => {
    expect(await search({ reflexoId: b, global: false, userId: null }, a)).toEqual([{ id: null, total: 0 }]);
    expect(await search({ reflexoId: b, global: false, userId: null }, null)).toEqual([{ id: null, total: 0 }]);
    expect(await search(ANONYMOUS, a)).toEqual([{ id: null, total: 0 }]);
  });
});
