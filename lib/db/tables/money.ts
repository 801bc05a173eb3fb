import type { ColumnType, Generated } from 'kysely';
import type { CreatedAt, NullableTimestamp, Timestamp } from './columns';
import type { Money, NullableMoney } from './scheduling';

/* The cash ledger, invoices, products, stock movements and suppliers (migration 0023_money). */

export type LedgerKind = 'ingreso' | 'egreso';
export type LedgerSource = 'manual' | 'ticket' | 'factura';
export type LedgerStatus = 'completado' | 'pendiente' | 'anulado';
export type InvoiceStatus = 'borrador' | 'emitida' | 'parcial' | 'pagada' | 'anulada';
export type MovementKind = 'entrada' | 'salida' | 'ajuste';

/** Computed by PostgreSQL (generated column or trigger): read only. */
type Computed<T> = ColumnType<T, never, never>;

export interface CashTransactionsTable {
  id: Generated<number>;
  reflexo_id: number;
  kind: LedgerKind;
  source: Generated<LedgerSource>;
  ticket_id: number | null;
  invoice_id: number | null;
  doctor_id: number | null;
  patient_id: number | null;
  concept: string;
  amount: Money;
  payment_type_id: number | null;
  payment_method: string;
  occurred_at: Timestamp;
  comment: string | null;
  reference: string | null;
  status: Generated<LedgerStatus>;
  created_by: number | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
  deleted_at: NullableTimestamp;
}

export interface CashDailyTotalsTable {
  reflexo_id: number;
  /** UTC calendar day of the entries' instants. */
  day: string;
  income: Money;
  expense: Money;
  entries: number;
}

export interface InvoiceCountersTable {
  reflexo_id: number;
  series: string;
  last_number: number;
}

export interface InvoicesTable {
  id: Generated<number>;
  reflexo_id: number;
  series: Generated<string>;
  number: number | null;
  patient_id: number;
  appointment_id: number | null;
  status: Generated<InvoiceStatus>;
  issue_date: Generated<string>;
  due_date: string | null;
  igv_rate: ColumnType<string, string | number | undefined, string | number>;
  prices_include_igv: Generated<boolean>;
  subtotal: ColumnType<string, string | number | undefined, string | number>;
  igv: ColumnType<string, string | number | undefined, string | number>;
  total: ColumnType<string, string | number | undefined, string | number>;
  paid: ColumnType<string, string | number | undefined, string | number>;
  notes: string | null;
  created_by: number | null;
  cancelled_at: NullableTimestamp;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface InvoiceItemsTable {
  id: Generated<number>;
  reflexo_id: number;
  invoice_id: number;
  line_no: Generated<number>;
  description: string;
  quantity: Money;
  unit_price: Money;
  discount: ColumnType<string, string | number | undefined, string | number>;
  igv_rate: ColumnType<string, string | number | undefined, string | number>;
  prices_include_igv: Generated<boolean>;
  treatment_id: number | null;
  product_id: number | null;
  amount: Computed<string>;
  base: Computed<string>;
  tax: Computed<string>;
  total: Computed<string>;
}

export interface SuppliersTable {
  id: Generated<number>;
  reflexo_id: number;
  name: string;
  ruc: string | null;
  contact: string | null;
  phone: string | null;
  email: string | null;
  is_active: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface ProductsTable {
  id: Generated<number>;
  reflexo_id: number;
  name: string;
  sku: string | null;
  category: string | null;
  unit: Generated<string>;
  sale_price: NullableMoney;
  cost: NullableMoney;
  /** The sum of the product's movements (stock_movements' trigger): never written directly. */
  stock: Computed<string>;
  min_stock: ColumnType<string, string | number | undefined, string | number>;
  supplier_id: number | null;
  is_active: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
  deleted_at: NullableTimestamp;
}

export interface StockMovementsTable {
  id: Generated<number>;
  reflexo_id: number;
  product_id: number;
  kind: MovementKind;
  quantity: Money;
  delta: Computed<string>;
  stock_after: Computed<string>;
  reason: string | null;
  supplier_id: number | null;
  unit_cost: NullableMoney;
  user_id: number | null;
  created_at: CreatedAt;
}

export interface MoneyTables {
  cash_transactions: CashTransactionsTable;
  cash_daily_totals: CashDailyTotalsTable;
  invoice_counters: InvoiceCountersTable;
  invoices: InvoicesTable;
  invoice_items: InvoiceItemsTable;
  suppliers: SuppliersTable;
  products: ProductsTable;
  stock_movements: StockMovementsTable;
}
