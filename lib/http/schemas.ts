import { z } from 'zod';

/* Schema pieces shared by route tables. Path and query values arrive as strings. */

/** A positive integer id in the path or query (`12`, not `12.5`, `-1` or `abc`). */
export const intString = z
  .string()
  .regex(/^\d{1,9}$/, 'Debe ser un número entero válido.')
  .transform(Number)
  .pipe(z.number().int().positive());

export const idParams = z.object({ id: intString });

/** Timestamps are serialised as ISO-8601 UTC with Z. */
export const timestamp = z.iso.datetime().meta({ id: 'Timestamp' });
export const nullableTimestamp = timestamp.nullable();
/** `YYYY-MM-DD`. */
export const isoDate = z.iso.date().meta({ id: 'IsoDate' });

export const detailBody = z.object({ detail: z.string() }).meta({ id: 'DetailMessage' });

/** The spec's `{"error": "..."}` bodies (roles, diagnoses, company logo, ticket lookups, users). */
export const errorBody = z.object({ error: z.string() }).meta({ id: 'ErrorMessage' });
/** DRF field errors, `{"field": ["message"]}`, where a status other than 400 carries them (409 duplicates). */
export const fieldErrors = z.record(z.string(), z.array(z.string()));
