import { z } from 'zod';

/* Query-string pieces shared by the therapists, appointments, statuses and tickets route tables. */

/** `?flag=true|false|1|0` (Django-style booleans); absent → false. */
export const truthyFlag = z
  .enum(['true', 'false', 'True', 'False', '1', '0'], { error: 'Debe ser true o false.' })
  .optional()
  .transform((v) => v === 'true' || v === 'True' || v === '1');

/** `?ordering=field` or `-field` among the allowed columns, as DRF's OrderingFilter. */
export function orderingQuery<F extends string>(fields: readonly F[], fallback: `${'' | '-'}${F}`) {
  const allowed = [...fields, ...fields.map((f) => `-${f}`)] as string[];
  return z
    .string()
    .refine((v) => allowed.includes(v), `Ordenamiento inválido. Valores permitidos: ${allowed.join(', ')}.`)
    .optional()
    .default(fallback)
    .transform((v) => ({ column: v.replace(/^-/, '') as F, desc: v.startsWith('-') }));
}
