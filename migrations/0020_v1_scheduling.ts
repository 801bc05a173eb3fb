import { sql, type Kysely } from 'kysely';
import { enableTenantRls } from './rls';

/*
 * What the Consultorio v1 surface adds to the one domain (issue 13):
 * - doctors' weekly schedules (ISO weekday 1 = Monday … 7 = Sunday, hours, slot length, breaks) with
 *   no two overlapping blocks for a doctor on a weekday, refused by PostgreSQL (exclusion constraint);
 * - date exceptions (a day off, or hours off on one date);
 * - on appointments: contact phone/e-mail and when the reminder was sent;
 * - the statuses v1 names that the Reflexo catalog lacked (Confirmada, En curso, No asistió), as global
 *   rows with a fixed kind, next to Pendiente/Completada/Cancelada/Reprogramada.
 */
const NEW_KINDS = [
  { name: 'Confirmada', description: 'Cita confirmada por el paciente', kind: 'confirmed' },
  { name: 'En curso', description: 'Cita en atención', kind: 'in_progress' },
  { name: 'No asistió', description: 'El paciente no asistió a la cita', kind: 'no_show' },
];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE appointment_statuses DROP CONSTRAINT IF EXISTS appointment_statuses_kind_check`.execute(db);
  await sql`ALTER TABLE appointment_statuses ADD CONSTRAINT appointment_statuses_kind_check
    CHECK (kind IN ('pending', 'confirmed', 'in_progress', 'completed', 'cancelled', 'rescheduled', 'no_show'))`.execute(db);
  for (const s of NEW_KINDS) {
    // A clinic may already have a status of that name (it is a shared catalog): give it the kind.
    await sql`UPDATE appointment_statuses SET kind = ${s.kind} WHERE lower(name) = lower(${s.name}) AND kind IS NULL`.execute(db);
    await sql`INSERT INTO appointment_statuses (name, description, kind)
      SELECT ${s.name}, ${s.description}, ${s.kind} WHERE NOT EXISTS (SELECT 1 FROM appointment_statuses WHERE kind = ${s.kind})`.execute(db);
  }

  await db.schema
    .alterTable('appointments')
    .addColumn('contact_phone', 'varchar(30)')
    .addColumn('contact_email', 'varchar(254)')
    .addColumn('reminder_sent_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('doctor_schedules')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('reflexo_id', 'integer', (c) => c.notNull().references('tenants.id').onDelete('restrict'))
    .addColumn('therapist_id', 'integer', (c) => c.notNull())
    .addColumn('weekday', 'smallint', (c) => c.notNull().check(sql`weekday BETWEEN 1 AND 7`))
    .addColumn('start_time', sql`time(0)`, (c) => c.notNull())
    .addColumn('end_time', sql`time(0)`, (c) => c.notNull())
    .addColumn('slot_minutes', 'integer', (c) => c.notNull().defaultTo(30).check(sql`slot_minutes BETWEEN 5 AND 720`))
    // [{ "inicio": "13:00", "fin": "14:00" }], each inside the block (checked by the domain).
    .addColumn('breaks', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('minutes', sql`int4range`, (c) =>
      c.generatedAlwaysAs(sql`int4range((extract(epoch FROM start_time) / 60)::int, (extract(epoch FROM end_time) / 60)::int, '[)')`).stored(),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('doctor_schedules_order', sql`end_time > start_time`)
    .addForeignKeyConstraint('doctor_schedules_therapist_fk', ['therapist_id', 'reflexo_id'], 'therapists', ['id', 'reflexo_id'], (c) => c.onDelete('cascade'))
    .execute();
  await sql`ALTER TABLE doctor_schedules ADD CONSTRAINT doctor_schedules_no_overlap
    EXCLUDE USING gist (reflexo_id WITH =, therapist_id WITH =, weekday WITH =, minutes WITH &&)`.execute(db);
  await enableTenantRls(db, 'doctor_schedules');

  await db.schema
    .createTable('doctor_schedule_exceptions')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('reflexo_id', 'integer', (c) => c.notNull().references('tenants.id').onDelete('restrict'))
    .addColumn('therapist_id', 'integer', (c) => c.notNull())
    .addColumn('date', 'date', (c) => c.notNull())
    // Both null: the whole day off; otherwise the hours [start, end) off.
    .addColumn('start_time', sql`time(0)`)
    .addColumn('end_time', sql`time(0)`)
    .addColumn('reason', 'varchar(255)')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('doctor_schedule_exceptions_hours', sql`(start_time IS NULL AND end_time IS NULL) OR (start_time IS NOT NULL AND end_time IS NOT NULL AND end_time > start_time)`)
    .addForeignKeyConstraint('doctor_schedule_exceptions_therapist_fk', ['therapist_id', 'reflexo_id'], 'therapists', ['id', 'reflexo_id'], (c) => c.onDelete('cascade'))
    .execute();
  await sql`CREATE INDEX doctor_schedule_exceptions_lookup_idx ON doctor_schedule_exceptions (reflexo_id, therapist_id, date)`.execute(db);
  await enableTenantRls(db, 'doctor_schedule_exceptions');

  await sql`CREATE TRIGGER doctor_schedules_touch BEFORE UPDATE ON doctor_schedules FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('doctor_schedule_exceptions').execute();
  await db.schema.dropTable('doctor_schedules').execute();
  await db.schema.alterTable('appointments').dropColumn('contact_phone').dropColumn('contact_email').dropColumn('reminder_sent_at').execute();
  await sql`DELETE FROM appointment_statuses WHERE kind IN ('confirmed', 'in_progress', 'no_show') AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.appointment_status_id = appointment_statuses.id)`.execute(db);
  await sql`UPDATE appointment_statuses SET kind = NULL WHERE kind IN ('confirmed', 'in_progress', 'no_show')`.execute(db);
  await sql`ALTER TABLE appointment_statuses DROP CONSTRAINT appointment_statuses_kind_check`.execute(db);
  await sql`ALTER TABLE appointment_statuses ADD CONSTRAINT appointment_statuses_kind_check CHECK (kind IN ('pending', 'completed', 'cancelled', 'rescheduled'))`.execute(db);
}
