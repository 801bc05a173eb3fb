import { sql } from 'kysely';
import { createTenant, ownerKysely } from '../helpers/fixtures';

/*
 * The trigger-kept live counts (migration 0010) always equal count(*) of live rows, through inserts
 * (single and multi-row), soft delete, restore, moves between clinics and hard deletes.
 */
async function counts(tenantIds: number[]) {
  const db = ownerKysely();
  const kept = await db.selectFrom('tenant_live_counts').select(['reflexo_id', 'live']).where('entity', '=', 'patients').where('reflexo_id', 'in', tenantIds).execute();
  const real = await db
    .selectFrom('patients')
    .select(['reflexo_id', sql<number>`count(*)::int`.as('n')])
    .where('deleted_at', 'is', null)
    .where('reflexo_id', 'in', tenantIds)
    .groupBy('reflexo_id')
    .execute();
  const asMap = (rows: { reflexo_id: number; n: number }[]) => Object.fromEntries(tenantIds.map((t) => [t, Number(rows.find((r) => r.reflexo_id === t)?.n ?? 0)]));
  return { kept: asMap(kept.map((k) => ({ reflexo_id: k.reflexo_id, n: Number(k.live) }))), real: asMap(real) };
}

it('live counts follow every kind of write', async () => {
  const a = await createTenant();
  const b = await createTenant();
  const db = ownerKysely();
  const patient = (reflexoId: number, i: number) => ({
    reflexo_id: reflexoId,
    document_number: `7${String(Date.now()).slice(-5)}${i}`.slice(0, 8) + i,
    name: `Paciente ${i}`,
    paternal_lastname: 'Prueba',
  });
  const expectInSync = async () => {
    const c = await counts([a.id, b.id]);
    expect(c.kept).toEqual(c.real);
    return c.real;
  };
  const ids = (await db.insertInto('patients').values([1, 2, 3, 4, 5].map((i) => patient(a.id, i))).returning('id').execute()).map((r) => r.id as number);
  await db.insertInto('patients').values(patient(b.id, 9)).execute();
  expect(await expectInSync()).toEqual({ [a.id]: 5, [b.id]: 1 });

  await db.updateTable('patients').set({ deleted_at: new Date() }).where('id', 'in', ids.slice(0, 2)).execute();
  expect(await expectInSync()).toEqual({ [a.id]: 3, [b.id]: 1 });

  await db.updateTable('patients').set({ deleted_at: null }).where('id', '=', ids[0]).execute();
  await db.updateTable('patients').set({ name: 'Renombrado' }).where('id', '=', ids[2]).execute();
  expect(await expectInSync()).toEqual({ [a.id]: 4, [b.id]: 1 });

  await db.updateTable('patients').set({ reflexo_id: b.id }).where('id', '=', ids[3]).execute();
  expect(await expectInSync()).toEqual({ [a.id]: 3, [b.id]: 2 });

  await db.deleteFrom('patients').where('id', 'in', [ids[1], ids[4]]).execute(); // one soft-deleted, one live
  expect(await expectInSync()).toEqual({ [a.id]: 2, [b.id]: 2 });
});
