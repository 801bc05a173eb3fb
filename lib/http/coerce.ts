import { z } from 'zod';

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

/*
 * What the OpenAPI document declares a request body field takes, to match the coercion above: a
 * numeric field also takes its digits as a string, a boolean field its words. A schema whose
 * preprocessing takes more than its type says (a decimal string that also takes a JSON number)
 * states what it takes with `takesInput`. Called by lib/http/openapi.ts for every node of a body.
 */
type Declared = Record<string, unknown> | ((own: Record<string, unknown>) => Record<string, unknown>);
const declaredInputs = new WeakMap<object, Declared>();
export function takesInput<T extends z.ZodType>(schema: T, declared: Declared): T {
  declaredInputs.set(schema, declared);
  return schema;
}

/** A field where a blank string (a form's untouched field) means null. */
export const blankAsNull = <T extends z.ZodType>(schema: T) =>
  takesInput(
    z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? null : v), schema),
    (own) => ({ anyOf: [own, { type: 'string', pattern: BLANK_TEXT }] }),
  );

const INTEGER_TEXT = '^\\s*-?\\d+\\s*$';
const NUMBER_TEXT = '^\\s*-?\\d+(\\.\\d+)?\\s*$';
const BLANK_TEXT = '^\\s*$';

export function declareLaxInput(zodSchema: unknown, jsonSchema: Record<string, unknown>): void {
  const schema = zodSchema as z.ZodType;
  const def = defOf(schema);
  const own = { ...jsonSchema };
  const registered = declaredInputs.get(schema);
  let declared = typeof registered === 'function' ? registered(own) : registered;
  if (!declared && def.type === 'number') declared = { anyOf: [own, { type: 'string', pattern: own.type === 'integer' ? INTEGER_TEXT : NUMBER_TEXT }] };
  if (!declared && def.type === 'boolean') declared = { anyOf: [own, { type: 'string', enum: [...TRUE, ...FALSE] }] };
  // coerceLike: "" for a nullable field that is not text is null.
  if (!declared && def.type === 'nullable' && def.innerType && !acceptsString(target(def.innerType).def)) declared = { anyOf: [own, { const: '' }] };
  if (!declared) return;
  for (const k of Object.keys(jsonSchema)) delete jsonSchema[k];
  Object.assign(jsonSchema, declared);
}
