/*
 * The one description of a tabular report that both the Excel and the PDF builders render, so an
 * export's columns, rows and totals are decided once per report, not once per format.
 */

/**
 * How a column's values are stored and shown. `money` values are decimal strings computed in SQL
 * ("150.00"); they are printed as they are and only turned into numbers for spreadsheet cells.
 */
export type ColumnKind = 'text' | 'int' | 'money' | 'date' | 'time' | 'datetime' | 'percent';

export interface Column {
  key: string;
  header: string;
  kind: ColumnKind;
  /** Excel width in characters; the PDF shares the page width in the same proportions. */
  width: number;
}

export type Cell = string | number | null;
export type Row = Record<string, Cell>;

export interface Table {
  /** Section heading (PDF) and worksheet name (Excel, ≤ 31 characters). */
  name: string;
  columns: Column[];
  rows: Row[];
  /** A totals row: the label goes in the first column, values under their keys (sums from SQL). */
  totals?: { label: string; values: Row };
  /** Shown when there are no rows. */
  emptyMessage?: string;
}

export interface Report {
  /** Company (clinic) name, the first line of every export. */
  companyName: string;
  /** PNG/JPEG bytes of the company logo, printed in the PDF header. */
  logo?: Buffer | null;
  title: string;
  /** "Fecha: 2025-08-25" or "Del 2025-08-25 al 2025-08-28". */
  period: string;
  /** "Generado el 2025-08-25 18:30 (America/Lima)". */
  generated: string;
  tables: Table[];
  /** Landscape pages for wide tables. */
  landscape?: boolean;
}

/** 'YYYY-MM-DD' → 'DD/MM/YYYY', the way a clinic in Peru reads dates on paper. */
export const displayDate = (iso: string) => (/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` : iso);

/** Thousands separators on a decimal string without ever going through a float: "12345.50" → "12,345.50". */
export function displayMoney(value: string | number | null): string {
  if (value === null || value === '') return '';
  const s = typeof value === 'number' ? value.toFixed(2) : value;
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return s;
  const cents = (m[3] ?? '').padEnd(2, '0').slice(0, 2);
  return `${m[1]}S/ ${m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
}

export function displayCell(kind: ColumnKind, value: Cell): string {
  if (value === null || value === undefined) return '';
  switch (kind) {
    case 'money':
      return displayMoney(value);
    case 'date':
      return displayDate(String(value));
    case 'time':
      return String(value).slice(0, 5);
    case 'datetime': {
      const s = String(value);
      return /^\d{4}-\d{2}-\d{2}/.test(s) ? `${displayDate(s.slice(0, 10))} ${s.slice(11, 16)}` : s;
    }
    case 'percent':
      return `${value}%`;
    default:
      return String(value);
  }
}
