/*
 * The concurrency test below sends 50 salidas at once: a pool of 20 simulates 20 Lambda containers,
 * each with its one connection (the suite's default pool of one would serialise the race away).
 */
process.env.DB_POOL_MAX = '20';

import { handler } from '../../functions/v1/products';
import { isValidRuc } from '../../lib/domain/inventory';
import { createUser, ownerKysely } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { moneyClinic, type MoneyClinic } from '../helpers/money-fixtures';
import { limaDate } from '../helpers/scheduling-fixtures';

/* v1 inventory: products, stock movements (stock derived from them, never negative), suppliers. */
const P = '/api/v1/products';
const S = '/api/v1/suppliers';

let k: MoneyClinic;
let other: MoneyClinic;
beforeAll(async () => {
  k = await moneyClinic();
  other = await moneyClinic();
});

let skuSeq = 0;
const sku = () => `SKU-${Date.now().toString(36)}-${skuSeq++}`;
const product = async (c: MoneyClinic, over: Record<string, unknown> = {}) => {
  const res = await call(handler, { method: 'POST', path: P, token: c.staff, json: { nombre: 'Gel conductor', sku: sku(), ...over } });
  if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
};
const move = (c: MoneyClinic, id: number, json: Record<string, unknown>) => call(handler, { method: 'POST', path: `${P}/${id}/movements`, token: c.staff, json });
const stockOf = async (id: number) => ((await ownerKysely().selectFrom('products').select('stock').where('id', '=', id).executeTakeFirstOrThrow()) as { stock: string }).stock;
const movementsOf = (id: number) => ownerKysely().selectFrom('stock_movements').selectAll().where('product_id', '=', id).orderBy('id').execute() as Promise<any[]>;

describe('suppliers', () => {
  it('checks Peru’s RUC: 11 digits, a taxpayer prefix and the modulo-11 check digit', () => {
    expect(isValidRuc('20131312955')).toBe(true); // SUNAT
    expect(isValidRuc('20100047218')).toBe(true);
    expect(isValidRuc('10467793549')).toBe(true);
    expect(isValidRuc('20131312954')).toBe(false);
    expect(isValidRuc('30131312955')).toBe(false);
    expect(isValidRuc('2013131295')).toBe(false);
  });

  it('creates and lists suppliers; a bad RUC is a 422, a RUC already in the clinic a 409 (another clinic may have it)', async () => {
    const c = await moneyClinic();
    const res = await call(handler, { method: 'POST', path: S, token: c.staff, json: { nombre: 'Droguería Lima', ruc: '20131312955', contacto: 'Rosa Quispe', telefono: '987654321', email: 'ventas@drogueria.pe' } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(Number), nombre: 'Droguería Lima', ruc: '20131312955', contacto: 'Rosa Quispe', telefono: '987654321', email: 'ventas@drogueria.pe', activo: true, created_at: expect.stringMatching(/Z$/) });
    const bad = await call(handler, { method: 'POST', path: S, token: c.staff, json: { nombre: 'X', ruc: '20131312954' } });
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0]).toMatchObject({ loc: ['body', 'ruc'], input: '20131312954' });
    expect((await call(handler, { method: 'POST', path: S, token: c.staff, json: { nombre: 'X', ruc: '2013131295' } })).status).toBe(422);
    const dup = await call(handler, { method: 'POST', path: S, token: c.staff, json: { nombre: 'Otra', ruc: '20131312955' } });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ detail: 'Ya existe un proveedor con el RUC 20131312955 en la clínica.' });
    expect((await call(handler, { method: 'POST', path: S, token: other.staff, json: { nombre: 'Misma', ruc: '20131312955' } })).status).toBe(201);
    const noRuc = await call(handler, { method: 'POST', path: S, token: c.staff, json: { nombre: 'Bodega del barrio' } });
    expect(noRuc.body.ruc).toBeNull();
    const list = await call(handler, { path: S, token: c.staff });
    expect(list.body.map((s: any) => s.nombre)).toEqual(['Bodega del barrio', 'Droguería Lima']);
    expect(list.headers['x-total-count']).toBe('2');
    expect((await call(handler, { path: S, token: c.staff, query: { search: 'drog' } })).body.map((s: any) => s.id)).toEqual([res.body.id]);
  });
});

describe('products', () => {
  it('creates a product in the v1 shape; stock_actual is the initial entrada, recorded as a movement by the user', async () => {
    const supplier = (await call(handler, { method: 'POST', path: S, token: k.staff, json: { nombre: 'Proveedor Gel' } })).body;
    const code = sku();
    const res = await call(handler, {
      method: 'POST',
      path: P,
      token: k.staff,
      json: { nombre: 'Gel conductor 250 ml', sku: code, categoria: 'Insumos', unidad: 'frasco', precio_venta: '25.50', costo: 12, stock_actual: 10, stock_minimo: 3, proveedor: { id: supplier.id } },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      nombre: 'Gel conductor 250 ml',
      sku: code,
      categoria: 'Insumos',
      unidad: 'frasco',
      precio_venta: 25.5,
      costo: 12,
      stock_actual: 10,
      stock_minimo: 3,
      bajo_stock: false,
      proveedor: { id: supplier.id, nombre: 'Proveedor Gel' },
      activo: true,
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
    expect(await stockOf(res.body.id)).toBe('10.00');
    const movements = await call(handler, { path: `${P}/${res.body.id}/movements`, token: k.staff });
    expect(movements.body).toEqual([
      {
        id: expect.any(Number),
        producto: { id: res.body.id, nombre: 'Gel conductor 250 ml', sku: code },
        tipo: 'entrada',
        cantidad: 10,
        variacion: 10,
        stock_resultante: 10,
        motivo: 'Stock inicial',
        proveedor: { id: supplier.id, nombre: 'Proveedor Gel' },
        costo_unitario: null,
        usuario: { id: expect.any(Number), nombre: 'Test Usuario' },
        fecha: expect.stringMatching(/Z$/),
      },
    ]);
    expect((await call(handler, { method: 'POST', path: P, token: k.staff, json: { nombre: 'X', proveedor_id: 99999999 } })).body.detail[0].loc).toEqual(['body', 'proveedor_id']);
    expect((await call(handler, { method: 'POST', path: P, token: k.staff, json: { nombre: 'X', precio_venta: '1.001' } })).status).toBe(422);
    expect((await call(handler, { method: 'POST', path: P, token: k.staff, json: { sku: 'x' } })).body.detail[0]).toMatchObject({ loc: ['body', 'nombre'], msg: 'Field required' });
  });

  it('SKU is unique per clinic regardless of case (409); another clinic, or after a delete, may use it', async () => {
    const code = sku();
    const a = await product(k, { sku: code });
    const dup = await call(handler, { method: 'POST', path: P, token: k.staff, json: { nombre: 'Otro', sku: code.toLowerCase() } });
    expect(dup.status).toBe(409);
    expect((await call(handler, { method: 'POST', path: P, token: other.staff, json: { nombre: 'Otro', sku: code } })).status).toBe(201);
    const b = await product(k);
    expect((await call(handler, { method: 'PUT', path: `${P}/${b.id}`, token: k.staff, json: { sku: code } })).status).toBe(409);
    expect((await call(handler, { method: 'DELETE', path: `${P}/${a.id}`, token: k.staff })).status).toBe(204);
    expect((await call(handler, { method: 'POST', path: P, token: k.staff, json: { nombre: 'Reemplazo', sku: code } })).status).toBe(201);
  });

  it('PUT changes the fields sent; stock_actual on a PUT is an ajuste to that level; DELETE is soft and keeps the movements', async () => {
    const p = await product(k, { stock_actual: 5, precio_venta: 10 });
    const put = await call(handler, { method: 'PUT', path: `${P}/${p.id}`, token: k.staff, json: { precio_venta: '12.00', stock_actual: 2 } });
    expect(put.body).toMatchObject({ nombre: 'Gel conductor', precio_venta: 12, stock_actual: 2 });
    expect((await movementsOf(p.id)).map((m) => [m.kind, m.quantity, m.delta, m.stock_after, m.reason])).toEqual([
      ['entrada', '5.00', '5.00', '5.00', 'Stock inicial'],
      ['ajuste', '2.00', '-3.00', '2.00', 'Ajuste al editar el producto'],
    ]);
    expect((await call(handler, { method: 'DELETE', path: `${P}/${p.id}`, token: k.staff })).status).toBe(204);
    expect((await call(handler, { path: `${P}/${p.id}`, token: k.staff })).status).toBe(404);
    expect((await call(handler, { path: P, token: k.staff, query: { size: 200 } })).body.map((x: any) => x.id)).not.toContain(p.id);
    expect(await movementsOf(p.id)).toHaveLength(2);
    expect((await call(handler, { method: 'DELETE', path: `${P}/${p.id}`, token: k.staff })).status).toBe(404);
  });

  it('lists by name with search, category and active filters; low-stock lists active products at or below their minimum', async () => {
    const c = await moneyClinic();
    const a = await product(c, { nombre: 'Aceite de masaje', categoria: 'Insumos', stock_actual: 2, stock_minimo: 2 });
    const b = await product(c, { nombre: 'Banda elástica', categoria: 'Equipos', stock_actual: 9, stock_minimo: 2 });
    const z = await product(c, { nombre: 'Zapatilla', stock_actual: 0, stock_minimo: 1, activo: false });
    expect((await call(handler, { path: P, token: c.staff })).body.map((x: any) => x.id)).toEqual([a.id, b.id, z.id]);
    expect((await call(handler, { path: P, token: c.staff, query: { search: 'elást' } })).body.map((x: any) => x.id)).toEqual([b.id]);
    expect((await call(handler, { path: P, token: c.staff, query: { categoria: 'insumos' } })).body.map((x: any) => x.id)).toEqual([a.id]);
    expect((await call(handler, { path: P, token: c.staff, query: { activo: 'false' } })).body.map((x: any) => x.id)).toEqual([z.id]);
    const low = await call(handler, { path: `${P}/low-stock`, token: c.staff });
    expect(low.body.map((x: any) => [x.id, x.bajo_stock])).toEqual([[a.id, true]]);
    await move(c, b.id, { tipo: 'salida', cantidad: 7, motivo: 'Uso en sesiones' });
    expect((await call(handler, { path: `${P}/low-stock`, token: c.staff })).body.map((x: any) => x.id)).toEqual([a.id, b.id]);
  });
});

describe('movements', () => {
  it('entrada, salida and ajuste move the stock; a salida beyond the stock is a 409 and changes nothing', async () => {
    const p = await product(k, { stock_actual: 10 });
    const entrada = await move(k, p.id, { tipo: 'entrada', cantidad: '5.5', costo_unitario: '3.20', motivo: 'Compra' });
    expect(entrada.status).toBe(201);
    expect(entrada.body).toMatchObject({ tipo: 'entrada', cantidad: 5.5, variacion: 5.5, stock_resultante: 15.5, costo_unitario: 3.2, motivo: 'Compra' });
    expect((await move(k, p.id, { tipo: 'salida', cantidad: 12 })).body).toMatchObject({ variacion: -12, stock_resultante: 3.5 });
    const refused = await move(k, p.id, { tipo: 'salida', cantidad: 4 });
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ detail: 'Stock insuficiente: la salida dejaría el stock por debajo de cero.' });
    expect(await stockOf(p.id)).toBe('3.50');
    expect(await movementsOf(p.id)).toHaveLength(3);
    expect((await move(k, p.id, { tipo: 'ajuste', cantidad: 8, motivo: 'Inventario físico' })).body).toMatchObject({ cantidad: 8, variacion: 4.5, stock_resultante: 8 });
    expect((await move(k, p.id, { tipo: 'ajuste', cantidad: 0 })).body).toMatchObject({ variacion: -8, stock_resultante: 0 });
    for (const json of [{ tipo: 'entrada', cantidad: 0 }, { tipo: 'salida', cantidad: '-1' }, { tipo: 'robo', cantidad: 1 }, { tipo: 'entrada', cantidad: '1.234' }]) {
      expect([json, (await move(k, p.id, json)).status]).toEqual([json, 422]);
    }
    expect((await move(k, p.id, { tipo: 'entrada', cantidad: 1, proveedor_id: 99999999 })).body.detail[0].loc).toEqual(['body', 'proveedor_id']);
    // The stock is the sum of the movements.
    const sum = await ownerKysely().selectFrom('stock_movements').select((eb) => eb.fn.sum('delta').as('s')).where('product_id', '=', p.id).executeTakeFirstOrThrow();
    expect((sum as any).s).toBe(await stockOf(p.id));
  });

  it('PostgreSQL keeps the stock derived: it cannot be written directly, and movements cannot be edited or deleted', async () => {
    const p = await product(k, { stock_actual: 3 });
    await expect(ownerKysely().updateTable('products').set({ stock: '100' }).where('id', '=', p.id).execute()).rejects.toThrow(/only through stock_movements/);
    const [m] = await movementsOf(p.id);
    await expect(ownerKysely().updateTable('stock_movements').set({ quantity: '1' }).where('id', '=', m.id).execute()).rejects.toThrow(/history/);
    await expect(ownerKysely().deleteFrom('stock_movements').where('id', '=', m.id).execute()).rejects.toThrow(/history/);
    expect(await stockOf(p.id)).toBe('3.00');
    // A user who recorded movements can still be deleted: the movements stay, without their author.
    const clerk = await createUser({ reflexoId: k.id });
    const used = await call(handler, { method: 'POST', path: `${P}/${p.id}/movements`, token: clerk.token, json: { tipo: 'salida', cantidad: 1 } });
    expect(used.body.usuario).toEqual({ id: clerk.id, nombre: 'Test Usuario' });
    await ownerKysely().deleteFrom('users').where('id', '=', clerk.id).execute();
    expect((await movementsOf(p.id)).map((x) => [x.kind, x.user_id])).toEqual([
      ['entrada', expect.any(Number)],
      ['salida', null],
    ]);
  });

  it('GET /products/movements lists the clinic’s movements, newest first, filtered by product, type and day', async () => {
    const c = await moneyClinic();
    const a = await product(c, { stock_actual: 4 });
    const b = await product(c, { stock_actual: 6 });
    await move(c, a.id, { tipo: 'salida', cantidad: 1 });
    const all = await call(handler, { path: `${P}/movements`, token: c.staff });
    expect(all.body.map((m: any) => [m.producto.id, m.tipo])).toEqual([
      [a.id, 'salida'],
      [b.id, 'entrada'],
      [a.id, 'entrada'],
    ]);
    expect((await call(handler, { path: `${P}/movements`, token: c.staff, query: { producto_id: b.id } })).body).toHaveLength(1);
    expect((await call(handler, { path: `${P}/movements`, token: c.staff, query: { tipo: 'salida' } })).body).toHaveLength(1);
    expect((await call(handler, { path: `${P}/movements`, token: c.staff, query: { start_date: limaDate(0), end_date: limaDate(0) } })).body).toHaveLength(3);
    expect((await call(handler, { path: `${P}/movements`, token: c.staff, query: { start_date: limaDate(1) } })).body).toHaveLength(0);
    expect((await call(handler, { path: `${P}/movements`, token: c.staff, query: { producto_id: 99999999 } })).status).toBe(404);
    expect((await call(handler, { path: `${P}/movements`, token: c.staff, query: { tipo: 'robo' } })).status).toBe(422);
  });
});

describe('isolation', () => {
  it('another clinic’s product is a 404 on every route and stays as it was; lists never show its rows', async () => {
    const theirs = await product(other, { stock_actual: 5 });
    const supplier = (await call(handler, { method: 'POST', path: S, token: other.staff, json: { nombre: 'Proveedor ajeno' } })).body;
    const before = await ownerKysely().selectFrom('products').selectAll().where('id', '=', theirs.id).executeTakeFirstOrThrow();
    const attempts: [string, string, unknown?][] = [
      ['GET', `${P}/${theirs.id}`],
      ['PUT', `${P}/${theirs.id}`, { nombre: 'x' }],
      ['DELETE', `${P}/${theirs.id}`],
      ['POST', `${P}/${theirs.id}/movements`, { tipo: 'salida', cantidad: 1 }],
      ['GET', `${P}/${theirs.id}/movements`],
    ];
    for (const [method, path, json] of attempts) expect([method, path, (await call(handler, { method, path, token: k.staff, json })).status]).toEqual([method, path, 404]);
    expect(await ownerKysely().selectFrom('products').selectAll().where('id', '=', theirs.id).executeTakeFirstOrThrow()).toEqual(before);
    expect(await movementsOf(theirs.id)).toHaveLength(1);
    const read = async (path: string) => (await call(handler, { path, token: k.staff, query: { size: 200 } })).body as any[];
    expect((await read(P)).map((x) => x.id)).not.toContain(theirs.id);
    expect((await read(`${P}/movements`)).map((m) => m.producto.id)).not.toContain(theirs.id);
    expect((await read(S)).map((x) => x.id)).not.toContain(supplier.id);
    expect((await call(handler, { method: 'POST', path: P, token: k.staff, json: { nombre: 'Mío', proveedor_id: supplier.id } })).body.detail[0].loc).toEqual(['body', 'proveedor_id']);
    expect((await call(handler, { path: `${P}/abc`, token: k.staff })).status).toBe(422);
  });
});

describe('concurrency (20 containers)', () => {
  it('50 simultaneous salidas of 1 against a stock of 10: exactly 10 succeed, 40 are refused (409), the stock ends at exactly 0', async () => {
    const p = await product(k, { stock_actual: 10 });
    const results = await Promise.all(Array.from({ length: 50 }, () => move(k, p.id, { tipo: 'salida', cantidad: 1, motivo: 'Uso' })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(40);
    expect(await stockOf(p.id)).toBe('0.00');
    const movements = await movementsOf(p.id);
    expect(movements.filter((m) => m.kind === 'salida')).toHaveLength(10);
    // Each salida saw the stock the previous one left: 9, 8, … 0, each exactly once.
    expect(movements.filter((m) => m.kind === 'salida').map((m) => m.stock_after).sort()).toEqual(['0.00', '1.00', '2.00', '3.00', '4.00', '5.00', '6.00', '7.00', '8.00', '9.00']);
  });
});
