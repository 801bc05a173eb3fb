import { handler } from '../../functions/reflexo/therapists-therapists';
import { objectExists } from '../../lib/storage/s3';
import { createUser, ownerKysely, tenantWithAdmin } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { catalogByCode, createPatient, createTherapist, limaDate, nextDocument } from '../helpers/scheduling-fixtures';

/* Module 4: therapists, from HTTP to the database and S3. */
const P = '/api/therapists/therapists';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);

let tenant: { id: number; name: string };
let admin: string;
let staff: string;
let other: { tenant: { id: number }; admin: { token: string } };

beforeAll(async () => {
  const a = await tenantWithAdmin();
  tenant = a.tenant;
  admin = a.admin.token;
  staff = (await createUser({ reflexoId: tenant.id })).token;
  other = await tenantWithAdmin();
  const cat = await catalogByCode();
  DNI = cat.documentType.DNI;
  CE = cat.documentType.CE;
});
let DNI = 1;
let CE = 2;

const body = (over: Record<string, unknown> = {}) => ({
  document_type_id: DNI,
  document_number: nextDocument(),
  last_name_paternal: 'Pérez',
  last_name_maternal: 'García',
  first_name: 'Ana',
  email: 'ana.perez@gmail.com',
  region_id: 15,
  province_id: 1501,
  district_id: 150122,
  phone: '999888777',
  address: 'Av. Principal 123',
  birth_date: '1990-01-01',
  gender: 'F',
  personal_reference: 'REF001',
  ...over,
});
const row = (id: number) => ownerKysely().selectFrom('therapists').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const create = (over: Record<string, unknown> = {}, token = staff) => call(handler, { method: 'POST', path: `${P}/create/`, token, json: body(over) });

describe('create', () => {
  it('creates a therapist with the nested objects and full_name of the contract (201)', async () => {
    const res = await create();
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      reflexo_id: tenant.id,
      reflexo_name: tenant.name,
      document_type: { id: DNI, name: expect.any(String) },
      document_number: expect.any(String),
      last_name_paternal: 'Pérez',
      last_name_maternal: 'García',
      first_name: 'Ana',
      full_name: 'Ana Pérez García',
      birth_date: '1990-01-01',
      gender: 'F',
      personal_reference: 'REF001',
      is_active: true,
      phone: '999888777',
      email: 'ana.perez@gmail.com',
      region: { id: 15, name: 'Lima' },
      province: { id: 1501, name: 'Lima' },
      district: { id: 150122, name: 'Miraflores' },
      address: 'Av. Principal 123',
      profile_picture: null,
      profile_picture_url: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const drf = await call(handler, { method: 'POST', path: P, token: staff, json: body() });
    expect(drf.status).toBe(201);
  });

  it('validates required fields, document per type, age, nesting and the e-mail domain (400)', async () => {
    const missing = await call(handler, { method: 'POST', path: `${P}/create/`, token: staff, json: {} });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ document_type_id: ['Este campo es requerido.'], first_name: ['Este campo es requerido.'], email: ['Este campo es requerido.'] });
    expect((await create({ document_number: '1234567' })).body).toEqual({ document_number: ['El DNI debe tener entre 8 y 9 dígitos.'] });
    expect((await create({ document_number: '123456789' })).status).toBe(201);
    expect((await create({ document_type_id: CE, document_number: '1234567890123' })).body).toEqual({
      document_number: ['El carné de extranjería debe tener como máximo 12 dígitos.'],
    });
    expect((await create({ document_type_id: CE, document_number: '123456789012' })).status).toBe(201);
    expect((await create({ document_type_id: 999 })).body).toEqual({ document_type_id: ['Tipo de documento inválido.'] });
    expect((await create({ birth_date: limaDate(-365 * 17) })).body).toEqual({ birth_date: ['El terapeuta debe tener al menos 18 años.'] });
    expect((await create({ birth_date: limaDate(3) })).body).toEqual({ birth_date: ['La fecha de nacimiento no puede ser futura.'] });
    expect((await create({ province_id: 401 })).body).toEqual({ province_id: ['La provincia no pertenece a la región indicada.'], district_id: ['El distrito no pertenece a la provincia indicada.'] });
    expect((await create({ district_id: 40101 })).body).toEqual({ district_id: ['El distrito no pertenece a la provincia indicada.'] });
    expect((await create({ region_id: 99 })).body).toMatchObject({ region_id: ['La región no existe.'] });
    expect((await create({ email: 'ana@hotmail.com' })).body).toEqual({ email: ['El email debe terminar en @gmail.com.'] });
    expect((await create({ email: 'no-es-email' })).status).toBe(400);
    expect((await create({ gender: 'X' })).body).toEqual({ gender: ['Debe ser M o F.'] });
    expect((await call(handler, { method: 'POST', path: `${P}/create/`, json: body() })).status).toBe(401);
  });

  it('the e-mail domain rule is a clinic setting ("*" lifts it)', async () => {
    const t = await tenantWithAdmin();
    await ownerKysely().updateTable('tenants').set({ settings: JSON.stringify({ therapist_email_domain: 'clinica.pe' }) }).where('id', '=', t.tenant.id).execute();
    expect((await create({}, t.admin.token)).body).toEqual({ email: ['El email debe terminar en @clinica.pe.'] });
    expect((await create({ email: 'ana@clinica.pe' }, t.admin.token)).status).toBe(201);
    await ownerKysely().updateTable('tenants').set({ settings: JSON.stringify({ therapist_email_domain: '*' }) }).where('id', '=', t.tenant.id).execute();
    expect((await create({ email: 'ana@hotmail.com' }, t.admin.token)).status).toBe(201);
  });

  it('a document number is unique per clinic among live therapists (409); another clinic may reuse it', async () => {
    const doc = nextDocument();
    expect((await create({ document_number: doc })).status).toBe(201);
    const dup = await create({ document_number: doc });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ document_number: ['Ya existe un terapeuta con este tipo y número de documento.'] });
    expect((await create({ document_number: doc }, other.admin.token)).status).toBe(201);
  });

  it('a global administrator must name the clinic', async () => {
    const su = (await createUser({ superuser: true })).token;
    expect((await create({}, su)).body).toEqual({ reflexo_id: ['Un administrador global debe indicar reflexo_id.'] });
    const ok = await create({ reflexo_id: tenant.id }, su);
    expect(ok.status).toBe(201);
    expect(ok.body.reflexo_id).toBe(tenant.id);
    expect((await create({ reflexo_id: 99999999 }, su)).body).toEqual({ reflexo_id: ['La clínica indicada no existe.'] });
    expect((await create({ reflexo_id: other.tenant.id })).body).toEqual({ reflexo_id: ['La clínica indicada no existe.'] });
  });
});

describe('list, detail, edit', () => {
  it('lists with filters region/province/district/search/active and pagination', async () => {
    const t = await tenantWithAdmin();
    const tok = t.admin.token;
    const a = (await create({ first_name: 'Zoila', email: 'zoila@gmail.com' }, tok)).body;
    const b = (await create({ region_id: 4, province_id: 401, district_id: 40101, first_name: 'Bruno' }, tok)).body;
    const list = await call(handler, { path: `${P}/`, token: tok });
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ count: 2, next: null, previous: null });
    expect(list.body.results.map((r: any) => r.id)).toEqual([a.id, b.id]);
    expect((await call(handler, { path: P, token: tok, query: { region: 4 } })).body.results.map((r: any) => r.id)).toEqual([b.id]);
    expect((await call(handler, { path: P, token: tok, query: { province: 1501 } })).body.results.map((r: any) => r.id)).toEqual([a.id]);
    expect((await call(handler, { path: P, token: tok, query: { district: 40101 } })).body.results.map((r: any) => r.id)).toEqual([b.id]);
    expect((await call(handler, { path: P, token: tok, query: { search: 'zoila' } })).body.results.map((r: any) => r.id)).toEqual([a.id]);
    expect((await call(handler, { path: P, token: tok, query: { search: 'Arequipa' } })).body.results.map((r: any) => r.id)).toEqual([b.id]);
    const page = await call(handler, { path: P, token: tok, query: { page_size: 1 } });
    expect(page.body.next).toBe('http://localhost:8000/api/therapists/therapists?page_size=1&page=2');
    expect((await call(handler, { path: P, token: tok, query: { region: 'x' } })).status).toBe(400);
    expect((await call(handler, { path: P, token: tok, query: { active: 'maybe' } })).status).toBe(400);
  });

  it('detail; unknown id → 404', async () => {
    const t = (await create()).body;
    const res = await call(handler, { path: `${P}/${t.id}`, token: staff });
    expect(res.body).toEqual(t);
    expect((await call(handler, { path: `${P}/99999999/`, token: staff })).body).toEqual({ detail: 'Terapeuta no encontrado.' });
  });

  it('PUT replaces (optional fields cleared), PATCH changes only what is sent, validated as the merged row', async () => {
    const t = (await create()).body;
    const put = await call(handler, { method: 'PUT', path: `${P}/${t.id}/edit/`, token: staff, json: body({ document_number: t.document_number, first_name: 'Ana María', phone: undefined, address: undefined }) });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ first_name: 'Ana María', full_name: 'Ana María Pérez García', phone: null, address: null });
    const patch = await call(handler, { method: 'PATCH', path: `${P}/${t.id}/edit/`, token: staff, json: { phone: '999111222', address: 'Nueva Dirección 456' } });
    expect(patch.body).toMatchObject({ first_name: 'Ana María', phone: '999111222', address: 'Nueva Dirección 456' });
    const drf = await call(handler, { method: 'PATCH', path: `${P}/${t.id}/`, token: staff, json: { district_id: 150101 } });
    expect(drf.body.district).toEqual({ id: 150101, name: 'Lima' });
    expect((await call(handler, { method: 'PATCH', path: `${P}/${t.id}/`, token: staff, json: { province_id: 401 } })).status).toBe(400);
    expect((await call(handler, { method: 'PUT', path: `${P}/${t.id}/`, token: staff, json: { first_name: 'x' } })).status).toBe(400);
    expect((await call(handler, { method: 'PATCH', path: `${P}/99999999/edit/`, token: staff, json: { phone: '999111222' } })).status).toBe(404);
  });
});

describe('delete, restore, hard delete', () => {
  it('soft delete hides it from every list (?active=false too) and from the detail; restore (POST or PATCH) brings it back', async () => {
    const t = (await create()).body;
    expect((await call(handler, { method: 'DELETE', path: `${P}/${t.id}/delete/`, token: staff })).status).toBe(204);
    expect((await call(handler, { path: `${P}/${t.id}/`, token: staff })).status).toBe(404);
    expect((await call(handler, { method: 'DELETE', path: `${P}/${t.id}/delete/`, token: staff })).status).toBe(404);
    expect(await row(t.id)).toMatchObject({ deleted_at: expect.any(Date), is_active: true });
    for (const active of [undefined, 'true', 'false']) {
      const list = await call(handler, { path: P, token: staff, query: { active, page_size: 100 } });
      expect(list.body.results.map((r: any) => r.id)).not.toContain(t.id);
    }
    const restored = await call(handler, { method: 'POST', path: `${P}/${t.id}/restore/`, token: staff });
    expect(restored.status).toBe(200);
    expect(restored.body.is_active).toBe(true);
    expect(await row(t.id)).toMatchObject({ deleted_at: null });
    expect((await call(handler, { method: 'DELETE', path: `${P}/${t.id}`, token: staff })).status).toBe(204);
    expect((await call(handler, { method: 'PATCH', path: `${P}/${t.id}/restore`, token: staff })).body.is_active).toBe(true);
    expect((await call(handler, { method: 'POST', path: `${P}/99999999/restore/`, token: staff })).status).toBe(404);
  });

  it('PATCH {"is_active": false} deactivates (listed only with ?active=false), true reactivates; deleted_at is untouched', async () => {
    const k = await tenantWithAdmin();
    const tok = k.admin.token;
    const a = (await create({}, tok)).body;
    const b = (await create({}, tok)).body;
    const off = await call(handler, { method: 'PATCH', path: `${P}/${a.id}/edit/`, token: tok, json: { is_active: false } });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ id: a.id, is_active: false });
    expect(await row(a.id)).toMatchObject({ is_active: false, deleted_at: null });
    const ids = async (active?: string) => (await call(handler, { path: P, token: tok, query: { active } })).body.results.map((r: any) => r.id);
    expect(await ids('false')).toEqual([a.id]);
    expect(await ids('true')).toEqual([b.id]);
    expect(await ids()).toEqual([a.id, b.id]);
    // Still readable and editable; a PUT that does not mention it leaves it as it is.
    expect((await call(handler, { path: `${P}/${a.id}/`, token: tok })).body.is_active).toBe(false);
    const put = await call(handler, { method: 'PUT', path: `${P}/${a.id}/`, token: tok, json: body({ document_number: a.document_number }) });
    expect(put.body.is_active).toBe(false);
    // A form sends it as text.
    const on = await call(handler, { method: 'PATCH', path: `${P}/${a.id}/`, token: tok, multipart: { fields: { is_active: 'true' } } });
    expect(on.body.is_active).toBe(true);
    expect(await ids('false')).toEqual([]);
    expect((await call(handler, { method: 'PATCH', path: `${P}/${a.id}/`, token: tok, json: { is_active: 'maybe' } })).body).toEqual({ is_active: ['Debe ser un valor booleano válido.'] });
  });

  it('hard delete: clinic admins only, refused while appointments point at the therapist', async () => {
    const t = (await create()).body;
    expect((await call(handler, { method: 'DELETE', path: `${P}/${t.id}/hard-delete/`, token: staff })).status).toBe(403);
    expect((await call(handler, { method: 'DELETE', path: `${P}/${t.id}/hard-delete/`, token: admin })).status).toBe(204);
    expect(await ownerKysely().selectFrom('therapists').select('id').where('id', '=', t.id).executeTakeFirst()).toBeUndefined();
    const busy = await createTherapist(tenant.id);
    const patient = await createPatient(tenant.id);
    await ownerKysely().insertInto('appointments').values({ reflexo_id: tenant.id, patient_id: patient.id, therapist_id: busy.id, appointment_date: limaDate(2), hour: '09:00', appointment_status_id: 1 }).execute();
    const refused = await call(handler, { method: 'DELETE', path: `${P}/${busy.id}/hard-delete/`, token: admin });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/citas/);
  });
});

describe('photo', () => {
  it('uploads a PNG to S3, replaces it (old object removed), deletes it', async () => {
    const t = (await create()).body;
    const up = await call(handler, { method: 'POST', path: `${P}/${t.id}/photo/`, token: staff, multipart: { files: [{ field: 'photo_file', filename: 'a.png', contentType: 'image/png', data: PNG }] } });
    expect(up.status).toBe(200);
    expect(up.body.message).toBe('Foto actualizada');
    const url: string = up.body.therapist.profile_picture_url;
    expect(url).toMatch(new RegExp(`^/media/tenants/${tenant.id}/therapists/[0-9a-f-]{36}\\.png$`));
    expect(up.body.therapist.profile_picture).toBe(`http://localhost:8000${url}`);
    const key = url.replace('/media/', '');
    expect(await objectExists(key)).toBe(true);
    expect((await call(handler, { path: `${P}/${t.id}/`, token: staff })).body.profile_picture_url).toBe(url);

    const again = await call(handler, { method: 'POST', path: `${P}/${t.id}/photo`, token: staff, multipart: { files: [{ field: 'photo_file', filename: 'b.png', contentType: 'image/png', data: PNG }] } });
    expect(await objectExists(key)).toBe(false);
    const key2 = again.body.therapist.profile_picture_url.replace('/media/', '');

    const del = await call(handler, { method: 'DELETE', path: `${P}/${t.id}/photo/delete/`, token: staff });
    expect(del.body).toEqual({ message: 'Foto eliminada definitivamente', therapist: { id: t.id, profile_picture: null, profile_picture_url: null } });
    expect(await objectExists(key2)).toBe(false);
  });

  it('rejects a non-image, an empty upload and a missing file (400)', async () => {
    const t = (await create()).body;
    const bad = await call(handler, { method: 'POST', path: `${P}/${t.id}/photo/`, token: staff, multipart: { files: [{ field: 'photo_file', filename: 'a.png', contentType: 'image/png', data: Buffer.from('GIF89a....') }] } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ photo_file: ['Formato no permitido. Solo se aceptan imágenes JPG, JPEG o PNG.'] });
    const none = await call(handler, { method: 'POST', path: `${P}/${t.id}/photo/`, token: staff, multipart: { fields: { a: 'b' } } });
    expect(none.body).toEqual({ photo_file: ['No se envió ningún archivo.'] });
  });
});

describe('tenant isolation', () => {
  it('another clinic cannot list, read, edit, delete, restore or change the photo of a therapist (404), and the row is unchanged', async () => {
    const t = (await create()).body;
    const tokB = other.admin.token;
    const list = await call(handler, { path: P, token: tokB, query: { page_size: 100 } });
    expect(list.body.results.map((r: any) => r.id)).not.toContain(t.id);
    expect((await call(handler, { path: `${P}/${t.id}/`, token: tokB })).status).toBe(404);
    expect((await call(handler, { method: 'PATCH', path: `${P}/${t.id}/edit/`, token: tokB, json: { first_name: 'Hack' } })).status).toBe(404);
    expect((await call(handler, { method: 'PUT', path: `${P}/${t.id}/`, token: tokB, json: body() })).status).toBe(404);
    expect((await call(handler, { method: 'DELETE', path: `${P}/${t.id}/delete/`, token: tokB })).status).toBe(404);
    expect((await call(handler, { method: 'DELETE', path: `${P}/${t.id}/hard-delete/`, token: tokB })).status).toBe(404);
    expect((await call(handler, { method: 'POST', path: `${P}/${t.id}/restore/`, token: tokB })).status).toBe(404);
    const photo = await call(handler, { method: 'POST', path: `${P}/${t.id}/photo/`, token: tokB, multipart: { files: [{ field: 'photo_file', filename: 'a.png', contentType: 'image/png', data: PNG }] } });
    expect(photo.status).toBe(404);
    expect((await call(handler, { method: 'DELETE', path: `${P}/${t.id}/photo/delete/`, token: tokB })).status).toBe(404);
    expect((await call(handler, { path: `${P}/${t.id}/`, token: staff })).body).toEqual(t);
  });

  it('a global administrator sees every clinic', async () => {
    const t = (await create()).body;
    const su = (await createUser({ superuser: true })).token;
    expect((await call(handler, { path: `${P}/${t.id}/`, token: su })).body.id).toBe(t.id);
  });
});
