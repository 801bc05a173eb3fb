import { handler as catalogs } from '../../functions/v1/catalogs';
import { handler as config } from '../../functions/v1/config';
import { createUser, ownerKysely, tenantWithAdmin, type TestUser } from '../helpers/fixtures';
import { call } from '../helpers/http';

/* v1 per-clinic catalogs (Peruvian defaults, 409 on a name already there) and typed configuration keys. */
let admin: TestUser;
let staff: TestUser;
let tenantId: number;

beforeAll(async () => {
  const t = await tenantWithAdmin();
  admin = t.admin;
  tenantId = t.tenant.id;
  staff = await createUser({ reflexoId: tenantId });
});

describe('catalogs', () => {
  it.each([
    ['/api/v1/specialties', 'Fisioterapia y rehabilitación'],
    ['/api/v1/sources', 'Facebook'],
    ['/api/v1/insurers', 'EsSalud'],
    ['/api/v1/business-lines', 'Rehabilitación'],
  ])('%s: a new clinic starts with Peruvian defaults, paginated with X-Total-Count', async (path, expected) => {
    const res = await call(catalogs, { path, token: staff.token, query: { size: 200 } });
    expect(res.status).toBe(200);
    expect(res.body.map((e: { nombre: string }) => e.nombre)).toContain(expected);
    expect(Number(res.headers['x-total-count'])).toBe(res.body.length);
  });

  it('admins add entries; the same name with other case or accents is a 409; staff get 403', async () => {
    const created = await call(catalogs, { method: 'POST', path: '/api/v1/sources', token: admin.token, json: { nombre: 'Radio Cumbre' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ nombre: 'Radio Cumbre', activo: true, descripcion: null });
    const again = await call(catalogs, { method: 'POST', path: '/api/v1/sources', token: admin.token, json: { nombre: '  rádio CUMBRE ' } });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ detail: expect.stringContaining('Ya existe') });
    expect((await call(catalogs, { method: 'POST', path: '/api/v1/sources', token: staff.token, json: { nombre: 'Otra' } })).status).toBe(403);
    expect((await call(catalogs, { method: 'POST', path: '/api/v1/sources', token: admin.token, json: { nombre: '' } })).status).toBe(422);
  });

  it('each clinic has its own entries: another clinic may use the same name, and never sees ours', async () => {
    const other = await tenantWithAdmin();
    expect((await call(catalogs, { method: 'POST', path: '/api/v1/insurers', token: admin.token, json: { nombre: 'Seguro Propio SAC' } })).status).toBe(201);
    expect((await call(catalogs, { method: 'POST', path: '/api/v1/insurers', token: other.admin.token, json: { nombre: 'Seguro Propio SAC' } })).status).toBe(201);
    const theirs = await call(catalogs, { path: '/api/v1/insurers', query: { size: 200 }, token: other.admin.token });
    const names = theirs.body.map((e: { nombre: string }) => e.nombre);
    expect(names.filter((n: string) => n === 'Seguro Propio SAC')).toHaveLength(1);
  });

  it('treatments are the clinic’s predetermined prices with a duration and a specialty', async () => {
    const specialties = await call(catalogs, { path: '/api/v1/specialties', query: { size: 200 }, token: admin.token });
    const fisio = specialties.body.find((e: { nombre: string }) => e.nombre.startsWith('Fisioterapia'));
    const res = await call(catalogs, { method: 'POST', path: '/api/v1/treatments', token: admin.token, json: { nombre: 'Sesión de magnetoterapia', precio: 85.5, duracion_minutos: 45, especialidad_id: fisio.id } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(Number), nombre: 'Sesión de magnetoterapia', precio: 85.5, duracion_minutos: 45, especialidad_id: fisio.id, especialidad: fisio.nombre });
    const row = await ownerKysely().selectFrom('predetermined_prices').select(['name', 'price', 'reflexo_id']).where('id', '=', res.body.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ name: 'Sesión de magnetoterapia', price: '85.50', reflexo_id: tenantId });
    expect((await call(catalogs, { method: 'POST', path: '/api/v1/treatments', token: admin.token, json: { nombre: 'SESION DE MAGNETOTERAPIA', precio: 10 } })).status).toBe(409);
    expect((await call(catalogs, { method: 'POST', path: '/api/v1/treatments', token: admin.token, json: { nombre: 'Otro', precio: '10.555' } })).status).toBe(422);
    const other = await tenantWithAdmin();
    const foreignSpecialty = await call(catalogs, { method: 'POST', path: '/api/v1/treatments', token: other.admin.token, json: { nombre: 'X', precio: 10, especialidad_id: fisio.id } });
    expect(foreignSpecialty.status).toBe(422);
    expect(foreignSpecialty.body.detail[0].loc).toEqual(['body', 'especialidad_id']);
    const list = await call(catalogs, { path: '/api/v1/treatments', token: admin.token });
    expect(list.body.map((t: { nombre: string }) => t.nombre)).toContain('Sesión de magnetoterapia');
  });
});

describe('config', () => {
  it('GET /config: every key with its default; one key as {clave, valor}; an unknown key 404', async () => {
    const all = await call(config, { path: '/api/v1/config', token: staff.token });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ zona_horaria: 'America/Lima', moneda: 'PEN', igv: 18, serie_factura: 'F001', recordatorio_horas_antes: 24, dominio_email_terapeutas: 'gmail.com' });
    expect(await call(config, { path: '/api/v1/config/igv', token: staff.token })).toMatchObject({ status: 200, body: { clave: 'igv', valor: 18 } });
    expect((await call(config, { path: '/api/v1/config/nope', token: staff.token })).status).toBe(404);
  });

  it('PUT /config changes several keys atomically; one bad value changes nothing (422 names the key)', async () => {
    const { tenant, admin: a } = await tenantWithAdmin();
    const bad = await call(config, { method: 'PUT', path: '/api/v1/config', token: a.token, json: { moneda: 'USD', igv: 150 } });
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0].loc).toEqual(['body', 'igv']);
    expect((await call(config, { path: '/api/v1/config/moneda', token: a.token })).body.valor).toBe('PEN');
    const unknown = await call(config, { method: 'PUT', path: '/api/v1/config', token: a.token, json: { color_favorito: 'azul' } });
    expect(unknown.status).toBe(422);
    const ok = await call(config, { method: 'PUT', path: '/api/v1/config', token: a.token, json: { moneda: 'USD', zona_horaria: 'America/Bogota', serie_factura: 'B002' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ moneda: 'USD', zona_horaria: 'America/Bogota', serie_factura: 'B002' });
    // The same values the Reflexo surface reads: the tenant's time zone column and its settings.
    const row = await ownerKysely().selectFrom('tenants').select(['time_zone', 'settings']).where('id', '=', tenant.id).executeTakeFirstOrThrow();
    expect(row.time_zone).toBe('America/Bogota');
    expect(row.settings).toMatchObject({ currency: 'USD', invoice_series: 'B002' });
    const audit = await ownerKysely().selectFrom('audit_log').select('changed_fields').where('reflexo_id', '=', tenant.id).where('entity', '=', 'config').execute();
    expect(audit.at(-1)?.changed_fields).toEqual(['moneda', 'zona_horaria', 'serie_factura']);
  });

  it('PUT /config/{key} with {"valor"}: validated by the key’s own rules; staff get 403', async () => {
    const { tenant, admin: a } = await tenantWithAdmin();
    expect((await call(config, { method: 'PUT', path: '/api/v1/config/zona_horaria', token: a.token, json: { valor: 'Mars/Olympus' } })).status).toBe(422);
    const res = await call(config, { method: 'PUT', path: '/api/v1/config/dominio_email_terapeutas', token: a.token, json: { valor: '*' } });
    expect(res.body).toEqual({ clave: 'dominio_email_terapeutas', valor: '*' });
    const row = await ownerKysely().selectFrom('tenants').select('settings').where('id', '=', tenant.id).executeTakeFirstOrThrow();
    expect(row.settings.therapist_email_domain).toBe('*');
    const hours = await call(config, { method: 'PUT', path: '/api/v1/config/horario_atencion', token: a.token, json: { valor: { lunes: { inicio: '09:00', fin: '08:00' } } } });
    expect(hours.status).toBe(422);
    expect((await call(config, { method: 'PUT', path: '/api/v1/config/nope', token: a.token, json: { valor: 1 } })).status).toBe(404);
    expect((await call(config, { method: 'PUT', path: '/api/v1/config/igv', token: staff.token, json: { valor: 10 } })).status).toBe(403);
  });
});
