import { sql, type Kysely } from 'kysely';
import { enableTenantRls } from './rls';

/*
 * v1 money and stock (issue 14): the cash ledger, invoices with their lines and payments, products,
 * stock movements and suppliers.
 *
 * ONE LEDGER. `cash_transactions` is the clinic's cash book (caja) and the only place a v1 report sums:
 * - manual entries (ingreso/egreso) written by the v1 transactions routes;
 * - one entry per paid Reflexo ticket, written by the statement-level triggers below in the same
 *   transaction as the ticket change, whatever changes the ticket (mark_as_paid, an edit, booking
 *   a paid appointment, a bulk load): paid → the entry exists and follows amount, method and payment
 *   date; no longer paid, deactivated or deleted → the entry is `anulado`. The amount is never typed
 *   a second time: the trigger copies it from the ticket;
 * - invoice payments, which ARE ledger entries (source 'factura', invoice_id): there is no second
 *   payments table, so a payment and its ledger entry cannot disagree.
 * A table (not a view over tickets ∪ manual ∪ payments) gives every entry one stable id, one index for
 * the day and month reports, and an `estado` that voiding keeps in history.
 *
 * Opening balances come from `cash_daily_totals`, per clinic and UTC day, kept by a statement-level
 * trigger on the ledger: a balance "before the local day D" is the buckets of the UTC days before the
 * UTC day D starts in, plus the ledger rows of that one partial UTC day, so it costs O(days) whatever
 * the clinic's time zone (and keeps working when it changes).
 *
 * Gap-free invoice numbers per clinic and series come from a counter row locked by an upsert (as ticket
 * numbers, 0006); an invoice's `paid` can never exceed its `total` and its status always follows its
 * payments (CHECK constraints); a product's stock is the sum of its movements, applied under the
 * product's row lock by a trigger, and can never go negative (CHECK) nor change any other way.
 */

const stamps = `created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now()`;

/** The ledger entry of each paid ticket in `rows` (a transition table or `tickets` itself). */
const ticketEntries = (rows: string, where = 'true') => `
  INSERT INTO cash_transactions AS c (reflexo_id, kind, source, ticket_id, doctor_id, patient_id, concept, amount, payment_type_id, payment_method, occurred_at, status)
  SELECT t.reflexo_id, 'ingreso', 'ticket', t.id, a.therapist_id, a.patient_id, 'Ticket ' || t.ticket_number, t.amount, pt.id,
         coalesce(pt.name, nullif(t.payment_method, ''), 'No especificado'), t.payment_date,
         CASE WHEN t.is_active THEN 'completado' ELSE 'anulado' END
    FROM ${rows} t
    JOIN appointments a ON a.id = t.appointment_id
    -- the same reading of a ticket's method as the Reflexo cash reports (code or name, first id)
    LEFT JOIN LATERAL (SELECT p.id, p.name FROM payment_types p
                        WHERE lower(p.code) = lower(t.payment_method) OR lower(p.name) = lower(t.payment_method)
                        ORDER BY p.id LIMIT 1) pt ON true
   WHERE t.status = 'paid' AND t.amount > 0 AND t.payment_date IS NOT NULL AND ${where}
  ON CONFLICT (ticket_id) WHERE ticket_id IS NOT NULL DO UPDATE
     SET amount = excluded.amount, payment_type_id = excluded.payment_type_id, payment_method = excluded.payment_method,
         occurred_at = excluded.occurred_at, status = excluded.status, concept = excluded.concept,
         doctor_id = excluded.doctor_id, patient_id = excluded.patient_id, updated_at = now()`;

/** Entries of tickets in `rows` that no longer carry money in (not paid, no amount, no date). */
const voidTicketEntries = (rows: string) => `
  UPDATE cash_transactions c SET status = 'anulado', updated_at = now()
    FROM ${rows} t
   WHERE c.ticket_id = t.id AND c.status <> 'anulado'
     AND NOT (t.status = 'paid' AND t.amount > 0 AND t.payment_date IS NOT NULL)`;

/** One row's contribution to its UTC day's totals (only completed, live entries count). */
const contribution = (rows: string, sign: string) => `
  SELECT reflexo_id, (occurred_at AT TIME ZONE 'UTC')::date AS day,
         ${sign} CASE WHEN kind = 'ingreso' THEN amount ELSE 0 END AS income,
         ${sign} CASE WHEN kind = 'egreso' THEN amount ELSE 0 END AS expense, ${sign} 1 AS entries
    FROM ${rows} WHERE status = 'completado' AND deleted_at IS NULL`;

const addToDays = (select: string) => `
  INSERT INTO cash_daily_totals AS d (reflexo_id, day, income, expense, entries)
  SELECT reflexo_id, day, sum(income), sum(expense), sum(entries) FROM (${select}) x
   GROUP BY reflexo_id, day HAVING sum(income) <> 0 OR sum(expense) <> 0 OR sum(entries) <> 0
   ORDER BY reflexo_id, day
  ON CONFLICT (reflexo_id, day) DO UPDATE
     SET income = d.income + excluded.income, expense = d.expense + excluded.expense, entries = d.entries + excluded.entries`;

export async function up(db: Kysely<any>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);

  // Composite foreign keys (x_id, reflexo_id) make a reference to another clinic's row impossible.
  await run(`ALTER TABLE patients ADD CONSTRAINT patients_id_tenant_key UNIQUE (id, reflexo_id)`);

  // ---- suppliers and products ---------------------------------------------------------------------
  await run(`CREATE TABLE suppliers (
    id serial PRIMARY KEY,
    reflexo_id integer NOT NULL REFERENCES tenants (id) ON DELETE RESTRICT,
    name varchar(150) NOT NULL CHECK (btrim(name) <> ''),
    ruc varchar(11),
    contact varchar(150),
    phone varchar(30),
    email varchar(254),
    is_active boolean NOT NULL DEFAULT true,
    ${stamps},
    CONSTRAINT suppliers_id_tenant_key UNIQUE (id, reflexo_id))`);
  await run(`CREATE UNIQUE INDEX suppliers_ruc_uq ON suppliers (reflexo_id, ruc) WHERE ruc IS NOT NULL`);
  await run(`CREATE INDEX suppliers_tenant_idx ON suppliers (reflexo_id, name)`);
  await enableTenantRls(db, 'suppliers');

  await run(`CREATE TABLE products (
    id serial PRIMARY KEY,
    reflexo_id integer NOT NULL REFERENCES tenants (id) ON DELETE RESTRICT,
    name varchar(150) NOT NULL CHECK (btrim(name) <> ''),
    sku varchar(60),
    category varchar(100),
    unit varchar(30) NOT NULL DEFAULT 'unidad',
    sale_price numeric(12, 2) CHECK (sale_price >= 0),
    cost numeric(12, 2) CHECK (cost >= 0),
    stock numeric(12, 2) NOT NULL DEFAULT 0 CONSTRAINT products_stock_not_negative CHECK (stock >= 0),
    min_stock numeric(12, 2) NOT NULL DEFAULT 0 CHECK (min_stock >= 0),
    supplier_id integer,
    is_active boolean NOT NULL DEFAULT true,
    ${stamps},
    deleted_at timestamptz,
    CONSTRAINT products_id_tenant_key UNIQUE (id, reflexo_id),
    CONSTRAINT products_supplier_fk FOREIGN KEY (supplier_id, reflexo_id) REFERENCES suppliers (id, reflexo_id) ON DELETE SET NULL (supplier_id))`);
  await run(`CREATE UNIQUE INDEX products_sku_uq ON products (reflexo_id, lower(sku)) WHERE deleted_at IS NULL AND sku IS NOT NULL`);
  await run(`CREATE INDEX products_tenant_idx ON products (reflexo_id, name, id) WHERE deleted_at IS NULL`);
  await enableTenantRls(db, 'products');
  // The stock column is the sum of the movements: only the movement trigger (one level down) moves it.
  await run(`CREATE FUNCTION products_stock_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF pg_trigger_depth() < 2 AND ((TG_OP = 'INSERT' AND NEW.stock <> 0) OR (TG_OP = 'UPDATE' AND NEW.stock IS DISTINCT FROM OLD.stock)) THEN
        RAISE EXCEPTION 'products.stock changes only through stock_movements' USING ERRCODE = 'check_violation', CONSTRAINT = 'products_stock_from_movements';
      END IF;
      RETURN NEW;
    END $$`);
  await run(`CREATE TRIGGER products_stock_guard BEFORE INSERT OR UPDATE OF stock ON products FOR EACH ROW EXECUTE FUNCTION products_stock_guard()`);
  await run(`CREATE TRIGGER products_touch BEFORE UPDATE ON products FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`);
  await run(`CREATE TRIGGER suppliers_touch BEFORE UPDATE ON suppliers FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`);

  await run(`CREATE TABLE stock_movements (
    id serial PRIMARY KEY,
    reflexo_id integer NOT NULL REFERENCES tenants (id) ON DELETE RESTRICT,
    product_id integer NOT NULL,
    kind varchar(8) NOT NULL CHECK (kind IN ('entrada', 'salida', 'ajuste')),
    -- entrada/salida: how much came in or went out; ajuste: the stock counted (the new level)
    quantity numeric(12, 2) NOT NULL CHECK (quantity >= 0),
    delta numeric(12, 2) NOT NULL DEFAULT 0,
    stock_after numeric(12, 2) NOT NULL DEFAULT 0,
    reason varchar(255),
    supplier_id integer,
    unit_cost numeric(12, 2) CHECK (unit_cost >= 0),
    user_id integer REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT stock_movements_quantity_positive CHECK (kind = 'ajuste' OR quantity > 0),
    CONSTRAINT stock_movements_product_fk FOREIGN KEY (product_id, reflexo_id) REFERENCES products (id, reflexo_id) ON DELETE RESTRICT,
    CONSTRAINT stock_movements_supplier_fk FOREIGN KEY (supplier_id, reflexo_id) REFERENCES suppliers (id, reflexo_id) ON DELETE SET NULL (supplier_id))`);
  await run(`CREATE INDEX stock_movements_tenant_idx ON stock_movements (reflexo_id, created_at DESC, id DESC)`);
  await run(`CREATE INDEX stock_movements_product_idx ON stock_movements (product_id, created_at DESC, id DESC)`);
  await enableTenantRls(db, 'stock_movements');
  // Applied under the product's row lock: concurrent salidas queue on it, and the CHECK on
  // products.stock refuses the one that would go below zero (the whole INSERT fails).
  await run(`CREATE FUNCTION stock_movements_apply() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE current_stock numeric(12, 2);
    BEGIN
      SELECT stock INTO current_stock FROM products WHERE id = NEW.product_id AND reflexo_id = NEW.reflexo_id FOR UPDATE;
      IF NOT FOUND THEN RETURN NEW; END IF; -- the foreign key refuses it
      NEW.delta := CASE NEW.kind WHEN 'entrada' THEN NEW.quantity WHEN 'salida' THEN -NEW.quantity ELSE NEW.quantity - current_stock END;
      UPDATE products SET stock = current_stock + NEW.delta WHERE id = NEW.product_id AND reflexo_id = NEW.reflexo_id RETURNING stock INTO NEW.stock_after;
      RETURN NEW;
    END $$`);
  await run(`CREATE TRIGGER stock_movements_apply BEFORE INSERT ON stock_movements FOR EACH ROW EXECUTE FUNCTION stock_movements_apply()`);
  // What a movement did is history; only the references that may disappear (a deleted user or
  // supplier, ON DELETE SET NULL) can change.
  await run(`CREATE FUNCTION stock_movements_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' OR (NEW.reflexo_id, NEW.product_id, NEW.kind, NEW.quantity, NEW.delta, NEW.stock_after, NEW.reason, NEW.unit_cost, NEW.created_at)
           IS DISTINCT FROM (OLD.reflexo_id, OLD.product_id, OLD.kind, OLD.quantity, OLD.delta, OLD.stock_after, OLD.reason, OLD.unit_cost, OLD.created_at) THEN
        RAISE EXCEPTION 'stock movements are history: record a new movement instead' USING ERRCODE = 'restrict_violation';
      END IF;
      RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END $$`);
  await run(`CREATE TRIGGER stock_movements_immutable BEFORE UPDATE OR DELETE ON stock_movements FOR EACH ROW EXECUTE FUNCTION stock_movements_immutable()`);

  // ---- invoices -------------------------------------------------------------------------------------
  await run(`CREATE TABLE invoice_counters (
    reflexo_id integer NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    series varchar(4) NOT NULL,
    last_number integer NOT NULL DEFAULT 0,
    PRIMARY KEY (reflexo_id, series))`);
  await enableTenantRls(db, 'invoice_counters');

  await run(`CREATE TABLE invoices (
    id serial PRIMARY KEY,
    reflexo_id integer NOT NULL REFERENCES tenants (id) ON DELETE RESTRICT,
    series varchar(4) NOT NULL DEFAULT 'F001',
    -- assigned when the invoice is issued (a draft has none), from invoice_counters
    number integer,
    patient_id integer NOT NULL,
    appointment_id integer,
    status varchar(8) NOT NULL DEFAULT 'borrador' CHECK (status IN ('borrador', 'emitida', 'parcial', 'pagada', 'anulada')),
    issue_date date NOT NULL DEFAULT current_date,
    due_date date,
    -- the clinic's settings when the invoice was made: a later change of rate does not rewrite it
    igv_rate numeric(5, 2) NOT NULL DEFAULT 18 CHECK (igv_rate >= 0 AND igv_rate <= 100),
    prices_include_igv boolean NOT NULL DEFAULT true,
    subtotal numeric(12, 2) NOT NULL DEFAULT 0,
    igv numeric(12, 2) NOT NULL DEFAULT 0,
    total numeric(12, 2) NOT NULL DEFAULT 0 CHECK (total >= 0),
    paid numeric(12, 2) NOT NULL DEFAULT 0 CHECK (paid >= 0),
    notes text,
    created_by integer REFERENCES users (id) ON DELETE SET NULL,
    cancelled_at timestamptz,
    ${stamps},
    CONSTRAINT invoices_id_tenant_key UNIQUE (id, reflexo_id),
    CONSTRAINT invoices_number_key UNIQUE (reflexo_id, series, number),
    CONSTRAINT invoices_issued_numbered CHECK (status IN ('borrador', 'anulada') OR number IS NOT NULL),
    CONSTRAINT invoices_not_overpaid CHECK (paid <= total),
    CONSTRAINT invoices_totals_add_up CHECK (subtotal + igv = total),
    CONSTRAINT invoices_status_follows_payments CHECK (status NOT IN ('emitida', 'parcial', 'pagada')
      OR status = CASE WHEN paid = 0 THEN 'emitida' WHEN paid < total THEN 'parcial' ELSE 'pagada' END),
    CONSTRAINT invoices_due_after_issue CHECK (due_date IS NULL OR due_date >= issue_date),
    CONSTRAINT invoices_patient_fk FOREIGN KEY (patient_id, reflexo_id) REFERENCES patients (id, reflexo_id) ON DELETE RESTRICT,
    CONSTRAINT invoices_appointment_fk FOREIGN KEY (appointment_id, reflexo_id) REFERENCES appointments (id, reflexo_id) ON DELETE SET NULL (appointment_id))`);
  await run(`CREATE INDEX invoices_tenant_idx ON invoices (reflexo_id, issue_date DESC, id DESC)`);
  await run(`CREATE INDEX invoices_patient_idx ON invoices (reflexo_id, patient_id, issue_date DESC)`);
  await run(`CREATE INDEX invoices_status_idx ON invoices (reflexo_id, status, issue_date DESC)`);
  await enableTenantRls(db, 'invoices');
  await run(`CREATE TRIGGER invoices_touch BEFORE UPDATE ON invoices FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`);

  // Each line is rounded to cents on its own (SUNAT's per-line rounding); the invoice adds the lines.
  const amount = `round(quantity * unit_price - discount, 2)`;
  const base = `CASE WHEN prices_include_igv THEN round(${amount} / (1 + igv_rate / 100), 2) ELSE ${amount} END`;
  const tax = `CASE WHEN prices_include_igv THEN ${amount} - round(${amount} / (1 + igv_rate / 100), 2) ELSE round(${amount} * igv_rate / 100, 2) END`;
  await run(`CREATE TABLE invoice_items (
    id serial PRIMARY KEY,
    reflexo_id integer NOT NULL REFERENCES tenants (id) ON DELETE RESTRICT,
    invoice_id integer NOT NULL,
    line_no integer NOT NULL DEFAULT 1,
    description varchar(255) NOT NULL,
    quantity numeric(12, 2) NOT NULL CHECK (quantity > 0),
    unit_price numeric(12, 2) NOT NULL CHECK (unit_price >= 0),
    discount numeric(12, 2) NOT NULL DEFAULT 0 CHECK (discount >= 0),
    igv_rate numeric(5, 2) NOT NULL DEFAULT 18 CHECK (igv_rate >= 0 AND igv_rate <= 100),
    prices_include_igv boolean NOT NULL DEFAULT true,
    treatment_id integer REFERENCES predetermined_prices (id) ON DELETE SET NULL,
    product_id integer,
    amount numeric(12, 2) GENERATED ALWAYS AS (${amount}) STORED,
    base numeric(12, 2) GENERATED ALWAYS AS (${base}) STORED,
    tax numeric(12, 2) GENERATED ALWAYS AS (${tax}) STORED,
    total numeric(12, 2) GENERATED ALWAYS AS ((${base}) + (${tax})) STORED,
    CONSTRAINT invoice_items_discount_within_line CHECK (discount <= quantity * unit_price),
    CONSTRAINT invoice_items_invoice_fk FOREIGN KEY (invoice_id, reflexo_id) REFERENCES invoices (id, reflexo_id) ON DELETE CASCADE,
    CONSTRAINT invoice_items_product_fk FOREIGN KEY (product_id, reflexo_id) REFERENCES products (id, reflexo_id) ON DELETE SET NULL (product_id))`);
  await run(`CREATE INDEX invoice_items_invoice_idx ON invoice_items (invoice_id, line_no, id)`);
  await enableTenantRls(db, 'invoice_items');

  // ---- the ledger -------------------------------------------------------------------------------------
  await run(`CREATE TABLE cash_transactions (
    id serial PRIMARY KEY,
    reflexo_id integer NOT NULL REFERENCES tenants (id) ON DELETE RESTRICT,
    kind varchar(7) NOT NULL CHECK (kind IN ('ingreso', 'egreso')),
    source varchar(7) NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'ticket', 'factura')),
    -- no foreign key: a deleted ticket leaves its voided entry, and the number it had, in history
    ticket_id integer,
    invoice_id integer,
    doctor_id integer,
    patient_id integer,
    concept varchar(255) NOT NULL,
    amount numeric(12, 2) NOT NULL CHECK (amount > 0),
    payment_type_id integer REFERENCES payment_types (id) ON DELETE SET NULL,
    -- the method as recorded (the payment type's name then, or a ticket's own word for it)
    payment_method varchar(100) NOT NULL,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    comment text,
    reference varchar(100),
    status varchar(10) NOT NULL DEFAULT 'completado' CHECK (status IN ('completado', 'pendiente', 'anulado')),
    created_by integer REFERENCES users (id) ON DELETE SET NULL,
    ${stamps},
    deleted_at timestamptz,
    CONSTRAINT cash_transactions_source_reference CHECK ((source = 'ticket') = (ticket_id IS NOT NULL) AND (source = 'factura') = (invoice_id IS NOT NULL)),
    CONSTRAINT cash_transactions_payments_are_income CHECK (source = 'manual' OR kind = 'ingreso'),
    CONSTRAINT cash_transactions_invoice_fk FOREIGN KEY (invoice_id, reflexo_id) REFERENCES invoices (id, reflexo_id) ON DELETE RESTRICT,
    CONSTRAINT cash_transactions_doctor_fk FOREIGN KEY (doctor_id, reflexo_id) REFERENCES therapists (id, reflexo_id) ON DELETE SET NULL (doctor_id),
    CONSTRAINT cash_transactions_patient_fk FOREIGN KEY (patient_id, reflexo_id) REFERENCES patients (id, reflexo_id) ON DELETE SET NULL (patient_id))`);
  await run(`CREATE UNIQUE INDEX cash_transactions_ticket_uq ON cash_transactions (ticket_id) WHERE ticket_id IS NOT NULL`);
  await run(`CREATE INDEX cash_transactions_invoice_idx ON cash_transactions (invoice_id, occurred_at) WHERE invoice_id IS NOT NULL`);
  // Day and month reports read only this index (index-only scans over a range of instants).
  await run(`CREATE INDEX cash_transactions_day_idx ON cash_transactions (reflexo_id, occurred_at)
    INCLUDE (kind, status, amount, source, payment_type_id, payment_method, doctor_id) WHERE deleted_at IS NULL`);
  await run(`CREATE INDEX cash_transactions_doctor_idx ON cash_transactions (reflexo_id, doctor_id, occurred_at DESC) WHERE deleted_at IS NULL`);
  await run(`CREATE INDEX cash_transactions_patient_idx ON cash_transactions (reflexo_id, patient_id, occurred_at DESC) WHERE deleted_at IS NULL`);
  await enableTenantRls(db, 'cash_transactions');
  await run(`CREATE TRIGGER cash_transactions_touch BEFORE UPDATE ON cash_transactions FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`);

  await run(`CREATE TABLE cash_daily_totals (
    reflexo_id integer NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    day date NOT NULL,
    income numeric(14, 2) NOT NULL DEFAULT 0,
    expense numeric(14, 2) NOT NULL DEFAULT 0,
    entries integer NOT NULL DEFAULT 0,
    PRIMARY KEY (reflexo_id, day))`);
  await enableTenantRls(db, 'cash_daily_totals');
  await run(`CREATE FUNCTION cash_daily_totals_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        ${addToDays(contribution('new_rows', ''))};
      ELSIF TG_OP = 'DELETE' THEN
        ${addToDays(contribution('old_rows', '-'))};
      ELSE
        ${addToDays(`${contribution('new_rows', '')} UNION ALL ${contribution('old_rows', '-')}`)};
      END IF;
      RETURN NULL;
    END $$`);
  await run(`CREATE TRIGGER cash_daily_totals_ins AFTER INSERT ON cash_transactions REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cash_daily_totals_follow()`);
  await run(`CREATE TRIGGER cash_daily_totals_upd AFTER UPDATE ON cash_transactions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cash_daily_totals_follow()`);
  await run(`CREATE TRIGGER cash_daily_totals_del AFTER DELETE ON cash_transactions REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cash_daily_totals_follow()`);

  // Tickets feed the ledger: one aggregated statement per ticket statement (bulk loads stay cheap).
  await run(`CREATE FUNCTION ledger_follow_tickets() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        ${ticketEntries('new_rows')};
      ELSIF TG_OP = 'UPDATE' THEN
        ${ticketEntries('new_rows', `EXISTS (SELECT 1 FROM old_rows o WHERE o.id = t.id
          AND (o.status, o.amount, o.payment_method, o.payment_date, o.is_active, o.ticket_number, o.appointment_id)
              IS DISTINCT FROM (t.status, t.amount, t.payment_method, t.payment_date, t.is_active, t.ticket_number, t.appointment_id))`)};
        ${voidTicketEntries('new_rows')};
      ELSE
        UPDATE cash_transactions c SET status = 'anulado', updated_at = now() FROM old_rows o WHERE c.ticket_id = o.id AND c.status <> 'anulado';
      END IF;
      RETURN NULL;
    END $$`);
  await run(`CREATE TRIGGER tickets_ledger_ins AFTER INSERT ON tickets REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_follow_tickets()`);
  await run(`CREATE TRIGGER tickets_ledger_upd AFTER UPDATE ON tickets REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_follow_tickets()`);
  await run(`CREATE TRIGGER tickets_ledger_del AFTER DELETE ON tickets REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_follow_tickets()`);
  // A paid ticket's entry names its appointment's doctor and patient, also after the appointment changes hands.
  await run(`CREATE FUNCTION ledger_follow_appointment() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE cash_transactions c SET doctor_id = NEW.therapist_id, patient_id = NEW.patient_id
        FROM tickets t WHERE t.appointment_id = NEW.id AND c.ticket_id = t.id;
      RETURN NULL;
    END $$`);
  await run(`CREATE TRIGGER appointments_ledger AFTER UPDATE OF therapist_id, patient_id ON appointments FOR EACH ROW
    WHEN (OLD.therapist_id IS DISTINCT FROM NEW.therapist_id OR OLD.patient_id IS DISTINCT FROM NEW.patient_id)
    EXECUTE FUNCTION ledger_follow_appointment()`);

  // Tickets already paid before this migration enter the ledger now (and its day totals with them).
  await run(ticketEntries('tickets'));
}

export async function down(db: Kysely<any>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`DROP TRIGGER appointments_ledger ON appointments`);
  for (const op of ['ins', 'upd', 'del']) await run(`DROP TRIGGER tickets_ledger_${op} ON tickets`);
  await run(`DROP FUNCTION ledger_follow_appointment()`);
  await run(`DROP FUNCTION ledger_follow_tickets()`);
  await run(`DROP TABLE cash_transactions`);
  await run(`DROP FUNCTION cash_daily_totals_follow()`);
  await run(`DROP TABLE cash_daily_totals`);
  await run(`DROP TABLE invoice_items`);
  await run(`DROP TABLE invoices`);
  await run(`DROP TABLE invoice_counters`);
  await run(`DROP TABLE stock_movements`);
  await run(`DROP FUNCTION stock_movements_apply()`);
  await run(`DROP FUNCTION stock_movements_immutable()`);
  await run(`DROP TABLE products`);
  await run(`DROP FUNCTION products_stock_guard()`);
  await run(`DROP TABLE suppliers`);
  await run(`ALTER TABLE patients DROP CONSTRAINT patients_id_tenant_key`);
}
