/*
 * The benchmark's data, generated deterministically (seeded PRNG): the same scale gives the same rows
 * on every machine, so numbers measured later on a quiet machine describe the same data.
 *
 * Pure: rows come out as arrays of column values in the order of the *_COLUMNS lists, and seed.ts
 * turns them into COPY text. The invariants the schema enforces (no overlapping slot per therapist or
 * room, unique documents and e-mails per tenant, consecutive ticket and history numbers) hold by
 * construction, and tests/bench/seed-data.test.ts checks them.
 */

export type Value = string | number | boolean | null;

/** Tenant size relative to the largest (the first); the 19 others add up to about half of it. */
export const TENANT_FACTORS = [
  1, 0.15, 0.1, 0.06, 0.04, 0.03, 0.02, 0.02, 0.015, 0.015, 0.01, 0.01, 0.01, 0.005, 0.005, 0.005, 0.005, 0.003, 0.003, 0.002,
];

/** Per unit of scale, for the largest tenant (the S × …). */
export const PER_SCALE = { patients: 10_000, therapists: 20, appointments: 100_000 };
export const HISTORY_SHARE = 0.6; // patients with a clinical history
export const RECORDS_PER_PATIENT = 0.5; // medical records per patient, on average
export const DAYS_BACK = 700; // ~two years of past agenda…
export const DAYS_AHEAD = 30; // …and a month already booked
export const FIRST_HOUR = 8; // slots 08:00 … 19:00
export const SLOTS_PER_DAY = 12;
/** Appointment volume per weekday (Sunday closed, Monday busiest). */
export const WEEKDAY_WEIGHT = [0, 1.25, 1.1, 1, 1, 1.05, 0.6];

export interface TenantPlan {
  index: number;
  name: string;
  patients: number;
  therapists: number;
  appointments: number;
}

export function planTenants(scale: number): TenantPlan[] {
  return TENANT_FACTORS.map((f, index) => ({
    index,
    name: index === 0 ? 'Reflexo Perú – Sede Central' : `Reflexo ${CLINIC_PLACES[index % CLINIC_PLACES.length]}`,
    patients: Math.max(3, Math.round(scale * f * PER_SCALE.patients)),
    therapists: Math.max(2, Math.round(scale * f * PER_SCALE.therapists)),
    appointments: Math.max(10, Math.round(scale * f * PER_SCALE.appointments)),
  }));
}

/** mulberry32: small, fast, good enough for test data, and reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]) => xs[Math.floor(r() * xs.length)];

const CLINIC_PLACES = [
  'Lima',
  'Miraflores',
  'San Isidro',
  'Surco',
  'San Borja',
  'La Molina',
  'Los Olivos',
  'Arequipa',
  'Trujillo',
  'Chiclayo',
  'Piura',
  'Cusco',
  'Huancayo',
  'Ica',
  'Tacna',
  'Puno',
  'Cajamarca',
  'Chimbote',
  'Ayacucho',
  'Iquitos',
];
const FEMALE = ['María', 'Rosa', 'Carmen', 'Ana', 'Luz', 'Juana', 'Elena', 'Mariana', 'Milagros', 'Lucía', 'Sofía', 'Valeria', 'Camila', 'Ximena', 'Flor', 'Gladys', 'Maribel', 'Marisol', 'Yolanda', 'Diana', 'Katherine', 'Fiorella', 'Nataly', 'Rocío', 'Pilar'];
const MALE = ['José', 'Luis', 'Juan', 'Carlos', 'Jorge', 'Miguel', 'César', 'Víctor', 'Marco', 'Mario', 'Pedro', 'Raúl', 'Ricardo', 'Alejandro', 'Diego', 'Renzo', 'Jhon', 'Christian', 'Wilmer', 'Edwin', 'Percy', 'Walter', 'Hugo', 'Martín', 'Jesús'];
const SURNAMES = ['Quispe', 'Flores', 'Sánchez', 'Rodríguez', 'García', 'Rojas', 'Huamán', 'Mamani', 'Chávez', 'Vásquez', 'Ramírez', 'Torres', 'Mendoza', 'Castillo', 'Díaz', 'Gutiérrez', 'Espinoza', 'Vargas', 'Ramos', 'López', 'Cruz', 'Condori', 'Pérez', 'Gonzales', 'Martínez', 'Marín', 'Morales', 'Salazar', 'Paredes', 'Ccama', 'Tello', 'Huanca', 'Apaza', 'Palomino', 'Cárdenas', 'Marquina', 'Villanueva', 'Cusi', 'Inga', 'Yupanqui'];
const STREETS = ['Av. Arequipa', 'Av. Brasil', 'Jr. de la Unión', 'Av. Javier Prado', 'Av. Benavides', 'Calle Los Pinos', 'Av. La Marina', 'Jr. Huancavelica', 'Av. Túpac Amaru', 'Av. Universitaria', 'Calle Las Begonias', 'Av. Grau'];
const OCCUPATIONS = ['Docente', 'Comerciante', 'Ingeniera', 'Contador', 'Enfermera', 'Estudiante', 'Abogado', 'Chofer', 'Ama de casa', 'Administradora', 'Jubilado', 'Técnico'];
const AILMENTS = ['Dolor lumbar', 'Cervicalgia', 'Estrés', 'Migraña', 'Insomnio', 'Dolor de rodilla', 'Fascitis plantar', 'Ansiedad', 'Contractura dorsal', 'Ciática'];
const MAIL_DOMAINS = ['gmail.com', 'hotmail.com', 'outlook.com', 'yahoo.es'];
/** Lima districts (INEI ubigeo) get most patients; the rest of the country the remainder. */
export const LIMA_DISTRICTS = [150101, 150103, 150105, 150108, 150110, 150113, 150115, 150116, 150120, 150122, 150130, 150131, 150132, 150135, 150140, 150141, 150142, 150143];
export const DIAGNOSES: [string, string][] = [
  ['M54.5', 'Lumbago no especificado'],
  ['M54.2', 'Cervicalgia'],
  ['M79.1', 'Mialgia'],
  ['G43.9', 'Migraña, no especificada'],
  ['F41.1', 'Trastorno de ansiedad generalizada'],
  ['G47.0', 'Insomnio'],
  ['M72.2', 'Fibromatosis de la aponeurosis plantar'],
  ['M25.56', 'Dolor en articulación de rodilla'],
  ['M54.3', 'Ciática'],
  ['R51', 'Cefalea'],
  ['K59.0', 'Estreñimiento'],
  ['N94.6', 'Dismenorrea no especificada'],
];
/** payment_types.code → share of payments (Peru: cash and Yape dominate). */
export const PAYMENT_MIX: [string, number][] = [
  ['cash', 0.35],
  ['yape', 0.3],
  ['card', 0.15],
  ['plin', 0.1],
  ['transfer', 0.1],
];
const PRICES = ['50.00', '60.00', '80.00', '100.00', '120.00', '150.00'];

export const PATIENT_COLUMNS = ['id', 'reflexo_id', 'document_type_id', 'document_number', 'name', 'paternal_lastname', 'maternal_lastname', 'email', 'phone1', 'sex', 'birth_date', 'address', 'ocupation', 'region_id', 'province_id', 'district_id', 'created_at', 'updated_at'];
export const THERAPIST_COLUMNS = ['id', 'reflexo_id', 'document_type_id', 'document_number', 'last_name_paternal', 'last_name_maternal', 'first_name', 'birth_date', 'gender', 'phone', 'email', 'region_id', 'province_id', 'district_id', 'address'];
export const HISTORY_COLUMNS = ['id', 'reflexo_id', 'local_id', 'patient_id', 'testimony', 'observation', 'height', 'weight', 'last_weight', 'menstruation', 'gestation'];
export const RECORD_COLUMNS = ['id', 'reflexo_id', 'patient_id', 'diagnose_id', 'diagnosis_date', 'notes', 'symptoms', 'treatment', 'status'];
export const APPOINTMENT_COLUMNS = ['id', 'reflexo_id', 'patient_id', 'therapist_id', 'appointment_date', 'hour', 'duration_minutes', 'appointment_status_id', 'appointment_type', 'room', 'ailments', 'observation', 'payment', 'payment_type_id', 'payment_status_id', 'cancelled_at', 'created_at', 'updated_at'];
export const TICKET_COLUMNS = ['id', 'reflexo_id', 'appointment_id', 'ticket_number', 'amount', 'payment_method', 'payment_date', 'status', 'is_active', 'created_at', 'updated_at'];

export const ticketNumber = (n: number) => `TKT-${String(n).padStart(3, '0')}`;

/** Catalog ids the rows refer to, read from the migrated database. */
export interface Catalogs {
  dniTypeId: number;
  statusIds: { pending: number; completed: number; cancelled: number; rescheduled: number };
  paymentTypeIds: Record<string, number>;
  paymentStatusIds: { pending: number; paid: number; cancelled: number };
  diagnoseIds: number[];
  /** district id → [province id, region id] */
  districts: Map<number, [number, number]>;
}

export interface IdCursor {
  patient: number;
  therapist: number;
  history: number;
  record: number;
  appointment: number;
  ticket: number;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
export const isoDate = (d: Date) => `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
const addDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);

/** Document numbers: 8-digit DNIs, a bijection of the index (48271 is coprime with 9e7), so unique per tenant. */
export const dni = (i: number, salt: number) => String(10_000_000 + ((i * 48271 + salt * 7_919_001) % 90_000_000));

export interface TenantRows {
  therapists: Value[][];
  patients: Value[][];
  histories: Value[][];
  records: Value[][];
  /** Largest tables: yielded in chunks so memory stays flat. */
  appointments: () => Generator<Value[][]>;
  /** Filled while `appointments` is consumed; numbers 1..n in booking order. */
  tickets: Value[][];
  lastTicketNumber: () => number;
  lastHistoryLocalId: number;
}

/**
 * All rows of one tenant. `today` anchors the agenda (past: mostly completed and paid; future:
 * pending); ids are taken from `ids` and advanced.
 */
export function tenantRows(plan: TenantPlan, reflexoId: number, ids: IdCursor, cat: Catalogs, today: Date): TenantRows {
  const r = rng(1000 + plan.index);
  const allDistricts = [...cat.districts.keys()];
  const lima = LIMA_DISTRICTS.filter((x) => cat.districts.has(x));
  const place = () => {
    const d = r() < 0.8 && lima.length ? pick(r, lima) : pick(r, allDistricts);
    const [p, reg] = cat.districts.get(d)!;
    return [reg, p, d];
  };
  const person = () => {
    const female = r() < 0.62;
    return { female, first: pick(r, female ? FEMALE : MALE), pat: pick(r, SURNAMES), mat: pick(r, SURNAMES) };
  };
  const slug = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  const stamp = (day: Date, hour: number) => `${isoDate(day)} ${pad2(hour)}:00:00-05`;
  const start = addDays(today, -DAYS_BACK);

  const therapistIds: number[] = [];
  const therapists: Value[][] = [];
  for (let i = 0; i < plan.therapists; i++) {
    const id = ++ids.therapist;
    therapistIds.push(id);
    const p = person();
    therapists.push([
      id, reflexoId, cat.dniTypeId, dni(i, 10_000 + plan.index), p.pat, p.mat, p.first,
      `${1965 + Math.floor(r() * 35)}-${pad2(1 + Math.floor(r() * 12))}-${pad2(1 + Math.floor(r() * 28))}`,
      p.female ? 'F' : 'M', `9${String(Math.floor(r() * 1e8)).padStart(8, '0')}`,
      `${slug(p.first)}.${slug(p.pat)}.${i}@reflexo.pe`, ...place(), `${pick(r, STREETS)} ${100 + Math.floor(r() * 2900)}`,
    ]);
  }

  const patientIds: number[] = [];
  const patients: Value[][] = [];
  const histories: Value[][] = [];
  const records: Value[][] = [];
  let localId = 0;
  for (let i = 0; i < plan.patients; i++) {
    const id = ++ids.patient;
    patientIds.push(id);
    const p = person();
    const created = addDays(start, Math.floor(r() * DAYS_BACK));
    const ts = stamp(created, 9 + Math.floor(r() * 9));
    patients.push([
      id, reflexoId, cat.dniTypeId, dni(i, plan.index), p.first, p.pat, p.mat,
      r() < 0.6 ? `${slug(p.first)}.${slug(p.pat)}${i}@${pick(r, MAIL_DOMAINS)}` : null,
      `9${String(Math.floor(r() * 1e8)).padStart(8, '0')}`, p.female ? 'F' : 'M',
      `${1945 + Math.floor(r() * 62)}-${pad2(1 + Math.floor(r() * 12))}-${pad2(1 + Math.floor(r() * 28))}`,
      `${pick(r, STREETS)} ${100 + Math.floor(r() * 2900)}`, pick(r, OCCUPATIONS), ...place(), ts, ts,
    ]);
    if (r() < HISTORY_SHARE) {
      const weight = (50 + r() * 40).toFixed(2);
      histories.push([++ids.history, reflexoId, ++localId, id, r() < 0.7, pick(r, AILMENTS), (1.45 + r() * 0.45).toFixed(2), weight, weight, p.female, false]);
    }
    // 0, 1 or 2 records, each on its own date (the live (patient, diagnose, date) trio is unique).
    const n = r() < RECORDS_PER_PATIENT ? (r() < 0.2 ? 2 : 1) : 0;
    for (let k = 0; k < n; k++) {
      const day = isoDate(addDays(created, k * 30));
      records.push([++ids.record, reflexoId, id, pick(r, cat.diagnoseIds), day, 'Evaluación inicial', pick(r, AILMENTS), 'Sesiones de reflexología semanales', 'active']);
    }
  }

  const tickets: Value[][] = [];
  let ticketNo = 0;
  const HOURS = Array.from({ length: 24 }, (_, h) => `${pad2(h)}:00:00`);
  const rooms = therapistIds.map((_, t) => `Consultorio ${t + 1}`);
  const totalDays = DAYS_BACK + DAYS_AHEAD;
  let weightSum = 0;
  for (let d = 0; d < totalDays; d++) weightSum += WEEKDAY_WEIGHT[addDays(start, d).getUTCDay()];
  const perWeight = plan.appointments / weightSum;
  const capacity = plan.therapists * SLOTS_PER_DAY;
  const todayIso = isoDate(today);
  const payTotal = PAYMENT_MIX.reduce((a, [, w]) => a + w, 0);
  const payMethod = () => {
    let x = r() * payTotal;
    for (const [code, w] of PAYMENT_MIX) if ((x -= w) < 0) return code;
    return PAYMENT_MIX[0][0];
  };

  // Date formatting dominated the generator's time: every day's strings are made once.
  const LEAD = 14; // bookings are made up to two weeks ahead
  const days = Array.from({ length: totalDays + LEAD }, (_, i) => {
    const day = addDays(start, i - LEAD);
    return { iso: isoDate(day), weekday: day.getUTCDay(), stamps: Array.from({ length: 24 }, (_, h) => stamp(day, h)) };
  });
  const dayAt = (d: number) => days[d + LEAD];

  function* appointments(): Generator<Value[][]> {
    const slots = Int32Array.from({ length: capacity }, (_, i) => i);
    let carry = 0;
    for (let d = 0; d < totalDays; d++) {
      const w = WEEKDAY_WEIGHT[dayAt(d).weekday];
      if (w === 0) continue;
      const want = perWeight * w * (0.85 + 0.3 * r()) + carry;
      const n = Math.min(capacity, Math.floor(want));
      carry = want - Math.floor(want);
      const dayIso = dayAt(d).iso;
      const past = dayIso < todayIso;
      const chunk: Value[][] = [];
      // Partial Fisher–Yates: n distinct (therapist, hour) slots, so no therapist is booked twice
      // at once; each therapist works in their own room, so rooms never collide either.
      for (let k = 0; k < n; k++) {
        const j = k + Math.floor(r() * (capacity - k));
        const s = slots[j];
        slots[j] = slots[k];
        slots[k] = s;
        const t = s % plan.therapists;
        const hour = FIRST_HOUR + Math.floor(s / plan.therapists);
        // Regulars come back: the first patients of the list carry more of the agenda.
        const patientId = patientIds[Math.floor(patientIds.length * r() ** 1.6)];
        const roll = r();
        const kind = !past ? 'pending' : roll < 0.86 ? 'completed' : roll < 0.94 ? 'cancelled' : roll < 0.97 ? 'rescheduled' : 'pending';
        const method = payMethod();
        const price = pick(r, PRICES);
        const paid = kind === 'completed';
        const cancelled = kind === 'cancelled';
        const id = ++ids.appointment;
        const created = dayAt(d - Math.floor(r() * LEAD)).stamps[8 + Math.floor(r() * 10)];
        const when = dayAt(d).stamps[hour];
        chunk.push([
          id, reflexoId, patientId, therapistIds[t], dayIso, HOURS[hour], r() < 0.8 ? 60 : 45, cat.statusIds[kind],
          r() < 0.7 ? 'Sesión' : 'Consulta', rooms[t], pick(r, AILMENTS), null,
          cancelled ? null : price, cancelled ? null : cat.paymentTypeIds[method],
          cancelled ? cat.paymentStatusIds.cancelled : paid ? cat.paymentStatusIds.paid : cat.paymentStatusIds.pending,
          cancelled ? when : null, created, paid ? when : created,
        ]);
        tickets.push([
          ++ids.ticket, reflexoId, id, ticketNumber(++ticketNo), cancelled ? '0.00' : price, method, paid ? when : null,
          paid ? 'paid' : cancelled ? 'cancelled' : 'pending', !cancelled, created, paid ? when : created,
        ]);
      }
      if (chunk.length) yield chunk;
    }
  }

  return { therapists, patients, histories, records, appointments, tickets, lastTicketNumber: () => ticketNo, lastHistoryLocalId: localId };
}

// ---- v1 money and inventory (issue 14) --------------------------------------------------------------
//
// Paid tickets enter the cash ledger by themselves (the tickets trigger of migration 0023 fires on the
// tickets COPY). On top of them each clinic gets manual cash entries (supplies, services, product
// sales), invoices for packages with their payments (ledger entries), and an inventory of products
// whose movements never take the stock below zero. Invoice totals and statuses are filled by SQL after
// the COPY (seed.ts), so every sum and rounding is PostgreSQL's.

export const SUPPLIER_COLUMNS = ['id', 'reflexo_id', 'name', 'ruc', 'contact', 'phone', 'email'];
export const PRODUCT_COLUMNS = ['id', 'reflexo_id', 'name', 'sku', 'category', 'unit', 'sale_price', 'cost', 'min_stock', 'supplier_id', 'created_at', 'updated_at'];
export const MOVEMENT_COLUMNS = ['reflexo_id', 'product_id', 'kind', 'quantity', 'reason', 'supplier_id', 'unit_cost', 'created_at'];
export const INVOICE_COLUMNS = ['id', 'reflexo_id', 'series', 'number', 'patient_id', 'status', 'issue_date', 'igv_rate', 'prices_include_igv', 'cancelled_at', 'created_at', 'updated_at'];
export const INVOICE_ITEM_COLUMNS = ['reflexo_id', 'invoice_id', 'line_no', 'description', 'quantity', 'unit_price', 'igv_rate', 'prices_include_igv'];
export const LEDGER_COLUMNS = ['reflexo_id', 'kind', 'source', 'invoice_id', 'patient_id', 'concept', 'amount', 'payment_type_id', 'payment_method', 'occurred_at', 'status', 'reference'];

/** Products per therapist, manual cash entries per therapist per open day, invoices per appointment. */
export const PRODUCTS_PER_THERAPIST = 5;
export const MANUAL_PER_THERAPIST_DAY = 0.1;
export const INVOICE_SHARE = 0.05;
/** Every ~2 weeks a product is used (salida) and restocked (entrada) when it runs low. */
const MOVEMENT_EVERY_DAYS = 14;

const PACKAGES: [string, number][] = [
  ['Paquete 4 sesiones de fisioterapia', 28000],
  ['Paquete 8 sesiones de reflexología', 52000],
  ['Evaluación integral', 12000],
  ['Plan de rehabilitación mensual', 45000],
  ['Faja lumbar', 8990],
  ['Gel conductor 250 ml', 2550],
  ['Kinesiotape', 3500],
];
const SUPPLIES = ['Gel conductor', 'Aceite de masaje', 'Kinesiotape', 'Gasas estériles', 'Guantes de nitrilo', 'Alcohol 70°', 'Compresas frías', 'Vendas elásticas', 'Papel camilla', 'Crema antiinflamatoria'];
const EXPENSES = ['Compra de insumos', 'Servicio de limpieza', 'Movilidad', 'Mantenimiento de equipos', 'Útiles de oficina', 'Agua y café', 'Lavandería de toallas'];
/** RUCs with a valid check digit (SUNAT, BCP, Backus, a person). */
const RUCS = ['20131312955', '20100047218', '20100113610', '10467793549'];

export interface MoneyIdCursor {
  supplier: number;
  product: number;
  invoice: number;
}

export interface MoneyRows {
  suppliers: Value[][];
  products: Value[][];
  movements: Value[][];
  invoices: Value[][];
  items: Value[][];
  ledger: Value[][];
  lastInvoiceNumber: number;
}

const soles = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

/**
 * One clinic's suppliers, products and movements, manual cash entries and invoices with payments over
 * the past agenda. `methods` maps payment_types.code → { id, name } (the ledger stores both).
 */
export function moneyRows(plan: TenantPlan, reflexoId: number, ids: MoneyIdCursor, patientIds: number[], methods: Record<string, { id: number; name: string }>, today: Date): MoneyRows {
  const r = rng(5000 + plan.index);
  const start = addDays(today, -DAYS_BACK);
  const stampAt = (day: Date, hour: number, minute: number) => `${isoDate(day)} ${pad2(hour)}:${pad2(minute)}:00-05`;
  const payTotal = PAYMENT_MIX.reduce((a, [, w]) => a + w, 0);
  const method = () => {
    let x = r() * payTotal;
    for (const [code, w] of PAYMENT_MIX) if ((x -= w) < 0) return methods[code];
    return methods[PAYMENT_MIX[0][0]];
  };

  const suppliers: Value[][] = [];
  const supplierIds: number[] = [];
  const nSuppliers = Math.max(2, Math.round(plan.therapists / 2));
  for (let i = 0; i < nSuppliers; i++) {
    const id = ++ids.supplier;
    supplierIds.push(id);
    // a RUC is unique per clinic: the few valid ones first, then none
    suppliers.push([id, reflexoId, `Distribuidora ${pick(r, SURNAMES)} ${i + 1}`, i < RUCS.length ? RUCS[i] : null, `${pick(r, FEMALE)} ${pick(r, SURNAMES)}`, `9${String(Math.floor(r() * 1e8)).padStart(8, '0')}`, `ventas${i + 1}@proveedor.pe`]);
  }

  const products: Value[][] = [];
  const movements: Value[][] = [];
  const nProducts = Math.max(5, plan.therapists * PRODUCTS_PER_THERAPIST);
  const created = stampAt(start, 8, 0);
  for (let i = 0; i < nProducts; i++) {
    const id = ++ids.product;
    const supplier = supplierIds[i % supplierIds.length];
    const costCents = 300 + Math.floor(r() * 4000);
    const minStock = 5 + Math.floor(r() * 20);
    products.push([id, reflexoId, `${SUPPLIES[i % SUPPLIES.length]} ${Math.floor(i / SUPPLIES.length) + 1}`, `P-${String(i + 1).padStart(5, '0')}`, i % 3 ? 'Insumos' : 'Venta', 'unidad', soles(Math.round(costCents * 1.8)), soles(costCents), minStock, supplier, created, created]);
    // Chronological per product, so each salida sees the stock the previous movement left.
    let stock = minStock * 3;
    movements.push([reflexoId, id, 'entrada', stock, 'Stock inicial', supplier, soles(costCents), stampAt(start, 8, 5)]);
    for (let d = 1 + Math.floor(r() * MOVEMENT_EVERY_DAYS); d < DAYS_BACK; d += MOVEMENT_EVERY_DAYS) {
      const day = addDays(start, d);
      const used = Math.min(stock, 1 + Math.floor(r() * minStock));
      if (used > 0) {
        stock -= used;
        movements.push([reflexoId, id, 'salida', used, 'Uso en sesiones', null, null, stampAt(day, 18, 30)]);
      }
      if (stock < minStock) {
        const bought = minStock * 3;
        stock += bought;
        movements.push([reflexoId, id, 'entrada', bought, 'Compra', supplier, soles(costCents), stampAt(day, 19, 0)]);
      }
    }
  }

  const ledger: Value[][] = [];
  const invoices: Value[][] = [];
  const items: Value[][] = [];
  let number = 0;
  const manualPerDay = plan.therapists * MANUAL_PER_THERAPIST_DAY;
  const invoicesPerDay = (plan.appointments / (DAYS_BACK + DAYS_AHEAD)) * INVOICE_SHARE;
  let manualCarry = 0;
  let invoiceCarry = 0;
  for (let d = 0; d < DAYS_BACK; d++) {
    const day = addDays(start, d);
    if (WEEKDAY_WEIGHT[day.getUTCDay()] === 0) continue;
    const manualWant = manualPerDay * (0.5 + r()) + manualCarry;
    manualCarry = manualWant - Math.floor(manualWant);
    for (let k = 0; k < Math.floor(manualWant); k++) {
      const income = r() < 0.3;
      const m = method();
      const roll = r();
      ledger.push([
        reflexoId, income ? 'ingreso' : 'egreso', 'manual', null, income ? pick(r, patientIds) : null,
        income ? `Venta: ${pick(r, SUPPLIES)}` : pick(r, EXPENSES), soles(income ? 1000 + Math.floor(r() * 14000) : 2000 + Math.floor(r() * 78000)),
        m.id, m.name, stampAt(day, 8 + Math.floor(r() * 12), Math.floor(r() * 60)), roll < 0.97 ? 'completado' : roll < 0.99 ? 'pendiente' : 'anulado', null,
      ]);
    }
    const invoiceWant = invoicesPerDay * (0.5 + r()) + invoiceCarry;
    invoiceCarry = invoiceWant - Math.floor(invoiceWant);
    for (let k = 0; k < Math.floor(invoiceWant); k++) {
      const id = ++ids.invoice;
      const patient = patientIds[Math.floor(patientIds.length * r() ** 1.6)];
      const hour = 9 + Math.floor(r() * 11);
      const when = stampAt(day, hour, Math.floor(r() * 60));
      const annulled = r() < 0.03;
      invoices.push([id, reflexoId, 'F001', ++number, patient, annulled ? 'anulada' : 'emitida', isoDate(day), '18.00', true, annulled ? stampAt(day, 20, 0) : null, when, when]);
      // Prices include IGV, so the invoice's total is the sum of its lines exactly.
      let total = 0;
      const lines = 1 + Math.floor(r() * 3);
      for (let l = 0; l < lines; l++) {
        const [name, price] = pick(r, PACKAGES);
        const qty = 1 + (r() < 0.2 ? 1 : 0);
        total += qty * price;
        items.push([reflexoId, id, l + 1, name, qty, soles(price), '18.00', true]);
      }
      if (annulled) continue;
      const roll = r();
      // paid in full (once or in two parts), partly, or not yet; a few at 23:xx, the Lima day's last hour
      const parts = roll < 0.55 ? [total] : roll < 0.75 ? [Math.floor(total / 2), total - Math.floor(total / 2)] : roll < 0.9 ? [Math.floor(total / 2)] : [];
      for (const [n, cents] of parts.entries()) {
        const m = method();
        const late = r() < 0.05;
        ledger.push([reflexoId, 'ingreso', 'factura', id, patient, `Pago de factura F001-${String(number).padStart(6, '0')}`, soles(cents), m.id, m.name, late ? stampAt(day, 23, 30 + Math.floor(r() * 29)) : stampAt(day, Math.min(22, hour + n), Math.floor(r() * 60)), 'completado', r() < 0.5 ? `OP-${Math.floor(r() * 1e6)}` : null]);
      }
    }
  }
  return { suppliers, products, movements, invoices, items, ledger, lastInvoiceNumber: number };
}
