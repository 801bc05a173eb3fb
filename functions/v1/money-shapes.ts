import { z } from 'zod';
import { moneyNumber } from '../../lib/money';
import { apellidosOf } from './shapes';

/*
 * What the v1 money and inventory groups (transactions, invoices, products, suppliers) share: decimal
 * inputs that never pass through a float, path ids, dates, and the short doctor/patient references of
 * the spec's transaction example.
 */

/**
 * A decimal with at most 2 places, as a JSON number or a string ("80", 80.5, "80.50"). JSON numbers
 * with ≤ 2 decimals print back exactly (shortest round-trip form), so the string is what was sent;
 * it travels as a string to PostgreSQL's numeric. Up to 10 integer digits, as numeric(12,2).
 */
export const decimal = (opts: { positive?: boolean; what?: string } = {}) =>
  z
    .union([z.number(), z.string()])
    .transform((v) => String(v).trim())
    .pipe(z.string().regex(/^\d{1,10}(\.\d{1,2})?$/, `${opts.what ?? 'Monto'}: un número no negativo con hasta 2 decimales`))
    .refine((v) => !opts.positive || /[1-9]/.test(v), `${opts.what ?? 'El monto'} debe ser mayor que 0`);

/** A path id: FastAPI answers 422 for a non-integer. */
export const pathId = z.string().regex(/^\d{1,9}$/, 'Input should be a valid integer').transform(Number);

const sane = (d: string) => d >= '2000-01-01' && d <= '2100-12-31';
/** A calendar date, between 2000 and 2100 (anything else is a typo in a clinic's books). */
export const isoDate = z.iso.date().refine(sane, 'Fecha fuera de rango (2000–2100)');
/** An instant with its offset or Z (`2024-01-15T10:30:00Z`, `2024-01-15T05:30:00-05:00`). */
export const isoInstant = z.iso.datetime({ offset: true }).refine((v) => sane(v.slice(0, 10)), 'Fecha fuera de rango (2000–2100)');

export const PersonaBreve = z.object({ id: z.number().int(), nombres: z.string(), apellidos: z.string() });
export const PacienteBreve = PersonaBreve.meta({ id: 'PacienteBreve' });
export const DoctorBreve = PersonaBreve.meta({ id: 'DoctorBreve' });

export const doctorBrief = (id: number | null, first: string | null, paternal: string | null, maternal: string | null) =>
  id === null ? null : { id, nombres: first ?? '', apellidos: apellidosOf(paternal, maternal) };
export const patientBrief = doctorBrief;

/** Money out: a JSON number (the spec shows 80.00). */
export const amount = (v: string | null) => moneyNumber(v) ?? 0;
export const nullableAmount = (v: string | null) => moneyNumber(v);

/** Totals of a report block. */
export const Totales = z.object({ ingresos: z.number(), egresos: z.number(), balance: z.number(), cantidad: z.number().int() });
export const totals = (t: { ingresos: string; egresos: string; balance: string; cantidad: number }) => ({
  ingresos: amount(t.ingresos),
  egresos: amount(t.egresos),
  balance: amount(t.balance),
  cantidad: t.cantidad,
});
