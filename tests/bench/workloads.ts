/*
 * The issue-8 workloads: what each one calls, what it must answer, and the reference SQL of what
 * the route fundamentally needs (used for EXPLAIN and as the floor while a route is not deployed;
 * once it is, the floor is the route's own statements, captured and replayed).
 */
export interface BenchContext {
  scale: number;
  seedSeconds: number;
  /** Rows per table over all tenants, as the seed wrote them. */
  counts: Record<string, number>;
  tenantId: number;
  userId: number;
  email: string;
  password: string;
  therapistId: number;
  therapistIds: number[];
  patientIds: number[];
  /** The past day with the most payments in the largest tenant (W5b's day left out). */
  busyDay: string;
  busyDayPayments: number;
  /** W5b's day: BIG_DAY_APPOINTMENTS paid appointments, written by context.ts ensureBigDay before the run. */
  bigDay: string;
  /** The last full calendar month of data. */
  monthStart: string;
  monthEnd: string;
  /** First day after every seeded appointment: W6 books from there on, one free slot per call. */
  freeFrom: string;
  pendingStatusId: number;
}

export interface Request {
  method: string;
  path: string;
  query?: Record<string, string | number>;
  json?: unknown;
  auth: boolean;
}

export interface Workload {
  id: string;
  title: string;
  /** Target for in-process p50 at scale 10, ms. */
  targetP50: number;
  /** Compared with raw SQL (list/report workloads W2–W5). */
  raw: boolean;
  /** Issue 17's bound on handler ÷ raw SQL where it sets one (W0: the per-request floor of a catalog read). */
  targetRatio?: number;
  /** Issue 17's bound on round trips per request (W1 login, W6 booking). */
  maxQueries?: number;
  /** Repeated at every seeded scale. */
  growth: boolean;
  expect: number;
  /** `n` numbers the call, so writes can pick a fresh free slot each time. */
  request: (ctx: BenchContext, n: number) => Request;
  /** The same list at a bigger page, to show the number of queries does not depend on it. */
  biggerPage?: (ctx: BenchContext) => Request;
  reference?: (ctx: BenchContext) => { sql: string; params: unknown[] }[];
}

const addDays = (iso: string, n: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** The n-th free slot from ctx.freeFrom on: therapist-major within an hour, then hour, then day (Sundays skipped by nobody: the API allows them). */
export function freeSlot(ctx: BenchContext, n: number): { therapist: number; date: string; hour: string } {
  const t = ctx.therapistIds.length;
  const perDay = t * 12;
  const day = Math.floor(n / perDay);
  const inDay = n % perDay;
  const hour = 8 + Math.floor(inDay / t);
  return { therapist: ctx.therapistIds[inDay % t], date: addDays(ctx.freeFrom, day), hour: `${String(hour).padStart(2, '0')}:00` };
}

const PATIENT_LIST = `SELECT id, document_number, paternal_lastname, maternal_lastname, name, email, phone1, sex, address, reflexo_id, created_at, updated_at
  FROM patients WHERE reflexo_id = $1 AND deleted_at IS NULL`;

const dailyCash = (ctx: BenchContext, day: string) => [
  {
    sql: `SELECT a.id AS id_cita, a.payment, a.payment_type_id AS payment_type, pt.name AS payment_type_name
      FROM appointments a LEFT JOIN payment_types pt ON pt.id = a.payment_type_id
      WHERE a.reflexo_id = $1 AND a.appointment_date = $2 AND a.deleted_at IS NULL AND a.payment IS NOT NULL ORDER BY a.id DESC`,
    params: [ctx.tenantId, day],
  },
];

export const WORKLOADS: Workload[] = [
  {
    // The foundation's measurement, kept as the baseline: a global catalog, no tenant data.
    id: 'W0',
    title: 'GET /api/locations/districts/?province=1501',
    targetP50: 5,
    raw: true,
    targetRatio: 2,
    growth: false,
    expect: 200,
    request: () => ({ method: 'GET', path: '/api/locations/districts/', query: { province: 1501 }, auth: true }),
  },
  {
    id: 'W1',
    title: 'POST /api/architect/auth/login/',
    targetP50: Infinity, // scrypt by design; no latency target in the issue
    raw: false,
    maxQueries: 4,
    growth: false,
    expect: 200,
    request: (ctx) => ({ method: 'POST', path: '/api/architect/auth/login/', json: { email: ctx.email, password: ctx.password }, auth: false }),
    reference: () => [{ sql: `SELECT id, password_hash, reflexo_id, is_active FROM users WHERE email = $1`, params: ['admin1@bench.reflexo.pe'] }],
  },
  {
    id: 'W2',
    title: 'GET /api/patients/patients/?page=1',
    targetP50: 5,
    raw: true,
    growth: true,
    expect: 200,
    request: () => ({ method: 'GET', path: '/api/patients/patients/', query: { page: 1 }, auth: true }),
    biggerPage: () => ({ method: 'GET', path: '/api/patients/patients/', query: { page: 1, per_page: 100, page_size: 100 }, auth: true }),
    reference: (ctx) => [
      { sql: `SELECT count(*) FROM patients WHERE reflexo_id = $1 AND deleted_at IS NULL`, params: [ctx.tenantId] },
      { sql: `${PATIENT_LIST} ORDER BY id DESC LIMIT 20 OFFSET 0`, params: [ctx.tenantId] },
    ],
  },
  {
    id: 'W3',
    title: 'GET /api/patients/patients/search/?q=mar',
    targetP50: 10,
    raw: true,
    growth: true,
    expect: 200,
    request: () => ({ method: 'GET', path: '/api/patients/patients/search/', query: { q: 'mar' }, auth: true }),
    reference: (ctx) => [
      { sql: `SELECT count(*) FROM patients WHERE reflexo_id = $1 AND deleted_at IS NULL AND search_text LIKE $2`, params: [ctx.tenantId, '%mar%'] },
      { sql: `${PATIENT_LIST} AND search_text LIKE $2 ORDER BY id DESC LIMIT 20`, params: [ctx.tenantId, '%mar%'] },
    ],
  },
  {
    id: 'W4',
    title: 'GET /api/appointments/appointments/?page=1',
    targetP50: 5,
    raw: true,
    growth: true,
    expect: 200,
    request: () => ({ method: 'GET', path: '/api/appointments/appointments/', query: { page: 1 }, auth: true }),
    biggerPage: () => ({ method: 'GET', path: '/api/appointments/appointments/', query: { page: 1, page_size: 100, per_page: 100 }, auth: true }),
    reference: (ctx) => [
      { sql: `SELECT count(*) FROM appointments WHERE reflexo_id = $1 AND deleted_at IS NULL`, params: [ctx.tenantId] },
      {
        sql: `SELECT a.*, p.name, p.paternal_lastname, p.document_number, t.first_name, t.last_name_paternal, t.document_number AS t_doc, s.name AS status_name
          FROM appointments a JOIN patients p ON p.id = a.patient_id JOIN therapists t ON t.id = a.therapist_id
          JOIN appointment_statuses s ON s.id = a.appointment_status_id
          WHERE a.reflexo_id = $1 AND a.deleted_at IS NULL ORDER BY a.appointment_date DESC, a.hour DESC, a.id DESC LIMIT 20`,
        params: [ctx.tenantId],
      },
    ],
  },
  {
    id: 'W5',
    title: 'GET /api/company/reports/daily-cash/?date=<busy day>',
    targetP50: 10,
    raw: true,
    growth: true,
    expect: 200,
    request: (ctx) => ({ method: 'GET', path: '/api/company/reports/daily-cash/', query: { date: ctx.busyDay }, auth: true }),
    reference: (ctx) => dailyCash(ctx, ctx.busyDay),
  },
  {
    // Issue 17: a day of 1,500 appointments at any scale (context.ts ensureBigDay fills it).
    id: 'W5b',
    title: 'GET /api/company/reports/daily-cash/?date=<day with 1,500 appointments>',
    targetP50: 15,
    raw: true,
    growth: false,
    expect: 200,
    request: (ctx) => ({ method: 'GET', path: '/api/company/reports/daily-cash/', query: { date: ctx.bigDay }, auth: true }),
    reference: (ctx) => dailyCash(ctx, ctx.bigDay),
  },
  {
    id: 'W6',
    title: 'POST /api/appointments/appointments/create/',
    targetP50: 15,
    raw: false,
    maxQueries: 6,
    growth: false,
    expect: 201,
    request: (ctx, n) => {
      const s = freeSlot(ctx, n);
      return {
        method: 'POST',
        path: '/api/appointments/appointments/create/',
        json: {
          patient: ctx.patientIds[n % ctx.patientIds.length],
          therapist: s.therapist,
          appointment_date: s.date,
          hour: s.hour,
          appointment_status: ctx.pendingStatusId,
          appointment_type: 'Consulta',
          ailments: 'Dolor lumbar',
          observation: 'Reserva del benchmark',
        },
        auth: true,
      };
    },
  },
  {
    id: 'W7',
    title: 'GET /api/therapists/therapists/<id>/',
    targetP50: 1, // issue 17 (a detail at the per-request floor)
    raw: false,
    growth: false,
    expect: 200,
    request: (ctx) => ({ method: 'GET', path: `/api/therapists/therapists/${ctx.therapistId}/`, auth: true }),
    reference: (ctx) => [{ sql: `SELECT * FROM therapists WHERE id = $1 AND reflexo_id = $2 AND deleted_at IS NULL`, params: [ctx.therapistId, ctx.tenantId] }],
  },
  {
    id: 'W8',
    title: 'GET /api/company/reports/statistics/?start=&end= (one month)',
    targetP50: 100,
    raw: false,
    growth: false,
    expect: 200,
    request: (ctx) => ({ method: 'GET', path: '/api/company/reports/statistics/', query: { start: ctx.monthStart, end: ctx.monthEnd }, auth: true }),
    reference: (ctx) => [
      {
        sql: `SELECT a.therapist_id, count(*) AS sesiones, sum(a.payment) AS ingresos, count(DISTINCT a.patient_id) AS pacientes
          FROM appointments a WHERE a.reflexo_id = $1 AND a.deleted_at IS NULL AND a.appointment_date BETWEEN $2 AND $3 GROUP BY a.therapist_id`,
        params: [ctx.tenantId, ctx.monthStart, ctx.monthEnd],
      },
      {
        sql: `SELECT pt.name, count(*) FROM appointments a JOIN payment_types pt ON pt.id = a.payment_type_id
          WHERE a.reflexo_id = $1 AND a.deleted_at IS NULL AND a.appointment_date BETWEEN $2 AND $3 GROUP BY pt.name`,
        params: [ctx.tenantId, ctx.monthStart, ctx.monthEnd],
      },
      {
        sql: `SELECT extract(isodow FROM a.appointment_date) AS dow, count(*), sum(a.payment) FROM appointments a
          WHERE a.reflexo_id = $1 AND a.deleted_at IS NULL AND a.appointment_date BETWEEN $2 AND $3 GROUP BY 1`,
        params: [ctx.tenantId, ctx.monthStart, ctx.monthEnd],
      },
    ],
  },
  // v1 cash ledger (issue 14): one GROUPING SETS statement per report over the (reflexo_id, occurred_at)
  // index, the opening balance from per-day totals; paid tickets, manual entries and invoice payments.
  {
    id: 'W9',
    title: 'GET /api/v1/transactions/daily-report?date=<busy day>',
    targetP50: 25,
    raw: false,
    growth: false,
    expect: 200,
    request: (ctx) => ({ method: 'GET', path: '/api/v1/transactions/daily-report', query: { date: ctx.busyDay }, auth: true }),
  },
  {
    id: 'W10',
    title: 'GET /api/v1/transactions/monthly-report?year=&month= (one month)',
    targetP50: 60,
    raw: false,
    growth: false,
    expect: 200,
    request: (ctx) => ({ method: 'GET', path: '/api/v1/transactions/monthly-report', query: { year: Number(ctx.monthStart.slice(0, 4)), month: Number(ctx.monthStart.slice(5, 7)) }, auth: true }),
  },
  {
    id: 'W11',
    title: 'GET /api/v1/transactions/summary?start_date=&end_date= (one month)',
    targetP50: 40,
    raw: false,
    growth: false,
    expect: 200,
    request: (ctx) => ({ method: 'GET', path: '/api/v1/transactions/summary', query: { start_date: ctx.monthStart, end_date: ctx.monthEnd }, auth: true }),
  },
  // v1 core (issue 13), beside their Reflexo equivalents (W2, W4): the same tables, the v1 shapes.
  {
    id: 'W12',
    title: 'GET /api/v1/patients?page=1 (with ultima_cita, proxima_cita, total_citas, citas_realizadas)',
    targetP50: 5,
    raw: false,
    growth: false,
    expect: 200,
    request: () => ({ method: 'GET', path: '/api/v1/patients', query: { page: 1 }, auth: true }),
    biggerPage: () => ({ method: 'GET', path: '/api/v1/patients', query: { page: 1, size: 200 }, auth: true }),
  },
  {
    id: 'W13',
    title: 'GET /api/v1/appointments/date/<busy day> (the agenda of a day)',
    targetP50: 5,
    raw: false,
    growth: false,
    expect: 200,
    request: (ctx) => ({ method: 'GET', path: `/api/v1/appointments/date/${ctx.busyDay}`, auth: true }),
    biggerPage: (ctx) => ({ method: 'GET', path: `/api/v1/appointments/date/${ctx.busyDay}`, query: { size: 200 }, auth: true }),
  },
  {
    id: 'W14',
    title: 'GET /api/v1/doctors/<id>/available-slots?date= (one day)',
    targetP50: 5,
    raw: false,
    growth: false,
    expect: 200,
    request: (ctx) => ({ method: 'GET', path: `/api/v1/doctors/${ctx.therapistId}/available-slots`, query: { date: ctx.freeFrom }, auth: true }),
  },
  {
    id: 'W15',
    title: 'GET /api/v1/doctors/<id>/available-slots?from=&to= (31 days)',
    targetP50: 20,
    raw: false,
    growth: false,
    expect: 200,
    request: (ctx) => ({ method: 'GET', path: `/api/v1/doctors/${ctx.therapistId}/available-slots`, query: { from: addDays(ctx.freeFrom, -15), to: addDays(ctx.freeFrom, 15) }, auth: true }),
  },
  // v1 reports (issue 16): SQL aggregates over one month of the largest clinic.
  ...(
    [
      ['W16', 'dashboard', 100],
      ['W17', 'productivity', 300],
      ['W18', 'financial', 300],
      ['W19', 'patients', 300],
      ['W20', 'appointments', 300],
      ['W21', 'inventory', 300],
    ] as const
  ).map(
    ([id, name, target]): Workload => ({
      id,
      title: `GET /api/v1/reports/${name}?start_date=&end_date= (one month)`,
      targetP50: target,
      raw: false,
      growth: false,
      expect: 200,
      request: (ctx) => ({ method: 'GET', path: `/api/v1/reports/${name}`, query: { start_date: ctx.monthStart, end_date: ctx.monthEnd }, auth: true }),
    }),
  ),
  {
    id: 'W22',
    title: 'GET /api/v1/statistics/clinic?start_date=&end_date= (one month)',
    targetP50: 300,
    raw: false,
    growth: false,
    expect: 200,
    request: (ctx) => ({ method: 'GET', path: '/api/v1/statistics/clinic', query: { start_date: ctx.monthStart, end_date: ctx.monthEnd }, auth: true }),
  },
];
