import { z } from 'zod';
import { blankAsNull } from '../../lib/http/coerce';

/*
 * Shapes more than one v1 group shows: the short patient and doctor of the spec's appointment
 * example, and the name mapping both ways (v1 `apellidos` = Reflexo paternal + maternal lastname).
 */
export const PacienteRef = z.object({ id: z.number().int(), nombres: z.string(), apellidos: z.string(), telefono: z.string().nullable() }).meta({ id: 'PacienteResumen' });
export const DoctorRef = z.object({ id: z.number().int(), nombres: z.string(), apellidos: z.string() }).meta({ id: 'DoctorResumen' });

export const apellidosOf = (paternal: string | null, maternal: string | null) => [paternal, maternal].filter((x) => x && x.trim()).join(' ');

/** `"López García"` → paternal López, maternal García; one word → paternal only; more → first word + the rest. */
export function splitApellidos(apellidos: string): { paternal: string; maternal: string | null } {
  const words = apellidos.trim().split(/\s+/);
  return { paternal: words[0] ?? '', maternal: words.length > 1 ? words.slice(1).join(' ') : null };
}

/* Inputs more than one v1 group takes: text and e-mail where a blank (a form's untouched field) is null. */
export const optText = (max: number) => blankAsNull(z.string().trim().max(max).nullable().optional());
export const optEmail = () => blankAsNull(z.email('Input should be a valid email address').max(254).nullable().optional());
