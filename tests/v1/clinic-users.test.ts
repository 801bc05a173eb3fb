import { createUser, ownerKysely, tenantWithAdmin, uniq } from '../helpers/fixtures';
import { declaredFunctions } from '../helpers/functions';
import { call } from '../helpers/http';

/*
 * v1 names no clinic anywhere: a user who belongs to none (a platform superuser, a self-registered user
 * not yet assigned) gets 403 on every clinic route, where the domain would otherwise ask for a
 * `reflexo_id` (a 422 pointing at a body a GET does not have). Generated from the route tables.
 */
jest.setTimeout(120_000);

const NO_CLINIC = { detail: 'Su usuario no pertenece a ninguna clínica: la API v1 trabaja con los datos de la clínica del usuario.' };
const clinicGroups = declaredFunctions().filter((f) => f.group.tenantScoped && f.group.routes.some((r) => r.path.startsWith('/api/v1/')));
const plainGets = clinicGroups.flatMap((f) =>
  f.group.routes
    .filter((r) => r.method === 'GET' && r.access !== 'public' && !r.path.includes('{') && (r.query?.safeParse({}).success ?? true))
    .map((r) => ({ handler: f.handler, path: r.path, access: r.access })),
);

it('covers the v1 clinic routes', () => {
  expect(clinicGroups.length).toBeGreaterThanOrEqual(15);
  expect(plainGets.length).toBeGreaterThanOrEqual(40);
});

it('every parameterless v1 clinic GET: 403 for a superuser and for a user of no clinic, an answer for a clinic admin', async () => {
  const superuser = await createUser({ superuser: true, staff: true });
  const unassigned = await createUser();
  const { admin } = await tenantWithAdmin();
  const wrong: string[] = [];
  for (const r of plainGets) {
    for (const [who, user] of [['superuser', superuser], ['unassigned', unassigned]] as const) {
      const res = await call(r.handler, { path: r.path, token: user.token });
      // An admin-only route refuses a plain user at its access check already, with the generic 403.
      const expected = who === 'unassigned' && r.access === 'admin' ? { detail: 'Not enough permissions' } : NO_CLINIC;
      if (res.status !== 403 || JSON.stringify(res.body) !== JSON.stringify(expected)) wrong.push(`${who} GET ${r.path} → ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`);
    }
    const own = await call(r.handler, { path: r.path, token: admin.token });
    if (own.status >= 400) wrong.push(`clinic admin GET ${r.path} → ${own.status}`);
  }
  expect(wrong).toEqual([]);
});

it('a superuser’s valid v1 create is 403 and writes nothing; the same body from a clinic admin is 201', async () => {
  const handler = clinicGroups.find((f) => f.group.routes.some((r) => r.method === 'POST' && r.path === '/api/v1/patients'))!.handler;
  const superuser = await createUser({ superuser: true, staff: true });
  const body = (dni: string) => ({ nombres: 'Rosa', apellidos: 'Quispe Mamani', dni, fecha_nacimiento: '1990-05-17', genero: 'F' });
  const dni = String(uniq('')).replace(/\D/g, '').slice(-8).padStart(8, '7');
  const refused = await call(handler, { method: 'POST', path: '/api/v1/patients', token: superuser.token, json: body(dni) });
  expect(refused.status).toBe(403);
  expect(refused.body).toEqual(NO_CLINIC);
  expect(await ownerKysely().selectFrom('patients').select('id').where('document_number', '=', dni).execute()).toEqual([]);
  const { admin } = await tenantWithAdmin();
  const created = await call(handler, { method: 'POST', path: '/api/v1/patients', token: admin.token, json: body(dni) });
  expect(created.status).toBe(201);
  expect(await ownerKysely().selectFrom('patients').select('reflexo_id').where('document_number', '=', dni).execute()).toEqual([{ reflexo_id: admin.reflexoId }]);
});
