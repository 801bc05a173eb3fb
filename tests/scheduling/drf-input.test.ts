import { handler as therapists } from '../../functions/reflexo/therapists-therapists';
import { handler as appointments } from '../../functions/reflexo/appointments-appointments';
import { handler as statuses } from '../../functions/reflexo/appointment-statuses';
import { handler as tickets } from '../../functions/reflexo/appointments-tickets';
import { createUser, ownerKysely, tenantWithAdmin, uniq } from '../helpers/fixtures';
import { call, type Handler } from '../helpers/http';
import { encode, ENCODINGS, sendEveryWay, type Encoding } from '../helpers/encodings';
import { catalogByCode, createPatient, createTherapist, limaDate, nextDocument } from '../helpers/scheduling-fixtures';

/*
 * What DRF-era frontends send: one create and one update of each scheduling resource as JSON, as JSON
 * with every value a string, as a urlencoded form and as multipart. Each way must leave the same row.
 */
let clinic: { id: number };
let token: string;
let cat: Awaited<ReturnType<typeof catalogByCode>>;
beforeAll(async () => {
  const t = await tenantWithAdmin();
  clinic = t.tenant;
  token = t.admin.token;
  cat = await catalogByCode();
});

const row = (table: string, id: number, omit: string[]) =>
  ownerKysely()
    .selectFrom(table)
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
    .then((r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).filter(([k]) => !['id', 'created_at', 'updated_at', ...omit].includes(k))));

/** The same update sent each way, each to its own target. */
async function updateEveryWay(handler: Handler, method: string, paths: string[], body: Record<string, unknown>) {
  const out = {} as Record<Encoding, Awaited<ReturnType<typeof call>>>;
  for (const [i, e] of ENCODINGS.entries()) out[e] = await call(handler, { method, path: paths[i], token, ...encode(body, e) });
  return out;
}

const sameEachWay = async (table: string, ids: number[], omit: string[] = []) => {
  const rows = await Promise.all(ids.map((id) => row(table, id, omit)));
  for (const r of rows.slice(1)) expect(r).toEqual(rows[0]);
  return rows[0];
};

it('therapists: create and PATCH', async () => {
  const body = () => ({
    document_type_id: 'DNI',
    document_number: nextDocument(),
    last_name_paternal: 'Pérez',
    last_name_maternal: 'García',
    first_name: 'Ana',
    email: 'ana.perez@gmail.com',
    region_id: 15,
    province_id: 1501,
    district_id: 150122,
    phone: '999888777',
    birth_date: '1990-01-01',
    gender: 'F',
    is_active: false,
  });
  const created = await sendEveryWay(therapists, { method: 'POST', path: '/api/therapists/therapists/create/', token }, body);
  for (const e of ENCODINGS) expect([e, created[e].status]).toEqual([e, 201]);
  const ids = ENCODINGS.map((e) => created[e].body.id as number);
  const stored = await sameEachWay('therapists', ids, ['document_number']);
  expect(stored).toMatchObject({ reflexo_id: clinic.id, document_type_id: cat.documentType.DNI, region_id: 15, birth_date: '1990-01-01', is_active: false });

  const updated = await updateEveryWay(
    therapists,
    'PATCH',
    ids.map((id) => `/api/therapists/therapists/${id}/edit/`),
    { first_name: 'Ana María', district_id: 150101, is_active: true, gender: 'F' },
  );
  for (const e of ENCODINGS) expect([e, updated[e].status]).toEqual([e, 200]);
  expect(await sameEachWay('therapists', ids, ['document_number'])).toMatchObject({ first_name: 'Ana María', district_id: 150101, is_active: true });
});

it('appointments: create and PUT', async () => {
  const patient = await createPatient(clinic.id);
  const therapist = await createTherapist(clinic.id);
  const hours = ['08:00', '09:00', '10:00', '11:00'];
  let n = 0;
  const body = () => ({
    patient: patient.id,
    therapist: therapist.id,
    appointment_date: limaDate(15),
    hour: hours[n++],
    duration_minutes: 45,
    appointment_status: 1,
    appointment_type: 'Consulta',
    room: 7 + n,
    ailments: 'Dolor cervical',
    payment: '80.50',
    payment_type: 'Cash',
    social_benefit: true,
  });
  const created = await sendEveryWay(appointments, { method: 'POST', path: '/api/appointments/appointments/create/', token }, body);
  for (const e of ENCODINGS) expect([e, created[e].status]).toEqual([e, 201]);
  const ids = ENCODINGS.map((e) => created[e].body.id as number);
  const stored = await sameEachWay('appointments', ids, ['hour', 'slot', 'room']);
  expect(stored).toMatchObject({ duration_minutes: 45, payment: '80.50', payment_type_id: cat.paymentType.cash, payment_status_id: cat.paymentStatus.pending, social_benefit: true, ailments: 'Dolor cervical' });
  expect(ENCODINGS.map((e) => created[e].body.room)).toEqual(['8', '9', '10', '11']);

  // A full replacement each way, each to its own slot.
  for (const [i, e] of ENCODINGS.entries()) {
    const res = await call(appointments, {
      method: 'PUT',
      path: `/api/appointments/appointments/${ids[i]}/`,
      token,
      ...encode({ patient: patient.id, therapist: therapist.id, appointment_date: limaDate(17), hour: hours[i], duration_minutes: 30, appointment_status: 2, payment: 95, payment_type: cat.paymentType.card, social_benefit: false, observation: 'Seguimiento' }, e),
    });
    expect([e, res.status]).toEqual([e, 200]);
  }
  expect(await sameEachWay('appointments', ids, ['hour', 'slot'])).toMatchObject({
    appointment_date: limaDate(17),
    duration_minutes: 30,
    appointment_status_id: 2,
    payment: '95.00',
    payment_type_id: cat.paymentType.card,
    social_benefit: false,
    observation: 'Seguimiento',
    // PUT replaces: the room, type and ailments it left out are cleared.
    room: null,
    appointment_type: null,
    ailments: null,
  });
});

it('appointment statuses (platform staff): create and PATCH', async () => {
  const platform = await createUser({ staff: true });
  await ownerKysely().updateTable('users').set({ permissions: ['architect.view_all_tenants'] }).where('id', '=', platform.id).execute();
  const created = await sendEveryWay(statuses, { method: 'POST', path: '/api/appointments/appointment-statuses/create/', token: platform.token }, () => ({ name: uniq('Forma '), description: 'Cita desde un formulario' }));
  for (const e of ENCODINGS) expect([e, created[e].status]).toEqual([e, 201]);
  const ids = ENCODINGS.map((e) => created[e].body.id as number);
  expect(await sameEachWay('appointment_statuses', ids, ['name'])).toEqual({ description: 'Cita desde un formulario', kind: null, deleted_at: null });
  for (const [i, e] of ENCODINGS.entries()) {
    const res = await call(statuses, { method: 'PATCH', path: `/api/appointments/appointment-statuses/${ids[i]}/edit/`, token: platform.token, ...encode({ description: 'Editado' }, e) });
    expect([e, res.status]).toEqual([e, 200]);
  }
  expect(await sameEachWay('appointment_statuses', ids, ['name'])).toMatchObject({ description: 'Editado' });
});

it('tickets: the deprecated create and PATCH', async () => {
  const patient = await createPatient(clinic.id);
  const therapist = await createTherapist(clinic.id);
  const ids: number[] = [];
  for (const [i] of ENCODINGS.entries()) {
    const a = await call(appointments, { method: 'POST', path: '/api/appointments/appointments/', token, json: { patient: patient.id, therapist: therapist.id, appointment_date: limaDate(18), hour: `${10 + i}:00` } });
    ids.push(a.body.id);
    // The deprecated create only serves an appointment without a ticket.
    await ownerKysely().deleteFrom('tickets').where('appointment_id', '=', a.body.id).execute();
  }
  let k = 0;
  const created = await sendEveryWay(tickets, { method: 'POST', path: '/api/appointments/tickets/create/', token }, () => ({ appointment: ids[k++], amount: 150.5, payment_method: 'cash', description: 'Sesión' }));
  for (const e of ENCODINGS) expect([e, created[e].status]).toEqual([e, 201]);
  const ticketIds = ENCODINGS.map((e) => created[e].body.id as number);
  expect(ENCODINGS.map((e) => created[e].body.amount)).toEqual([150.5, 150.5, 150.5, 150.5]);
  expect(await sameEachWay('tickets', ticketIds, ['appointment_id', 'ticket_number'])).toMatchObject({ amount: '150.50', payment_method: 'cash', status: 'pending', description: 'Sesión', is_active: true });

  const updated = await updateEveryWay(tickets, 'PATCH', ticketIds.map((id) => `/api/appointments/tickets/${id}/edit/`), { amount: '180', payment_method: 'card', status: 'paid', is_active: false });
  for (const e of ENCODINGS) expect([e, updated[e].status]).toEqual([e, 200]);
  expect(await sameEachWay('tickets', ticketIds, ['appointment_id', 'ticket_number', 'payment_date'])).toMatchObject({ amount: '180.00', payment_method: 'card', status: 'paid', is_active: false });
});
