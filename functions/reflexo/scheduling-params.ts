import { z } from 'zod';

/* Query-string pieces shared by the therapists, appointments, statuses and tickets route tables. */

/** `?flag=true|false|1|0` (Django-style booleans); absent → false. */
export const truthyFlag = z
  .enum(['true', 'false', 'True', 'False', '1', '0'], { error: 'Debe ser true o false.' })
  .optional()
  .transform((v) => v === 'true' || v === 'True' || v === '1');

/** `?ordering=field` or `-field` among the allowed columns, as DRF's OrderingFilter. */
export function orderingQuery<F extends string>(fields: readonly F[], fallback: NoInfer<`${'' | '-'}${F}`>) {
  const allowed = [...fields, ...fields.map((f) => `-${f}`)] as string[];
  return z
    .string()
    .refine((v) => allowed.includes(v), `Ordenamiento inválido. Valores permitidos: ${allowed.join(', ')}.`)
    .optional()
    .default(fallback)
    .transform((v) => ({ column: v.replace(/^-/, '') as F, desc: v.startsWith('-') }));
}

/** `HH:MM` or `HH:MM:SS`, a real time of day. */
export const hourString = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, 'Hora inválida. Use el formato HH:MM o HH:MM:SS.');

/** Money as a JSON number or a decimal string, at most 2 decimals; kept as a string (never a float). */
export const money = z
  .union([z.number(), z.string().trim()], { error: 'Debe ser un monto válido.' })
  .transform((v) => String(v))
  .pipe(z.string().regex(/^\d{1,10}(\.\d{1,2})?$/, 'Debe ser un monto válido, mayor o igual a 0 y con hasta 2 decimales.'));

/**
 * A catalog row by id or by its case-insensitive name (`3`, `"3"`, `"PENDIENTE"`, `"cash"`): forms send
 * every id as text, so digits are an id. The domain resolves names.
 */
export const catalogRef = z
  .union([z.number().int().positive(), z.string().trim().min(1, 'Este campo no puede estar en blanco.').max(100)], {
    // A union reports a missing field as its own failure: word it as every other required field.
    error: (issue) => (issue.input === undefined ? 'Este campo es requerido.' : 'Debe ser un id o un nombre válido.'),
  })
  .transform((v) => (typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : v));

/** A room by name; DRF-era clients also send room numbers (`"room": 3`). */
export const roomInput = z
  .union([z.string(), z.number()], { error: 'Debe ser un texto.' })
  .transform((v) => String(v).trim())
  .pipe(z.string().max(50, 'Asegúrese de que este campo no tenga más de 50 caracteres.'));
