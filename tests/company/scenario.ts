import { ownerKysely, tenantWithAdmin, uniq } from '../helpers/fixtures';
import { addAppointment, addPatient, addTherapist, createPaymentTypes } from './clinic-data';

/*
 * One clinic in America/Lima with a known Monday (2025-08-25, "D"). Every figure the report tests
 * expect is derived by hand from these rows:
 *
 * (payment types are the scenario's own "Efectivo …", "Yape …", "Plin …", "Tarjeta …"):
 *
 *   A1  D 09:00  Ana → Carlos   100.00 Yape      type C   ticket pending
 *   A2  D 10:00  Jose → Carlos   50.00 Efectivo  type CC  ticket paid D 10:30 Lima (Efectivo)
 *   A3  D 23:30  Ana → Lucía     80.50 Efectivo  type C   ticket paid D 23:45 Lima = D+1 04:45 UTC (Yape)
 *   A4  D 11:00  Pedro → Lucía   70.00 cancelled           (never counted)
 *   A5  D 12:00  Pedro → Lucía   60.00 deleted             (never counted)
 *   A6  D+1 09:00 Pedro → Carlos 40.00 Plin      no ticket
 *   A7  D-3 16:00 Pedro → Lucía  30.00 Efectivo           ticket paid D 08:00 Lima (Efectivo)
 */
export const D = '2025-08-25';
export const D_NEXT = '2025-08-26';
export const D_PREV3 = '2025-08-22';

export async function clinicScenario(companyName = uniq('Clínica San José ')) {
  const { tenant, admin } = await tenantWithAdmin();
  await ownerKysely().insertInto('company_data').values({ reflexo_id: tenant.id, company_name: companyName }).execute();
  const r = tenant.id;
  const pay = await createPaymentTypes();
  const carlos = await addTherapist(r, 'Carlos', 'Rodríguez', 'Martínez');
  const lucia = await addTherapist(r, 'Lucía', 'Paredes', 'Soto');
  const ana = await addPatient(r, 'Ana Sofía', 'García', 'Hernández', '11111111');
  const jose = await addPatient(r, 'Jose Sofía', 'García', 'Hernández', '22222222', '+51 999 888 777');
  const pedro = await addPatient(r, 'Pedro', 'Quispe', 'Mamani', '33333333', '');
  const a1 = await addAppointment({ reflexoId: r, patientId: ana, therapistId: carlos, date: D, hour: '09:00', payment: '100.00', paymentType: pay.yape.id, type: 'C', ticket: { status: 'pending' } });
  const a2 = await addAppointment({
    reflexoId: r,
    patientId: jose,
    therapistId: carlos,
    date: D,
    hour: '10:00',
    payment: '50.00',
    paymentType: pay.cash.id,
    type: 'CC',
    ticket: { status: 'paid', method: pay.cash.name, paidAt: `${D}T10:30:00-05:00` },
  });
  const a3 = await addAppointment({
    reflexoId: r,
    patientId: ana,
    therapistId: lucia,
    date: D,
    hour: '23:30',
    payment: '80.50',
    paymentType: pay.cash.id,
    type: 'C',
    room: 'Sala 2',
    ticket: { status: 'paid', method: pay.yape.name, paidAt: `${D}T23:45:00-05:00` },
  });
  const a4 = await addAppointment({ reflexoId: r, patientId: pedro, therapistId: lucia, date: D, hour: '11:00', payment: '70.00', paymentType: pay.cash.id, cancelled: true });
  const a5 = await addAppointment({ reflexoId: r, patientId: pedro, therapistId: lucia, date: D, hour: '12:00', payment: '60.00', paymentType: pay.cash.id, deleted: true });
  const a6 = await addAppointment({ reflexoId: r, patientId: pedro, therapistId: carlos, date: D_NEXT, hour: '09:00', payment: '40.00', paymentType: pay.plin.id });
  const a7 = await addAppointment({
    reflexoId: r,
    patientId: pedro,
    therapistId: lucia,
    date: D_PREV3,
    hour: '16:00',
    payment: '30.00',
    paymentType: pay.cash.id,
    ticket: { status: 'paid', method: pay.cash.name, paidAt: `${D}T08:00:00-05:00` },
  });
  return { tenant, admin, companyName, pay, therapists: { carlos, lucia }, patients: { ana, jose, pedro }, appointments: { a1, a2, a3, a4, a5, a6, a7 } };
}

export type Scenario = Awaited<ReturnType<typeof clinicScenario>>;
