import type { Actor } from '../auth/actor';
import type { Db } from '../db/tenant';
import type { MovementKind } from '../db/tables/money';
import { Conflict, NotFound, ValidationError } from '../errors';
import {
  findMovement,
  findProduct,
  insertMovement,
  insertProduct,
  insertSupplier,
  movementPage,
  productPage,
  supplierOfClinic,
  supplierPage,
  updateProduct,
  type MovementFilter,
  type MovementRow,
  type ProductFilter,
  type ProductRow,
  type SupplierRow,
} from '../queries/inventory';
import { recordAudit } from './audit';
import { checkRange, clinicClock } from './ledger';
import { tenantForWrite } from './tenancy';

/*
 * Inventory (v1 products, movements, suppliers). A product's stock is the sum of its movements and
 * PostgreSQL keeps it so: each movement is applied by a trigger under the product's row lock and the
 * stock can never go below zero (CHECK), so 50 simultaneous salidas against a stock of 10 leave
 * exactly 0 and the other 40 get 409. `ajuste` records the stock counted (the new level); the
 * movement keeps the difference. Movements are history: they are never edited or deleted.
 */
export type ProductRecord = ProductRow;
export type MovementRecord = MovementRow;
export type SupplierRecord = SupplierRow;
export type { MovementKind };

const notFound = () => new NotFound('Producto no encontrado.');

/** A pg error raised by a named constraint (the domain maps the ones it expects). */
const violated = (err: unknown, constraint: string) => (err as { constraint?: string })?.constraint === constraint;

export async function listProducts(db: Db, actor: Actor | null, f: Omit<ProductFilter, 'reflexoId'>, page: number, size: number) {
  return productPage(db, { ...f, reflexoId: tenantForWrite(actor) }, page, size);
}

export async function getProduct(db: Db, actor: Actor | null, id: number): Promise<ProductRecord> {
  const p = await findProduct(db, tenantForWrite(actor), id);
  if (!p) throw notFound();
  return p;
}

async function checkSupplier(db: Db, reflexoId: number, id: number | null | undefined, field = 'proveedor_id') {
  if (id != null && !(await supplierOfClinic(db, reflexoId, id))) throw ValidationError.field(field, 'El proveedor no existe en esta clínica', 'not_found', id);
}

export interface ProductInput {
  name: string;
  sku?: string | null;
  category?: string | null;
  unit?: string;
  salePrice?: string | null;
  cost?: string | null;
  /** Initial stock: recorded as an `entrada` ("Stock inicial"), never written on the product itself. */
  stock?: string;
  minStock?: string;
  supplierId?: number | null;
  active?: boolean;
}

const skuTaken = (sku: string | null | undefined) => new Conflict(`Ya existe un producto con el SKU "${sku}" en la clínica.`, { code: 'sku_taken', fields: { sku: ['Ya existe un producto con ese SKU.'] } });

async function move(db: Db, actor: Actor | null, reflexoId: number, productId: number, v: MovementInput): Promise<number> {
  try {
    const { id } = await insertMovement(db, {
      reflexo_id: reflexoId,
      product_id: productId,
      kind: v.kind,
      quantity: v.quantity,
      reason: v.reason ?? null,
      supplier_id: v.supplierId ?? null,
      unit_cost: v.unitCost ?? null,
      user_id: actor?.userId ?? null,
    });
    return id;
  } catch (err) {
    if (violated(err, 'products_stock_not_negative')) throw new Conflict('Stock insuficiente: la salida dejaría el stock por debajo de cero.', { code: 'insufficient_stock' });
    throw err;
  }
}

export async function createProduct(db: Db, actor: Actor | null, v: ProductInput): Promise<ProductRecord> {
  const reflexoId = tenantForWrite(actor);
  await checkSupplier(db, reflexoId, v.supplierId);
  let id: number;
  try {
    ({ id } = await insertProduct(db, {
      reflexo_id: reflexoId,
      name: v.name,
      sku: v.sku ?? null,
      category: v.category ?? null,
      unit: v.unit,
      sale_price: v.salePrice ?? null,
      cost: v.cost ?? null,
      min_stock: v.minStock ?? '0',
      supplier_id: v.supplierId ?? null,
      is_active: v.active,
    }));
  } catch (err) {
    if (violated(err, 'products_sku_uq')) throw skuTaken(v.sku);
    throw err;
  }
  if (v.stock !== undefined && /[1-9]/.test(v.stock)) await move(db, actor, reflexoId, id, { kind: 'entrada', quantity: v.stock, reason: 'Stock inicial', supplierId: v.supplierId });
  await recordAudit(db, { action: 'create', entity: 'products', entityId: id, reflexoId, changedFields: ['name', 'sku', 'stock'] });
  return (await findProduct(db, reflexoId, id))!;
}

/** PUT: the fields sent; a `stock` sent is an `ajuste` movement to that level (the history says so). */
export async function editProduct(db: Db, actor: Actor | null, id: number, v: Partial<ProductInput>): Promise<ProductRecord> {
  const reflexoId = tenantForWrite(actor);
  if (!(await findProduct(db, reflexoId, id))) throw notFound();
  await checkSupplier(db, reflexoId, v.supplierId);
  const set: Parameters<typeof updateProduct>[3] = {};
  if (v.name !== undefined) set.name = v.name;
  if (v.sku !== undefined) set.sku = v.sku;
  if (v.category !== undefined) set.category = v.category;
  if (v.unit !== undefined) set.unit = v.unit;
  if (v.salePrice !== undefined) set.sale_price = v.salePrice;
  if (v.cost !== undefined) set.cost = v.cost;
  if (v.minStock !== undefined) set.min_stock = v.minStock;
  if (v.supplierId !== undefined) set.supplier_id = v.supplierId;
  if (v.active !== undefined) set.is_active = v.active;
  try {
    if (Object.keys(set).length) await updateProduct(db, reflexoId, id, set);
  } catch (err) {
    if (violated(err, 'products_sku_uq')) throw skuTaken(v.sku);
    throw err;
  }
  if (v.stock !== undefined) await move(db, actor, reflexoId, id, { kind: 'ajuste', quantity: v.stock, reason: 'Ajuste al editar el producto' });
  await recordAudit(db, { action: 'update', entity: 'products', entityId: id, reflexoId, changedFields: [...Object.keys(set), ...(v.stock !== undefined ? ['stock'] : [])] });
  return (await findProduct(db, reflexoId, id))!;
}

/** Soft delete: the product leaves the lists (its SKU can be reused); its movements stay. */
export async function removeProduct(db: Db, actor: Actor | null, id: number): Promise<void> {
  const reflexoId = tenantForWrite(actor);
  const r = await updateProduct(db, reflexoId, id, { deleted_at: new Date(), is_active: false });
  if (!r.numUpdatedRows) throw notFound();
  await recordAudit(db, { action: 'delete', entity: 'products', entityId: id, reflexoId, changedFields: ['deleted_at'] });
}

// ---- movements ----------------------------------------------------------------------------------------

export interface MovementInput {
  kind: MovementKind;
  /** entrada/salida: how much (> 0); ajuste: the stock counted (≥ 0). */
  quantity: string;
  reason?: string | null;
  supplierId?: number | null;
  unitCost?: string | null;
}

export async function recordMovement(db: Db, actor: Actor | null, productId: number, v: MovementInput): Promise<MovementRecord> {
  const clock = await clinicClock(db, actor);
  if (!(await findProduct(db, clock.reflexoId, productId))) throw notFound();
  if (v.kind !== 'ajuste' && !/[1-9]/.test(v.quantity)) throw ValidationError.field('cantidad', 'La cantidad de una entrada o salida debe ser mayor que 0', 'value_error', v.quantity);
  await checkSupplier(db, clock.reflexoId, v.supplierId);
  const id = await move(db, actor, clock.reflexoId, productId, v);
  await recordAudit(db, { action: 'stock_movement', entity: 'products', entityId: productId, reflexoId: clock.reflexoId, changedFields: ['stock'] });
  return (await findMovement(db, { reflexoId: clock.reflexoId, timeZone: clock.timeZone, id }))!;
}

export async function listMovements(db: Db, actor: Actor | null, f: Omit<MovementFilter, 'reflexoId' | 'timeZone'>, page: number, size: number) {
  const clock = await clinicClock(db, actor);
  checkRange(f.fromDay, f.toDay);
  if (f.productId !== undefined && !(await findProduct(db, clock.reflexoId, f.productId))) throw notFound();
  return movementPage(db, { ...f, reflexoId: clock.reflexoId, timeZone: clock.timeZone }, page, size);
}

// ---- suppliers -----------------------------------------------------------------------------------------

/**
 * SUNAT's RUC: 11 digits, a taxpayer-type prefix (10 persons, 15/16/17 other persons, 20 companies)
 * and a modulo-11 check digit over the first ten with weights 5 4 3 2 7 6 5 4 3 2.
 */
export function isValidRuc(ruc: string): boolean {
  if (!/^(10|15|16|17|20)\d{9}$/.test(ruc)) return false;
  const weights = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  const sum = weights.reduce((s, w, i) => s + w * Number(ruc[i]), 0);
  const check = (11 - (sum % 11)) % 10;
  return check === Number(ruc[10]);
}

export const listSuppliers = (db: Db, actor: Actor | null, search: string | undefined, page: number, size: number) => supplierPage(db, tenantForWrite(actor), search, page, size);

export interface SupplierInput {
  name: string;
  ruc?: string | null;
  contact?: string | null;
  phone?: string | null;
  email?: string | null;
}

export async function createSupplier(db: Db, actor: Actor | null, v: SupplierInput): Promise<SupplierRecord> {
  const reflexoId = tenantForWrite(actor);
  if (v.ruc && !isValidRuc(v.ruc)) throw ValidationError.field('ruc', 'RUC inválido: 11 dígitos, prefijo 10, 15, 16, 17 o 20 y dígito verificador correcto', 'ruc', v.ruc);
  try {
    const row = await insertSupplier(db, { reflexo_id: reflexoId, name: v.name, ruc: v.ruc ?? null, contact: v.contact ?? null, phone: v.phone ?? null, email: v.email ?? null });
    await recordAudit(db, { action: 'create', entity: 'suppliers', entityId: row.id, reflexoId, changedFields: ['name', 'ruc'] });
    return row;
  } catch (err) {
    if (violated(err, 'suppliers_ruc_uq')) throw new Conflict(`Ya existe un proveedor con el RUC ${v.ruc} en la clínica.`, { code: 'ruc_taken', fields: { ruc: ['Ya existe un proveedor con ese RUC.'] } });
    throw err;
  }
}
