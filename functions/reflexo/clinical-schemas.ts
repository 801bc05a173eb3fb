import { z } from 'zod';
import { AppError, ValidationError } from '../../lib/errors';
import { blankAsNull, takesInput } from '../../lib/http/coerce';

/*
 * zod pieces and edge helpers shared by the patients, clinical records and configuration route
 * tables of the Reflexo surface: DRF's Spanish wording, DRF's lax form input.
 */

export const MSG = {
  blank: 'Este campo no puede estar en blanco.',
  required: 'Este campo es requerido.',
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

export const dateInput = z
  .string({ error: MSG.date })
  .regex(/^\d{4}-\d{2}-\d{2}$/, MSG.date)
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, MSG.date);

/** A date that may be cleared: null, or blank as a form sends an untouched field (DRF reads it as None). */
export const optionalDate = blankAsNull(dateInput.nullable()).optional();

export const boolInput = z.boolean({ error: MSG.boolean });

/**
 * A decimal sent as a JSON number or a string, returned as the exact decimal string PostgreSQL
 * stores (no float arithmetic). `intDigits`/`decimals` mirror the column's numeric(p, s).
 */
export const decimalInput = (intDigits: number, decimals: number) =>
  takesInput(decimalText(intDigits, decimals), { anyOf: [{ type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*$' }, { type: 'number', exclusiveMinimum: 0 }] });

const decimalText = (intDigits: number, decimals: number) =>
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

/** A nullable decimal; blank (a form's untouched field) is null, as DRF reads it. */
export const optionalDecimal = (intDigits: number, decimals: number) =>
  blankAsNull(decimalInput(intDigits, decimals).nullable()).optional();

/**
 * A field naming a row of a shared catalog (a document type): its id, its name or code (any case),
 * or the `{id, name}` object a detail GET shows, so an edit form can send back what it read.
 */
export const catalogRef = z.union([intInput, z.string().trim().min(1, MSG.blank).max(100, MSG.maxLength(100)), z.looseObject({ id: intInput }).transform((o) => o.id)], {
  error: 'Tipo incorrecto. Se esperaba el id, el nombre o el código del registro.',
});

/** An ubigeo level: its id, or the `{id, name}` object a detail GET shows. */
export const ubigeoRef = z.union([intInput, z.looseObject({ id: intInput }).transform((o) => o.id)], { error: MSG.integer });

/** `?hard=true` on deletes. */
export const hardQuery = z.object({ hard: z.enum(['true', 'false', '1', '0']).optional() });
/** `?hard=true` (also `1`) asks for a definitive delete. */
export const isHard = (hard: string | undefined): boolean => hard === 'true' || hard === '1';

export const messageBody = z.object({ message: z.string() });

/** numeric columns that are not money (height, weight) travel as JSON numbers. */
export const toNumber = (v: string | null): number | null => (v === null ? null : Number(v));

/**
 * The domain names the fields of its own (neutral) input; this contract may call them otherwise
 * (`region_code` for `region_id`, `document_type_id` for `document_type`). Renames them in a
 * validation error (or an error's `fields`) so the client reads the name it sent.
 */
export function renameFields(err: unknown, names: Record<string, string>): unknown {
  const rename = (k: string | number) => (typeof k === 'string' && names[k] ? names[k] : k);
  if (err instanceof ValidationError) {
    return new ValidationError(err.issues.map((i) => (i.loc[0] === 'body' && i.loc.length > 1 ? { ...i, loc: ['body', rename(i.loc[1]), ...i.loc.slice(2)] } : i)));
  }
  if (err instanceof AppError && err.fields) {
    const fields = Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [rename(k), v]));
    return new AppError(err.status, err.message, { code: err.code, data: err.data, fields, headers: err.headers });
  }
  return err;
}

/** Runs a domain call, reporting its field errors under this contract's names. */
export async function withFieldNames<T>(names: Record<string, string>, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw renameFields(err, names);
  }
}
