import type { z } from 'zod';

/*
 * The lax input both contracts' frameworks accept: Django REST Framework (and pydantic's lax mode on
 * FastAPI) read "12" as 12 and "true" as true wherever a field is numeric or boolean, whatever the
 * content type, and forms cannot send anything but strings. Values are coerced only where the
 * route's schema expects that type, before validation; what still does not fit gets the field's own
 * validation message.
 */
type Def = { type: string; innerType?: z.ZodType; in?: z.ZodType; out?: z.ZodType; shape?: Record<string, z.ZodType>; element?: z.ZodType; options?: z.ZodType[] };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

/** The schema that decides what a value should look like: wrappers and preprocessors peeled off. */
function target(schema: z.ZodType): { def: Def; nullable: boolean } {
  let s = schema;
  let nullable = false;
  for (let i = 0; i < 20; i++) {
    const d = defOf(s);
    if (d.type === 'nullable') nullable = true;
    if (WRAPPERS.has(d.type) && d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in && d.out) s = defOf(d.in).type === 'transform' ? d.out : d.in;
    else if (d.type === 'lazy') break;
    else return { def: d, nullable };
  }
  return { def: defOf(s), nullable };
}

const TRUE = new Set(['true', 'True', 'TRUE', '1', 'on', 'yes']);
const FALSE = new Set(['false', 'False', 'FALSE', '0', 'off', 'no']);
const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/;

const acceptsType = (def: Def, type: string): boolean => def.type === type || (def.type === 'union' && (def.options ?? []).some((o) => acceptsType(target(o).def, type)));
const acceptsString = (def: Def): boolean => ['string', 'enum', 'literal', 'custom', 'any', 'unknown', 'date'].includes(def.type) || (def.type === 'union' && (def.options ?? []).some((o) => acceptsString(target(o).def)));

export function coerceLike(schema: z.ZodType, value: unknown): unknown {
  const { def, nullable } = target(schema);
  if (typeof value === 'string') {
    // A form cannot send null: an empty value of a nullable, non-text field means "none".
    if (value === '' && nullable && !acceptsString(def)) return null;
    if (acceptsString(def)) return value;
    if (acceptsType(def, 'number') && NUMERIC.test(value)) return Number(value);
    if (acceptsType(def, 'boolean') && (TRUE.has(value) || FALSE.has(value))) return TRUE.has(value);
    return value;
  }
  if (def.type === 'object' && value && typeof value === 'object' && !Array.isArray(value)) {
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const [k, field] of Object.entries(def.shape ?? {})) if (k in out) out[k] = coerceLike(field, out[k]);
    return out;
  }
  if (def.type === 'array' && Array.isArray(value) && def.element) return value.map((v) => coerceLike(def.element!, v));
  return value;
}
