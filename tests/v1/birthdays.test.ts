import { sql } from 'kysely';
import { handler } from '../../functions/v1/birthdays';
import { ownerKysely, tenantWithAdmin, type TestUser } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { lastMailTo } from '../helpers/mail';
import { createPatient, limaDate } from '../helpers/scheduling-fixtures';

/* v1 birthdays on the clinic's calendar, and the greeting read back from the SES stand-in. */
let admin: TestUser;
let tenantId: number;
const yearsAgo = (date: string, years: number) => `${Number(date.slice(0, 4)) - years}${date.slice(4)}`;

beforeAll(async () => {
  const t = await tenantWithAdmin();
  admin = t.admin;
  tenantId = t.tenant.id;
});

const born = (date: string, over: Record<string, unknown> = {}) => createPatient(tenantId, { birth_date: date, email: `b${Math.random().toString(36).slice(2)}@example.com`, ...over });

it('the SQL rule: 29 February falls on 28 February in a year without it', async () => {
  const { rows } = await sql<{ a: string; b: string }>`SELECT to_char(birthday_in(2027, '2000-02-29'), 'YYYY-MM-DD') AS a, to_char(birthday_in(2028, '2000-02-29'), 'YYYY-MM-DD') AS b`.execute(ownerKysely());
  expect(rows[0]).toEqual({ a: '2027-02-28', b: '2028-02-29' });
});

it('today, this month and the next N days, with the age they turn and the days left, as a paginated list', async () => {
  const today = limaDate(0);
  const a = await born(yearsAgo(today, 30));
  const b = await born(yearsAgo(limaDate(3), 41));
  const c = await born(yearsAgo(limaDate(20), 25));
  const notYetBorn = await born(limaDate(1)); // a birth date in the future is a typo, not a birthday
  const todayList = await call(handler, { path: '/api/v1/birthdays/today', token: admin.token });
  expect(todayList.status).toBe(200);
  expect(todayList.body).toEqual([expect.objectContaining({ id: a.id, fecha_cumpleanos: today, dias_para_cumpleanos: 0, edad_cumple: 30 })]);
  expect(todayList.headers['x-total-count']).toBe('1');

  const week = await call(handler, { path: '/api/v1/birthdays/upcoming', token: admin.token });
  expect(week.body.map((p: { id: number }) => p.id)).toEqual([a.id, b.id]);
  expect(week.body[1]).toMatchObject({ dias_para_cumpleanos: 3, edad_cumple: 41 });
  const month = await call(handler, { path: '/api/v1/birthdays/upcoming', query: { days: 30 }, token: admin.token });
  expect(month.body.map((p: { id: number }) => p.id)).toEqual([a.id, b.id, c.id]);
  expect(month.body.map((p: { id: number }) => p.id)).not.toContain(notYetBorn.id);

  const paged = await call(handler, { path: '/api/v1/birthdays/upcoming', query: { days: 30, size: 1, page: 2 }, token: admin.token });
  expect(paged.body.map((p: { id: number }) => p.id)).toEqual([b.id]);
  expect(paged.headers['x-total-count']).toBe('3');
  expect(paged.headers.link).toContain('rel="next"');
  expect(paged.headers.link).toContain('days=30');

  const thisMonth = await call(handler, { path: '/api/v1/birthdays/this-month', token: admin.token });
  expect(thisMonth.body.map((p: { id: number }) => p.id)).toContain(a.id);
  expect(thisMonth.body.every((p: { fecha_nacimiento: string }) => p.fecha_nacimiento.slice(5, 7) === today.slice(5, 7))).toBe(true);

  expect((await call(handler, { path: '/api/v1/birthdays/upcoming', query: { days: 400 }, token: admin.token })).status).toBe(422);
});

it('the greeting goes out by e-mail with the clinic name; a patient without e-mail is a 422; another clinic’s patient a 404', async () => {
  const p = await born(yearsAgo(limaDate(0), 50));
  const res = await call(handler, { method: 'POST', path: `/api/v1/birthdays/${p.id}/greeting`, token: admin.token, json: {} });
  expect(res.status).toBe(200);
  const email = (await ownerKysely().selectFrom('patients').select('email').where('id', '=', p.id).executeTakeFirstOrThrow()).email as string;
  expect(res.body).toEqual({ enviado: true, patient_id: p.id, email, asunto: expect.stringContaining('Feliz cumpleaños') });
  const mail = await lastMailTo(email);
  expect(mail?.subject).toContain(p.name);
  expect(mail?.body.text).toContain('feliz cumpleaños');
  expect(mail?.body.html).toContain('<strong>');

  const noMail = await born(yearsAgo(limaDate(0), 20), { email: null });
  const refused = await call(handler, { method: 'POST', path: `/api/v1/birthdays/${noMail.id}/greeting`, token: admin.token, json: {} });
  expect(refused.status).toBe(422);
  expect(refused.body.detail[0].msg).toContain('e-mail');

  const other = await tenantWithAdmin();
  const theirs = await createPatient(other.tenant.id, { birth_date: '1990-01-01', email: 'x@example.com' });
  expect((await call(handler, { method: 'POST', path: `/api/v1/birthdays/${theirs.id}/greeting`, token: admin.token, json: {} })).status).toBe(404);
});
