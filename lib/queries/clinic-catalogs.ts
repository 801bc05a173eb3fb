import { sql } from 'kysely';
import type { Db } from '../db/tenant';

/* Per-clinic catalogs (migration 0025) and treatments (predetermined prices with a duration). */
export type CatalogName = 'specialties' | 'sources' | 'insurers' | 'business_lines';

export const selectCatalogPage = async (db: Db, reflexoId: number, catalog: CatalogName, limit: number, offset: number) => {
  const rows = await db
    .selectFrom('clinic_catalog_entries')
    .select(['id', 'name', 'description', 'is_active', 'created_at', sql<number>`count(*) over ()`.as('total')])
    .where('reflexo_id', '=', reflexoId)
    .where('catalog', '=', catalog)
    .orderBy('name')
    .orderBy('id')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows;
};

export const countCatalog = async (db: Db, reflexoId: number, catalog: CatalogName) =>
  Number((await db.selectFrom('clinic_catalog_entries').select(sql<number>`count(*)`.as('n')).where('reflexo_id', '=', reflexoId).where('catalog', '=', catalog).executeTakeFirstOrThrow()).n);

export const insertCatalogEntry = (db: Db, values: { reflexo_id: number; catalog: CatalogName; name: string; description: string | null }) =>
  db.insertInto('clinic_catalog_entries').values(values).returning(['id', 'name', 'description', 'is_active', 'created_at']).executeTakeFirstOrThrow();

/**
 * Whether `value` is an entry of the clinic's catalog (case- and accent-insensitive), and whether the
 * catalog has any entry at all: an empty catalog accepts every value.
 */
export async function catalogAccepts(db: Db, reflexoId: number, catalog: CatalogName, value: string): Promise<{ empty: boolean; match: string | null }> {
  const { rows } = await sql<{ entries: number; match: string | null }>`
    SELECT count(*)::int AS entries,
           max(name) FILTER (WHERE translate(lower(btrim(name)), 'áéíóúäëïöüàèìòùâêîôûñç', 'aeiouaeiouaeiouaeiounc') = translate(lower(btrim(${value})), 'áéíóúäëïöüàèìòùâêîôûñç', 'aeiouaeiouaeiouaeiounc')) AS match
    FROM clinic_catalog_entries WHERE reflexo_id = ${reflexoId} AND catalog = ${catalog} AND is_active`.execute(db);
  return { empty: rows[0].entries === 0, match: rows[0].match };
}

const treatments = (db: Db, reflexoId: number) =>
  db
    .selectFrom('predetermined_prices as t')
    .leftJoin('clinic_catalog_entries as s', 's.id', 't.specialty_id')
    .select(['t.id', 't.name', 't.price', 't.duration_minutes', 't.specialty_id', 's.name as specialty_name', 't.created_at'])
    .where('t.reflexo_id', '=', reflexoId)
    .where('t.deleted_at', 'is', null);

export const selectTreatmentPage = (db: Db, reflexoId: number, limit: number, offset: number) =>
  treatments(db, reflexoId).select(sql<number>`count(*) over ()`.as('total')).orderBy('t.name').orderBy('t.id').limit(limit).offset(offset).execute();

export const selectTreatment = (db: Db, reflexoId: number, id: number) => treatments(db, reflexoId).where('t.id', '=', id).executeTakeFirstOrThrow();

export const countTreatments = async (db: Db, reflexoId: number) =>
  Number((await db.selectFrom('predetermined_prices').select(sql<number>`count(*)`.as('n')).where('reflexo_id', '=', reflexoId).where('deleted_at', 'is', null).executeTakeFirstOrThrow()).n);

export const specialtyOfClinic = (db: Db, reflexoId: number, id: number) =>
  db.selectFrom('clinic_catalog_entries').select(['id', 'name']).where('reflexo_id', '=', reflexoId).where('catalog', '=', 'specialties').where('id', '=', id).executeTakeFirst();

export const insertTreatment = (db: Db, values: { reflexo_id: number; name: string; price: string; duration_minutes: number | null; specialty_id: number | null }) =>
  db.insertInto('predetermined_prices').values(values).returning('id').executeTakeFirstOrThrow();
