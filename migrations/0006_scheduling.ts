import { sql, type Kysely } from 'kysely';
import { enableTenantRls } from './rls';

/*
 * Therapists, appointment statuses (global catalog), appointments and their tickets.
 *
 * Double booking is refused by PostgreSQL itself: each appointment carries its time slot as a
 * generated tsrange, and two exclusion constraints forbid overlapping live slots (not deleted, not
 * cancelled) for the same therapist, and for the same room, inside one tenant. The API's
 * check_availability asks the same overlap question (see lib/queries/appointments.ts).
 *
 * Ticket numbers come from one counter row per tenant, incremented in the booking transaction: the
 * row lock serialises concurrent bookings of one clinic and a rolled-back booking gives its number
 * back, so numbers are consecutive with no gaps.
 */
export const STATUS_SEED = [
  { id: 1, name: 'Pendiente', description: 'Cita programada, pendiente de atención', kind: 'pending' },
  { id: 2, name: 'Completada', description: 'Cita finalizada exitosamente', kind: 'completed' },
  { id: 3, name: 'Cancelada', description: 'Cita cancelada', kind: 'cancelled' },
  { id: 4, name: 'Reprogramada', description: 'Cita reprogramada a otra fecha u hora', kind: 'rescheduled' },
] as const;

const stamps = (t: any) =>
  t
    .addColumn('created_at', 'timestamptz', (c: any) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c: any) => c.notNull().defaultTo(sql`now()`))
    .addColumn('deleted_at', 'timestamptz');

export async function up(db: Kysely<any>): Promise<void> {
  await stamps(
    db.schema
      .createTable('appointment_statuses')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('name', 'varchar(100)', (c) => c.notNull())
      .addColumn('description', 'text')
      // What the system means by a status, whatever a clinic renames it to: completed/pending lists
      // and cancellation depend on it. Custom statuses have none.
      .addColumn('kind', 'varchar(20)', (c) => c.check(sql`kind IN ('pending', 'completed', 'cancelled', 'rescheduled')`)),
  ).execute();
  await sql`CREATE UNIQUE INDEX appointment_statuses_name_key ON appointment_statuses (lower(name))`.execute(db);
  await sql`CREATE UNIQUE INDEX appointment_statuses_kind_key ON appointment_statuses (kind) WHERE kind IS NOT NULL`.execute(db);
  await db.insertInto('appointment_statuses').values([...STATUS_SEED]).execute();
  await sql`SELECT setval('appointment_statuses_id_seq', (SELECT max(id) FROM appointment_statuses))`.execute(db);

  await stamps(
    db.schema
      .createTable('therapists')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('reflexo_id', 'integer', (c) => c.notNull().references('tenants.id').onDelete('restrict'))
      .addColumn('document_type_id', 'integer', (c) => c.notNull().references('document_types.id').onDelete('restrict'))
      .addColumn('document_number', 'varchar(20)', (c) => c.notNull())
      .addColumn('last_name_paternal', 'varchar(150)', (c) => c.notNull())
      .addColumn('last_name_maternal', 'varchar(150)', (c) => c.notNull())
      .addColumn('first_name', 'varchar(150)', (c) => c.notNull())
      .addColumn('birth_date', 'date')
      .addColumn('gender', 'varchar(1)', (c) => c.check(sql`gender IN ('M', 'F')`))
      .addColumn('personal_reference', 'varchar(255)')
      .addColumn('phone', 'varchar(20)')
      .addColumn('email', 'varchar(254)', (c) => c.notNull())
      .addColumn('region_id', 'integer', (c) => c.notNull().references('regions.id'))
      .addColumn('province_id', 'integer', (c) => c.notNull().references('provinces.id'))
      .addColumn('district_id', 'integer', (c) => c.notNull().references('districts.id'))
      .addColumn('address', 'text')
      .addColumn('photo_key', 'text')
      .addUniqueConstraint('therapists_id_tenant_key', ['id', 'reflexo_id']),
  ).execute();
  await sql`CREATE UNIQUE INDEX therapists_document_key ON therapists (reflexo_id, document_type_id, document_number) WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE INDEX therapists_tenant_idx ON therapists (reflexo_id, last_name_paternal, first_name) WHERE deleted_at IS NULL`.execute(db);
  await enableTenantRls(db, 'therapists');

  await stamps(
    db.schema
      .createTable('appointments')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('reflexo_id', 'integer', (c) => c.notNull().references('tenants.id').onDelete('restrict'))
      .addColumn('patient_id', 'integer', (c) => c.notNull().references('patients.id').onDelete('restrict'))
      .addColumn('therapist_id', 'integer', (c) => c.notNull())
      .addColumn('appointment_date', 'date', (c) => c.notNull())
      .addColumn('hour', sql`time(0)`, (c) => c.notNull())
      .addColumn('duration_minutes', 'integer', (c) => c.notNull().defaultTo(60).check(sql`duration_minutes BETWEEN 5 AND 720`))
      .addColumn('slot', sql`tsrange`, (c) =>
        c.generatedAlwaysAs(sql`tsrange(appointment_date + hour, appointment_date + hour + make_interval(mins => duration_minutes), '[)')`).stored(),
      )
      .addColumn('appointment_status_id', 'integer', (c) => c.notNull().references('appointment_statuses.id').onDelete('restrict'))
      .addColumn('appointment_type', 'varchar(50)')
      .addColumn('room', 'varchar(50)')
      .addColumn('ailments', 'text')
      .addColumn('diagnosis', 'text')
      .addColumn('surgeries', 'text')
      .addColumn('reflexology_diagnostics', 'text')
      .addColumn('medications', 'text')
      .addColumn('observation', 'text')
      .addColumn('initial_date', 'date')
      .addColumn('final_date', 'date')
      .addColumn('social_benefit', 'boolean', (c) => c.notNull().defaultTo(false))
      .addColumn('payment_detail', 'text')
      .addColumn('payment', 'numeric(12, 2)', (c) => c.check(sql`payment >= 0`))
      .addColumn('payment_type_id', 'integer', (c) => c.references('payment_types.id').onDelete('restrict'))
      .addColumn('payment_status_id', 'integer', (c) => c.references('payment_statuses.id').onDelete('restrict'))
      .addColumn('cancelled_at', 'timestamptz')
      .addColumn('cancellation_reason', 'text')
      .addColumn('reschedule_reason', 'text')
      .addForeignKeyConstraint('appointments_therapist_fk', ['therapist_id', 'reflexo_id'], 'therapists', ['id', 'reflexo_id'], (c) => c.onDelete('restrict'))
      .addUniqueConstraint('appointments_id_tenant_key', ['id', 'reflexo_id']),
  ).execute();
  await sql`ALTER TABLE appointments ADD CONSTRAINT appointments_final_after_initial CHECK (final_date IS NULL OR initial_date IS NULL OR final_date >= initial_date)`.execute(db);
  await sql`ALTER TABLE appointments ADD CONSTRAINT appointments_therapist_no_overlap
    EXCLUDE USING gist (reflexo_id WITH =, therapist_id WITH =, slot WITH &&)
    WHERE (deleted_at IS NULL AND cancelled_at IS NULL)`.execute(db);
  await sql`ALTER TABLE appointments ADD CONSTRAINT appointments_room_no_overlap
    EXCLUDE USING gist (reflexo_id WITH =, (lower(btrim(room))) WITH =, slot WITH &&)
    WHERE (deleted_at IS NULL AND cancelled_at IS NULL AND room IS NOT NULL AND btrim(room) <> '')`.execute(db);
  await sql`CREATE INDEX appointments_tenant_date_idx ON appointments (reflexo_id, appointment_date DESC, hour DESC, id DESC) WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE INDEX appointments_patient_idx ON appointments (patient_id)`.execute(db);
  await sql`CREATE INDEX appointments_therapist_idx ON appointments (therapist_id, appointment_date)`.execute(db);
  await sql`CREATE INDEX appointments_status_idx ON appointments (appointment_status_id)`.execute(db);
  await enableTenantRls(db, 'appointments');

  await db.schema
    .createTable('tickets')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('reflexo_id', 'integer', (c) => c.notNull().references('tenants.id').onDelete('restrict'))
    .addColumn('appointment_id', 'integer', (c) => c.notNull().unique())
    .addColumn('ticket_number', 'varchar(20)', (c) => c.notNull())
    .addColumn('amount', 'numeric(12, 2)', (c) => c.notNull().defaultTo(0).check(sql`amount >= 0`))
    .addColumn('payment_method', 'varchar(50)', (c) => c.notNull().defaultTo('cash'))
    .addColumn('payment_date', 'timestamptz')
    .addColumn('status', 'varchar(10)', (c) => c.notNull().defaultTo('pending').check(sql`status IN ('pending', 'paid', 'cancelled')`))
    .addColumn('description', 'text')
    .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('tickets_appointment_fk', ['appointment_id', 'reflexo_id'], 'appointments', ['id', 'reflexo_id'], (c) => c.onDelete('restrict'))
    .addUniqueConstraint('tickets_number_key', ['reflexo_id', 'ticket_number'])
    .execute();
  await sql`CREATE INDEX tickets_tenant_status_idx ON tickets (reflexo_id, status, created_at DESC)`.execute(db);
  await enableTenantRls(db, 'tickets');

  await db.schema
    .createTable('ticket_counters')
    .addColumn('reflexo_id', 'integer', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
    .addColumn('last_number', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await enableTenantRls(db, 'ticket_counters');

  for (const t of ['appointment_statuses', 'therapists', 'appointments', 'tickets']) {
    await sql.raw(`CREATE TRIGGER ${t}_touch BEFORE UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ticket_counters').execute();
  await db.schema.dropTable('tickets').execute();
  await db.schema.dropTable('appointments').execute();
  await db.schema.dropTable('therapists').execute();
  await db.schema.dropTable('appointment_statuses').execute();
}
