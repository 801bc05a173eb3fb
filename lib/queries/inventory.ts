import { sql, type Updateable } from 'kysely';
import type { Db } from '../db/tenant';
import type { MovementKind, ProductsTable, SuppliersTable } from '../db/tables/money';
import { dayEnd, dayStart } from './ledger';
import { paginate } from './paginate';

/*
 * Products, stock movements and suppliers (migration 0023). A product's stock is written only by the
 * movement trigger (under the product's row lock, never below zero); here it is only read.
 */

export interface ProductFilter {
  reflexoId: number;
  id?: number;
  lowStock?: boolean;
  active?: boolean;
  category?: string;
  search?: string;
}

export function productQuery(db: Db, f: ProductFilter) {
  let q = db
    .selectFrom('products as p')
    .leftJoin('suppliers as s', 's.id', 'p.supplier_id')
    .select([
      'p.id',
      'p.reflexo_id',
      'p.name',
      'p.sku',
      'p.category',
      'p.unit',
      'p.sale_price',
      'p.cost',
      'p.stock',
      'p.min_stock',
      sql<boolean>`p.stock <= p.min_stock`.as('low_stock'),
      'p.supplier_id',
      's.name as supplier_name',
      'p.is_active',
      'p.created_at',
      'p.updated_at',
    ])
    .where('p.reflexo_id', '=', f.reflexoId)
    .where('p.deleted_at', 'is', null);
  if (f.id !== undefined) q = q.where('p.id', '=', f.id);
  if (f.lowStock) q = q.where(sql<boolean>`p.stock <= p.min_stock`).where('p.is_active', '=', true);
  if (f.active !== undefined) q = q.where('p.is_active', '=', f.active);
  if (f.category) q = q.where(sql<boolean>`lower(p.category) = lower(${f.category})`);
  if (f.search) {
    const like = `%${f.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where(sql<boolean>`(p.name ILIKE ${like} OR p.sku ILIKE ${like})`);
  }
  return q.orderBy('p.name').orderBy('p.id');
}

export type ProductRow = Awaited<ReturnType<ReturnType<typeof productQuery>['executeTakeFirstOrThrow']>>;

export const productPage = (db: Db, f: ProductFilter, page: number, size: number) => paginate(productQuery(db, f), page, size);
export const findProduct = (db: Db, reflexoId: number, id: number) => productQuery(db, { reflexoId, id }).executeTakeFirst();

export function insertProduct(
  db: Db,
  v: { reflexo_id: number; name: string; sku: string | null; category: string | null; unit?: string; sale_price: string | null; cost: string | null; min_stock: string; supplier_id: number | null; is_active?: boolean },
) {
  return db.insertInto('products').values(v).returning('id').executeTakeFirstOrThrow();
}

export function updateProduct(db: Db, reflexoId: number, id: number, v: Updateable<ProductsTable>) {
  return db.updateTable('products').set(v).where('id', '=', id).where('reflexo_id', '=', reflexoId).where('deleted_at', 'is', null).executeTakeFirst();
}

/** The stock change happens in PostgreSQL (trigger stock_movements_apply), under the product's row lock. */
export function insertMovement(
  db: Db,
  v: { reflexo_id: number; product_id: number; kind: MovementKind; quantity: string; reason: string | null; supplier_id: number | null; unit_cost: string | null; user_id: number | null },
) {
  return db.insertInto('stock_movements').values(v).returning('id').executeTakeFirstOrThrow();
}

export interface MovementFilter {
  reflexoId: number;
  timeZone: string;
  id?: number;
  productId?: number;
  kind?: MovementKind;
  fromDay?: string;
  toDay?: string;
}

export function movementQuery(db: Db, f: MovementFilter) {
  let q = db
    .selectFrom('stock_movements as m')
    .innerJoin('products as p', 'p.id', 'm.product_id')
    .leftJoin('suppliers as s', 's.id', 'm.supplier_id')
    .leftJoin('users as u', 'u.id', 'm.user_id')
    .select([
      'm.id',
      'm.product_id',
      'p.name as product_name',
      'p.sku as product_sku',
      'm.kind',
      'm.quantity',
      'm.delta',
      'm.stock_after',
      'm.reason',
      'm.supplier_id',
      's.name as supplier_name',
      'm.unit_cost',
      'm.user_id',
      sql<string | null>`nullif(concat_ws(' ', u.name, u.paternal_lastname), '')`.as('user_name'),
      'u.email as user_email',
      'm.created_at',
    ])
    .where('m.reflexo_id', '=', f.reflexoId);
  if (f.id !== undefined) q = q.where('m.id', '=', f.id);
  if (f.productId !== undefined) q = q.where('m.product_id', '=', f.productId);
  if (f.kind) q = q.where('m.kind', '=', f.kind);
  if (f.fromDay) q = q.where('m.created_at', '>=', dayStart(f.fromDay, f.timeZone));
  if (f.toDay) q = q.where('m.created_at', '<', dayEnd(f.toDay, f.timeZone));
  return q.orderBy('m.created_at', 'desc').orderBy('m.id', 'desc');
}

export type MovementRow = Awaited<ReturnType<ReturnType<typeof movementQuery>['executeTakeFirstOrThrow']>>;

export const movementPage = (db: Db, f: MovementFilter, page: number, size: number) => paginate(movementQuery(db, f), page, size);
export const findMovement = (db: Db, f: MovementFilter & { id: number }) => movementQuery(db, f).executeTakeFirst();

// ---- suppliers ------------------------------------------------------------------------------------

const supplierCols = ['id', 'reflexo_id', 'name', 'ruc', 'contact', 'phone', 'email', 'is_active', 'created_at', 'updated_at'] as const;

export function supplierPage(db: Db, reflexoId: number, search: string | undefined, page: number, size: number) {
  let q = db.selectFrom('suppliers').select(supplierCols).where('reflexo_id', '=', reflexoId);
  if (search) {
    const like = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where(sql<boolean>`(name ILIKE ${like} OR ruc LIKE ${like})`);
  }
  return paginate(q.orderBy('name').orderBy('id'), page, size);
}

export type SupplierRow = Awaited<ReturnType<typeof supplierPage>>['rows'][number];

export function insertSupplier(db: Db, v: Omit<Updateable<SuppliersTable>, 'id' | 'created_at' | 'updated_at'> & { reflexo_id: number; name: string }) {
  return db.insertInto('suppliers').values(v).returning(supplierCols).executeTakeFirstOrThrow();
}

export const supplierOfClinic = (db: Db, reflexoId: number, id: number) => db.selectFrom('suppliers').select(['id', 'name']).where('id', '=', id).where('reflexo_id', '=', reflexoId).executeTakeFirst();
