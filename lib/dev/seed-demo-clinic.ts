import { sql, type Kysely } from 'kysely';

/*
 * A week of clinic life for the demo tenant, so the reports, statistics and exports have something
 * to show out of the box: a company row, a price list, three therapists, eight patients and, from six
 * days ago to tomorrow (Sundays off), six appointments a day with their tickets. Past appointments are
 * paid (ticket paid 20 minutes after the session, clinic time), today's are half paid, future ones not
 * yet (booked without a price: mark_as_paid charges the price list). As the API keeps it, each
 * appointment's payment status is its ticket's. Idempotent: nothing is added once the demo therapists
 * exist.
 */

export const DEMO_COMPANY = 'Reflexo Demo — Centro de Reflexología';

const THERAPISTS = [
  { document_number: '40000001', first_name: 'Carlos', last_name_paternal: 'Rodríguez', last_name_maternal: 'Martínez', gender: 'M' },
  { document_number: '40000002', first_name: 'Lucía', last_name_paternal: 'Paredes', last_name_maternal: 'Soto', gender: 'F' },
  { document_number: '40000003', first_name: 'Miguel Ángel', last_name_paternal: 'Ñahui', last_name_maternal: 'Quispe', gender: 'M' },
];

const PATIENTS = [
  ['11111111', 'Ana Sofía', 'García', 'Hernández', '+51 944 444 444'],
  ['22222222', 'José Luis', 'Pérez', 'Gómez', '+51 955 555 555'],
  ['33333333', 'María Elena', 'Quispe', 'Mamani', '+51 966 666 666'],
  ['44444444', 'Jorge', 'Castillo', 'Ríos', '+51 977 777 777'],
  ['55555555', 'Rosa', 'Flores', 'Huamán', '+51 988 888 888'],
  ['66666666', 'Luis Alberto', 'Torres', 'Vega', '+51 999 111 222'],
  ['77777777', 'Carmen', 'Salazar', 'Núñez', null],
  ['88888888', 'Pedro', 'Chávez', 'León', '+51 912 345 678'],
] as const;

const PRICE_LIST = [
  ['Sesión de reflexología', '60.00'],
  ['Consulta general', '80.00'],
  ['Terapia física', '100.00'],
] as const;

const HOURS = ['09:00', '10:00', '11:30', '15:00', '16:30', '18:00'];
const PRICES = ['50.00', '60.00', '80.00', '100.00', '120.00', '75.50'];
const METHODS = ['cash', 'yape', 'plin', 'card', 'transfer', 'cash'];

export async function seedDemoClinic(db: Kysely<any>, tenantId: number, log: (s: string) => void = () => {}): Promise<void> {
  await seedClinicData(db, tenantId, log);
  await seedDemoSchedules(db, tenantId, log);
}

/*
 * Weekly schedules for the demo doctors, so the v1 agenda has slots on a fresh `npm start`: Monday to
 * Friday 08:00–20:00 with lunch 13:00–14:00, Saturday 08:00–14:00, 30-minute slots. Databases seeded
 * before schedules existed get them too (any doctor without a block).
 */
const WEEK = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start_time: '08:00', end_time: '20:00', breaks: [{ inicio: '13:00', fin: '14:00' }] }));
const SATURDAY = { weekday: 6, start_time: '08:00', end_time: '14:00', breaks: [] };

async function seedDemoSchedules(db: Kysely<any>, tenantId: number, log: (s: string) => void): Promise<void> {
  const doctors = await db
    .selectFrom('therapists as t')
    .select('t.id')
    .where('t.reflexo_id', '=', tenantId)
    .where('t.document_number', 'in', THERAPISTS.map((t) => t.document_number))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('doctor_schedules as s').select('s.id').whereRef('s.therapist_id', '=', 't.id'))))
    .execute();
  if (!doctors.length) return;
  const blocks = doctors.flatMap((d) =>
    [...WEEK, SATURDAY].map((b) => ({ reflexo_id: tenantId, therapist_id: d.id, weekday: b.weekday, start_time: b.start_time, end_time: b.end_time, slot_minutes: 30, breaks: JSON.stringify(b.breaks) })),
  );
  await db.insertInto('doctor_schedules').values(blocks).execute();
  log(`  ✔ weekly schedules for ${doctors.length} demo doctors (Mon–Fri 08:00–20:00, Sat 08:00–14:00)`);
}

async function seedClinicData(db: Kysely<any>, tenantId: number, log: (s: string) => void): Promise<void> {
  const seeded = await db.selectFrom('therapists').select('id').where('reflexo_id', '=', tenantId).where('document_number', '=', THERAPISTS[0].document_number).executeTakeFirst();
  if (seeded) return;
  const hasCompany = await db.selectFrom('company_data').select('id').where('reflexo_id', '=', tenantId).executeTakeFirst();
  if (!hasCompany) await db.insertInto('company_data').values({ reflexo_id: tenantId, company_name: DEMO_COMPANY }).execute();

  const dni = await db.selectFrom('document_types').select('id').where('code', '=', 'DNI').executeTakeFirstOrThrow();
  const payTypes = new Map<string, number>(
    (await db.selectFrom('payment_types').select(['id', 'code']).execute()).map((r) => [r.code as string, r.id as number]),
  );
  const payStatuses = new Map<string, number>(
    (await db.selectFrom('payment_statuses').select(['id', 'code']).execute()).map((r) => [r.code as string, r.id as number]),
  );
  const hasPrices = await db.selectFrom('predetermined_prices').select('id').where('reflexo_id', '=', tenantId).executeTakeFirst();
  if (!hasPrices) await db.insertInto('predetermined_prices').values(PRICE_LIST.map(([name, price]) => ({ reflexo_id: tenantId, name, price }))).execute();
  const therapistIds: number[] = [];
  for (const t of THERAPISTS) {
    const row = await db
      .insertInto('therapists')
      .values({ ...t, reflexo_id: tenantId, document_type_id: dni.id, email: `${t.first_name.split(' ')[0].toLowerCase()}.${t.document_number}@demo.reflexo.pe`, region_id: 15, province_id: 1501, district_id: 150101 })
      .returning('id')
      .executeTakeFirstOrThrow();
    therapistIds.push(row.id as number);
  }
  const patientIds: number[] = [];
  for (const [document_number, name, paternal_lastname, maternal_lastname, phone1] of PATIENTS) {
    const row = await db
      .insertInto('patients')
      .values({ reflexo_id: tenantId, document_type_id: dni.id, document_number, name, paternal_lastname, maternal_lastname, phone1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    patientIds.push(row.id as number);
  }

  const tz = (await db.selectFrom('tenants').select('time_zone').where('id', '=', tenantId).executeTakeFirstOrThrow()).time_zone as string;
  const { rows } = await sql<{ today: string }>`SELECT to_char(now() AT TIME ZONE ${tz}, 'YYYY-MM-DD') AS today`.execute(db);
  const today = rows[0].today;
  let count = 0;
  for (let offset = -6; offset <= 1; offset++) {
    const day = new Date(Date.parse(`${today}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
    if (new Date(`${day}T00:00:00Z`).getUTCDay() === 0) continue;
    for (const [i, hour] of HOURS.entries()) {
      const k = (offset + 6) * HOURS.length + i;
      const paid = offset < 0 || (offset === 0 && i % 2 === 0);
      const future = offset > 0;
      const method = METHODS[k % METHODS.length];
      const appointment = await db
        .insertInto('appointments')
        .values({
          reflexo_id: tenantId,
          patient_id: patientIds[k % patientIds.length],
          therapist_id: therapistIds[i % therapistIds.length],
          appointment_date: day,
          hour,
          duration_minutes: 60,
          appointment_status_id: offset < 0 ? 2 : 1,
          appointment_type: k % 3 === 0 ? 'CC' : 'C',
          room: `Sala ${(i % therapistIds.length) + 1}`,
          payment: future ? null : PRICES[k % PRICES.length],
          payment_type_id: future ? null : (payTypes.get(method) ?? null),
          payment_status_id: payStatuses.get(paid ? 'paid' : 'pending') ?? null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const { rows: n } = await sql<{ last_number: number }>`
        INSERT INTO ticket_counters (reflexo_id, last_number) VALUES (${tenantId}, 1)
        ON CONFLICT (reflexo_id) DO UPDATE SET last_number = ticket_counters.last_number + 1
        RETURNING last_number`.execute(db);
      await db
        .insertInto('tickets')
        .values({
          reflexo_id: tenantId,
          appointment_id: appointment.id,
          ticket_number: `TKT-${String(n[0].last_number).padStart(6, '0')}`,
          amount: future ? '0' : PRICES[k % PRICES.length],
          payment_method: method,
          status: paid ? 'paid' : 'pending',
          payment_date: paid ? sql`((${day}::date + ${hour}::time + interval '20 minutes') AT TIME ZONE ${tz})` : null,
          description: 'Sesión de reflexología',
        })
        .execute();
      count++;
    }
  }
  log(`  ✔ demo clinic data: company "${DEMO_COMPANY}", ${THERAPISTS.length} therapists, ${PATIENTS.length} patients, ${count} appointments with tickets`);
}
