import { z } from 'zod';
import { createProduct, editProduct, getProduct, listMovements, listProducts, recordMovement, removeProduct, type MovementRecord, type ProductRecord } from '../../lib/domain/inventory';
import { createHandler } from '../../lib/http/app';
import { reply, route, type AnyRoute } from '../../lib/http/route';
import { isoUtc } from '../../lib/time';
import { amount, decimal, isoDate, nullableAmount, pathId } from './money-shapes';
import { supplierRoutes } from './suppliers';
import { defineV1Group, listRoute, refId } from './surface';

/*
 * v1 inventory: products, their stock movements, and suppliers (functions/v1/suppliers.ts). The stock
 * is the sum of the movements, applied by PostgreSQL under the product's row lock and never below
 * zero: a salida larger than the stock is a 409. `stock_actual` on a create is the initial entrada,
 * on a PUT an ajuste to that level; both appear in the movements.
 */
const P = '/api/v1/products';
const KINDS = ['entrada', 'salida', 'ajuste'] as const;

const Ref = z.object({ id: z.number().int(), nombre: z.string() });
const ProveedorRef = Ref.meta({ id: 'ProveedorResumen' });

const Producto = z
  .object({
    id: z.number().int(),
    nombre: z.string(),
    sku: z.string().nullable(),
    categoria: z.string().nullable(),
    unidad: z.string(),
    precio_venta: z.number().nullable(),
    costo: z.number().nullable(),
    stock_actual: z.number(),
    stock_minimo: z.number(),
    bajo_stock: z.boolean().meta({ description: 'stock_actual ≤ stock_minimo' }),
    proveedor: ProveedorRef.nullable(),
    activo: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Producto' });

const toProducto = (p: ProductRecord) => ({
  id: p.id,
  nombre: p.name,
  sku: p.sku,
  categoria: p.category,
  unidad: p.unit,
  precio_venta: nullableAmount(p.sale_price),
  costo: nullableAmount(p.cost),
  stock_actual: amount(p.stock),
  stock_minimo: amount(p.min_stock),
  bajo_stock: p.low_stock,
  proveedor: p.supplier_id === null ? null : { id: p.supplier_id, nombre: p.supplier_name ?? '' },
  activo: p.is_active,
  created_at: isoUtc(new Date(p.created_at)),
  updated_at: isoUtc(new Date(p.updated_at)),
});

const Movimiento = z
  .object({
    id: z.number().int(),
    producto: z.object({ id: z.number().int(), nombre: z.string(), sku: z.string().nullable() }),
    tipo: z.enum(KINDS),
    cantidad: z.number().meta({ description: 'entrada/salida: cuánto; ajuste: el stock contado' }),
    variacion: z.number().meta({ description: 'Cambio de stock que produjo (negativo en salidas)' }),
    stock_resultante: z.number(),
    motivo: z.string().nullable(),
    proveedor: ProveedorRef.nullable(),
    costo_unitario: z.number().nullable(),
    usuario: z.object({ id: z.number().int(), nombre: z.string() }).nullable(),
    fecha: z.string(),
  })
  .meta({ id: 'MovimientoInventario' });

const toMovimiento = (m: MovementRecord) => ({
  id: m.id,
  producto: { id: m.product_id, nombre: m.product_name, sku: m.product_sku },
  tipo: m.kind,
  cantidad: amount(m.quantity),
  variacion: amount(m.delta),
  stock_resultante: amount(m.stock_after),
  motivo: m.reason,
  proveedor: m.supplier_id === null ? null : { id: m.supplier_id, nombre: m.supplier_name ?? '' },
  costo_unitario: nullableAmount(m.unit_cost),
  usuario: m.user_id === null ? null : { id: m.user_id, nombre: m.user_name ?? m.user_email ?? '' },
  fecha: isoUtc(new Date(m.created_at)),
});

const productFields = {
  nombre: z.string().trim().min(1).max(150),
  sku: z.string().trim().min(1).max(60).nullable().meta({ description: 'Único en la clínica (sin distinguir mayúsculas)' }),
  categoria: z.string().trim().max(100).nullable(),
  unidad: z.string().trim().min(1).max(30).meta({ description: 'unidad, caja, frasco, ml… (por defecto: unidad)' }),
  precio_venta: decimal({ what: 'Precio' }).nullable(),
  costo: decimal({ what: 'Costo' }).nullable(),
  stock_actual: decimal({ what: 'Stock' }),
  stock_minimo: decimal({ what: 'Stock mínimo' }),
  proveedor_id: refId.nullable(),
  proveedor: refId.nullable().meta({ description: 'Alternativa a proveedor_id: {"id": n}' }),
  activo: z.boolean(),
};
const CreateBody = z.object(productFields).partial().required({ nombre: true });
const UpdateBody = z.object(productFields).partial();
const supplierOf = (b: { proveedor_id?: number | null; proveedor?: number | null }) => (b.proveedor_id !== undefined ? b.proveedor_id : b.proveedor);
const productInput = (b: z.output<typeof UpdateBody>) => ({
  name: b.nombre,
  sku: b.sku,
  category: b.categoria,
  unit: b.unidad,
  salePrice: b.precio_venta,
  cost: b.costo,
  stock: b.stock_actual,
  minStock: b.stock_minimo,
  supplierId: supplierOf(b),
  active: b.activo,
});

const MovementBody = z.object({
  tipo: z.enum(KINDS),
  cantidad: decimal({ what: 'Cantidad' }).meta({ description: 'entrada/salida: cuánto (> 0); ajuste: el stock contado (≥ 0)' }),
  motivo: z.string().trim().max(255).nullable().optional(),
  proveedor_id: refId.nullable().optional(),
  proveedor: refId.nullable().optional(),
  costo_unitario: decimal({ what: 'Costo' }).nullable().optional(),
});

const productParams = z.object({ product_id: pathId });
const notFound = { 404: { description: 'Producto no encontrado (o de otra clínica)' } };
const queryId = z.string().regex(/^\d{1,9}$/, 'Input should be a valid integer').transform(Number);
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const movementFilters = { tipo: z.enum(KINDS).optional(), start_date: isoDate.optional(), end_date: isoDate.optional() };

const routes: AnyRoute[] = [
  listRoute({
    path: P,
    summary: 'Listar productos (por nombre); filtros ?search= (nombre o SKU), ?categoria=, ?activo=',
    query: { search: z.string().trim().max(100).optional(), categoria: z.string().trim().max(100).optional(), activo: bool.optional() },
    item: Producto,
    load: ({ db, actor, query }) =>
      listProducts(db, actor, { search: query.search as string | undefined, category: query.categoria as string | undefined, active: query.activo as boolean | undefined }, query.page, query.size),
    present: toProducto,
  }),
  route({
    method: 'POST',
    path: P,
    access: 'user',
    summary: 'Crear un producto (stock_actual: la entrada inicial)',
    body: CreateBody,
    status: 201,
    response: Producto,
    responses: { 409: { description: 'SKU ya usado en la clínica' } },
    handler: async ({ db, actor, body }) => reply(201, toProducto(await createProduct(db, actor, { ...productInput(body), name: body.nombre }))),
  }),
  listRoute({
    path: `${P}/low-stock`,
    summary: 'Productos activos con stock ≤ stock mínimo',
    item: Producto,
    load: ({ db, actor, query }) => listProducts(db, actor, { lowStock: true }, query.page, query.size),
    present: toProducto,
  }),
  listRoute({
    path: `${P}/movements`,
    summary: 'Movimientos de inventario de la clínica (los más recientes primero); filtros ?producto_id=, ?tipo=, ?start_date=&end_date= (días de la clínica)',
    query: { producto_id: queryId.optional(), ...movementFilters },
    item: Movimiento,
    responses: { 404: { description: 'producto_id de un producto que no existe en la clínica' } },
    load: ({ db, actor, query }) =>
      listMovements(db, actor, { productId: query.producto_id as number | undefined, kind: query.tipo as MovementRecord['kind'] | undefined, fromDay: query.start_date as string | undefined, toDay: query.end_date as string | undefined }, query.page, query.size),
    present: toMovimiento,
  }),
  route({
    method: 'GET',
    path: `${P}/{product_id}`,
    access: 'user',
    summary: 'Un producto',
    params: productParams,
    entity: 'products',
    response: Producto,
    responses: notFound,
    handler: async ({ db, actor, params }) => toProducto(await getProduct(db, actor, params.product_id)),
  }),
  route({
    method: 'PUT',
    path: `${P}/{product_id}`,
    access: 'user',
    summary: 'Modificar un producto (solo los campos enviados; stock_actual registra un ajuste a ese nivel)',
    params: productParams,
    entity: 'products',
    body: UpdateBody,
    response: Producto,
    responses: { ...notFound, 409: { description: 'SKU ya usado en la clínica' } },
    handler: async ({ db, actor, params, body }) => toProducto(await editProduct(db, actor, params.product_id, productInput(body))),
  }),
  route({
    method: 'DELETE',
    path: `${P}/{product_id}`,
    access: 'user',
    summary: 'Eliminar (borrado lógico) un producto; sus movimientos quedan',
    params: productParams,
    entity: 'products',
    status: 204,
    responses: { 204: { description: 'Eliminado' }, ...notFound },
    handler: async ({ db, actor, params }) => {
      await removeProduct(db, actor, params.product_id);
      return reply(204);
    },
  }),
  route({
    method: 'POST',
    path: `${P}/{product_id}/movements`,
    access: 'user',
    summary: 'Registrar un movimiento: entrada, salida (409 si deja el stock bajo cero) o ajuste (el stock contado)',
    params: productParams,
    entity: 'products',
    body: MovementBody,
    status: 201,
    response: Movimiento,
    responses: { ...notFound, 409: { description: 'Stock insuficiente' } },
    handler: async ({ db, actor, params, body }) =>
      reply(
        201,
        toMovimiento(await recordMovement(db, actor, params.product_id, { kind: body.tipo, quantity: body.cantidad, reason: body.motivo, supplierId: supplierOf(body), unitCost: body.costo_unitario })),
      ),
  }),
  listRoute({
    path: `${P}/{product_id}/movements`,
    summary: 'Movimientos de un producto (los más recientes primero)',
    params: productParams,
    entity: 'products',
    query: movementFilters,
    item: Movimiento,
    responses: notFound,
    load: ({ db, actor, params, query }) =>
      listMovements(db, actor, { productId: params.product_id, kind: query.tipo as MovementRecord['kind'] | undefined, fromDay: query.start_date as string | undefined, toDay: query.end_date as string | undefined }, query.page, query.size),
    present: toMovimiento,
  }),
];

export const group = defineV1Group({
  name: 'v1-products',
  prefixes: [P, '/api/v1/suppliers'],
  tag: 'v1 · Inventario',
  tenantScoped: true,
  routes: [...routes, ...supplierRoutes],
});

export const handler = createHandler(group);
