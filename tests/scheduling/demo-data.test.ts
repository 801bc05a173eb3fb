import { handler as tickets } from '../../functions/reflexo/appointments-tickets';
import { handler as appointments } from '../../functions/reflexo/appointments-appointments';
import { seedDemoClinic } from '../../lib/dev/seed-demo-clinic';
import { createTenant, createUser, ownerKysely } from '../helpers/fixtures';
import { call } from '../helpers/http';

/* The demo clinic (npm start) keeps the scheduling rules: payment status = ticket status, unpriced tickets payable in one call. */
it('every demo appointment shows its ticket’s status, and a future one is paid with one documented call', async () => {
  const db = ownerKysely();
  const tenant = await createTenant();
  await seedDemoClinic(db, tenant.id);
  const rows = await db
    .selectFrom('appointments as a')
    .innerJoin('tickets as t', 't.appointment_id', 'a.id')
    .leftJoin('payment_statuses as ps', 'ps.id', 'a.payment_status_id')
    .select(['a.id', 't.id as ticket_id', 't.status', 'ps.code', 'a.payment', 'a.appointment_date'])
    .where('a.reflexo_id', '=', tenant.id)
    .orderBy('a.appointment_date', 'desc')
    .execute();
  expect(rows.length).toBeGreaterThan(0);
  expect(rows.filter((r: any) => r.code !== r.status)).toEqual([]);

  const admin = await createUser({ reflexoId: tenant.id, role: 'Admin', staff: true });
  const future = rows.find((r: any) => r.payment === null)!;
  const before = await call(appointments, { path: `/api/appointments/appointments/${future.id}/`, token: admin.token });
  const pending = await db.selectFrom('payment_statuses').select('id').where('code', '=', 'pending').executeTakeFirstOrThrow();
  expect(before.body.payment_status).toMatchObject({ id: pending.id });
  const paid = await call(tickets, { method: 'POST', path: `/api/appointments/tickets/${future.ticket_id}/mark_as_paid/`, token: admin.token });
  expect(paid.status).toBe(200);
  const ticket = await call(tickets, { path: `/api/appointments/tickets/${future.ticket_id}/`, token: admin.token });
  expect(ticket.body).toMatchObject({ status: 'paid', amount: 60 });
});
