import type { Actor } from '../../lib/auth/actor';
import { withTenant } from '../../lib/db/tenant';
import { appointmentsSummary, cashReceipts, clinicStatistics, paidTicketsReport, reportScope, type Period } from '../../lib/domain/company-reports';
import { appointmentTotals, cashReceivedByMethod, paidTicketsByMethod, type ClinicPeriod } from '../../lib/queries/company-reports';
import { handler as reports } from '../../functions/reflexo/company-reports';
import { ownerKysely } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { clinicScenario, D, D_NEXT, D_PREV3, type Scenario } from './scenario';

/*
 * The aggregates any report of either surface is built from: one clinic, a span of its days and its
 * time zone in, plain rows out, with "what counts" decided once. The same rows answer a day and a
 * range, the domain's records add up to the Reflexo JSON, and moving the clinic to another time
 * zone moves a late payment to another day (the scenario's A3 ticket, paid 23:45 in Lima).
 */
let s: Scenario;
let actor: Actor;
beforeAll(async () => {
  s = await clinicScenario();
  actor = { userId: s.admin.id, reflexoId: s.tenant.id, isSuperuser: false, isStaff: true, role: 'Admin', isClinicAdmin: true, isPlatform: false, jti: 'test', tokenExp: 0 };
});
const asClinic = <T>(fn: Parameters<typeof withTenant<T>>[1]) => withTenant({ reflexoId: s.tenant.id, global: false, userId: s.admin.id }, fn);
const lima = (from: string, to = from): ClinicPeriod => ({ reflexoId: s.tenant.id, from, to, timeZone: 'America/Lima' });
const range = (from: string, to = from): Period => ({ from, to });

it('a range totals what its days total, for appointments, cash received and paid tickets', async () => {
  await asClinic(async (db) => {
    const days = [D_PREV3, '2025-08-23', '2025-08-24', D, D_NEXT];
    const whole = lima(D_PREV3, D_NEXT);
    const cents = (v: string | undefined) => Math.round(Number(v ?? 0) * 100);
    const grand = (rows: { method: string | null; total: string }[]) => rows.find((r) => r.method === null)?.total;
    let appointments = 0;
    let cash = 0;
    let tickets = 0;
    for (const d of days) {
      appointments += cents((await appointmentTotals(db, lima(d))).income);
      cash += cents(grand(await cashReceivedByMethod(db, lima(d))));
      tickets += cents(grand(await paidTicketsByMethod(db, lima(d))));
    }
    // A1 100 + A2 50 + A3 80.50 + A6 40 + A7 30 (A4 cancelled, A5 deleted).
    expect((await appointmentTotals(db, whole)).income).toBe('300.50');
    expect(appointments).toBe(30050);
    // D: 260.50 (A7's ticket is paid on D, not on its appointment's day); D+1: A6's 40.00.
    expect(grand(await cashReceivedByMethod(db, whole))).toBe('300.50');
    expect(cash).toBe(30050);
    expect(grand(await paidTicketsByMethod(db, whole))).toBe('160.50');
    expect(tickets).toBe(16050);
  });
});

it("the domain's records are what the Reflexo JSON shows, in the same order", async () => {
  const { stats, cash } = await asClinic(async (db) => {
    const scope = await reportScope(db, actor);
    return { stats: await clinicStatistics(db, scope, range(D, '2025-08-28')), cash: await cashReceipts(db, scope, range(D)) };
  });
  expect(stats.totals).toEqual({ patients: 3, sessions: 4, income: '270.50' });
  expect(stats.therapists.map((t) => [t.id, t.sessions, t.income, t.share])).toEqual([
    [s.therapists.carlos, 3, '190.00', '75.00'],
    [s.therapists.lucia, 1, '80.50', '25.00'],
  ]);
  expect(stats.appointmentTypes).toEqual([
    { type: 'C', sessions: 2 },
    { type: 'CC', sessions: 1 },
    { type: null, sessions: 1 },
  ]);
  const json = await call(reports, { path: '/api/company/reports/improved-daily-cash/', query: { date: D }, token: s.admin.token });
  expect(json.body.pagos_detallados.map((l: { id: number; monto: string }) => [l.id, l.monto])).toEqual(cash.lines.map((l) => [l.id, l.amount]));
  expect(json.body.total_general).toBe(cash.total);
  expect(cash.lines.map((l) => l.source)).toEqual(['ticket', 'appointment', 'ticket', 'ticket']);
});

it("a payment instant lands on the clinic's own calendar day: moving the clinic to UTC moves the 23:45 Lima ticket to the next day", async () => {
  const onD = async () =>
    asClinic(async (db) => {
      const scope = await reportScope(db, actor);
      return { paid: await paidTicketsReport(db, scope, range(D)), next: await paidTicketsReport(db, scope, range(D_NEXT)), booked: await appointmentsSummary(db, scope, range(D)) };
    });
  const before = await onD();
  expect(before.paid.tickets.map((t) => t.id)).toEqual([s.appointments.a7.ticketId, s.appointments.a2.ticketId, s.appointments.a3.ticketId]);
  await ownerKysely().updateTable('tenants').set({ time_zone: 'UTC' }).where('id', '=', s.tenant.id).execute();
  try {
    const after = await onD();
    // 23:45 in Lima is 04:45 UTC on the next day; appointments keep their own (wall-clock) date.
    expect(after.paid.tickets.map((t) => t.id)).toEqual([s.appointments.a7.ticketId, s.appointments.a2.ticketId]);
    expect(after.next.tickets.map((t) => [t.id, t.paidAt])).toEqual([[s.appointments.a3.ticketId, `${D_NEXT} 04:45`]]);
    expect(after.booked).toEqual(before.booked);
  } finally {
    await ownerKysely().updateTable('tenants').set({ time_zone: 'America/Lima' }).where('id', '=', s.tenant.id).execute();
  }
});
