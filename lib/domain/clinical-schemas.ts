import { z } from 'zod';

/* zod pieces shared by the patients, clinical records and configuration route tables (DRF wording). */

export const MSG = {
  blank: 'Este campo no puede estar en blanco.',
  maxLength: (n: number) => `Asegúrese de que este campo no tenga más de ${n} caracteres.`,
  email: 'Introduzca una dirección de correo electrónico válida.',
  integer: 'Introduzca un número entero válido.',
  number: 'Se requiere un número válido.',
  date: 'La fecha tiene un formato erróneo. Use uno de los siguientes formatos en su lugar: YYYY-MM-DD.',
  positive: 'Asegúrese de que este valor es mayor que 0.',
  decimals: (n: number) => `Asegúrese de que no haya más de ${n} decimales.`,
  digits: (n: number) => `Asegúrese de que no haya más de ${n} dígitos en total.`,
  boolean: 'Debe ser un valor booleano válido.',
};

/** A required, non-blank, trimmed string. */
export const text = (max: number) => z.string().trim().min(1, MSG.blank).max(max, MSG.maxLength(max));
/** An optional string; blank and null both store null. */
export const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, MSG.maxLength(max))
    .nullable()
    .optional()
    .transform((v) => (v === undefined ? undefined : v === null || v === '' ? null : v));

export const positiveInt = z.number({ error: MSG.integer }).int(MSG.integer).positive(MSG.integer).max(2_147_483_647, MSG.integer);
/** Integers sent as numbers or numeric strings (form posts). */
export const intInput = z.preprocess((v) => (typeof v === 'string' && /^\s*\d{1,10}\s*$/.test(v) ? Number(v) : v), positiveInt);

export const dateInput = z.string({ error: MSG.date }).regex(/^\d{4}-\d{2}-\d{2}$/, MSG.date).refine((s) => {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}, MSG.date);

export const boolInput = z.boolean({ error: MSG.boolean });

/**
 * A decimal sent as a JSON number or a string, returned as the exact decimal string PostgreSQL
 * stores (no float arithmetic). `intDigits`/`decimals` mirror the column's numeric(p, s).
 */
export const decimalInput = (intDigits: number, decimals: number) =>
  z
    .preprocess((v) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : v), z.string({ error: MSG.number }).trim())
    .transform((s, ctx) => {
      const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(s);
      if (!m) {
        ctx.addIssue({ code: 'custom', message: MSG.number });
        return z.NEVER;
      }
      if (m[1] || !/[1-9]/.test(`${m[2]}${m[3] ?? ''}`)) {
        ctx.addIssue({ code: 'custom', message: MSG.positive });
        return z.NEVER;
      }
      const frac = (m[3] ?? '').replace(/0+$/, '');
      if (frac.length > decimals) {
        ctx.addIssue({ code: 'custom', message: MSG.decimals(decimals) });
        return z.NEVER;
      }
      const int = m[2].replace(/^0+(?=\d)/, '');
      if (int.length > intDigits) {
        ctx.addIssue({ code: 'custom', message: MSG.digits(intDigits + decimals) });
        return z.NEVER;
      }
      return frac ? `${int}.${frac}` : int;
    });

/** `?hard=true` on deletes. */
export const hardQuery = z.object({ hard: z.enum(['true', 'false', '1', '0']).optional() });

export const messageBody = z.object({ message: z.string() });
