/**
 * The one error vocabulary. Domain and HTTP code throw these; a single mapper per surface
 * (lib/http/errors.ts renderError, with the surface's presenter) turns them into JSON: DRF style on
 * the Reflexo surface, FastAPI style on /api/v1. An error says what happened (status, message, a
 * machine `code`, the `fields` at fault, facts in `data`), never how a surface words its body.
 */
export interface FieldIssue {
  /** Path of the offending input, e.g. ['body', 'email'] or ['query', 'page']. */
  loc: (string | number)[];
  msg: string;
  type: string;
  /** The value that was refused, when it is known (FastAPI's 422 shows it). */
  input?: unknown;
}

export interface ErrorDetails {
  /** Stable, machine-readable cause (`therapist_unavailable`, `patient_exists`…). */
  code?: string;
  /** Facts a client may need (the record that holds a unique value, say). */
  data?: Record<string, unknown>;
  /** Input fields at fault, with a message each (a 409 on a duplicate document). */
  fields?: Record<string, string[]>;
  headers?: Record<string, string>;
}

export class AppError extends Error {
  readonly code?: string;
  readonly data?: Record<string, unknown>;
  readonly fields?: Record<string, string[]>;
  readonly headers: Record<string, string>;
  /** True when no message was given: surfaces may use their own standard wording for the status. */
  readonly generic: boolean;

  constructor(
    readonly status: number,
    message?: string,
    details: ErrorDetails = {},
  ) {
    super(message ?? `HTTP ${status}`);
    this.generic = message === undefined;
    this.code = details.code;
    this.data = details.data;
    this.fields = details.fields;
    this.headers = details.headers ?? {};
  }
}

export class ValidationError extends AppError {
  constructor(readonly issues: FieldIssue[]) {
    super(400, issues.map((i) => `${i.loc.join('.')}: ${i.msg}`).join('; '));
  }
  /** One message on one field of the body (or the whole request when field is null). */
  static field(field: string | null, msg: string, type = 'value_error', input?: unknown): ValidationError {
    return new ValidationError([{ loc: field === null ? ['body'] : ['body', field], msg, type, ...(input === undefined ? {} : { input }) }]);
  }
}

const kind = (status: number, fallback: string) =>
  class extends AppError {
    constructor(message?: string, details?: ErrorDetails) {
      super(status, message, details);
      if (message === undefined) this.message = fallback;
    }
  };

export const BadRequest = kind(400, 'Solicitud inválida.');
export const Unauthorized = kind(401, 'Las credenciales de autenticación no se proveyeron.');
export const Forbidden = kind(403, 'Usted no tiene permiso para realizar esta acción.');
export const NotFound = kind(404, 'No encontrado.');
export const Conflict = kind(409, 'El recurso ya existe o está en conflicto.');
export const TooManyRequests = kind(429, 'Demasiadas solicitudes. Intente más tarde.');
export const ServiceUnavailable = kind(503, 'Servicio no disponible temporalmente. Intente nuevamente.');

/* Refusals of the HTTP stack itself: generic, so v1 words them as FastAPI does ("Method Not Allowed"). */
export class MethodNotAllowed extends AppError {
  constructor(readonly method: string, allow: string[]) {
    super(405, undefined, { headers: { Allow: allow.join(', ') } });
    this.message = `Método "${method}" no permitido.`;
  }
}
export class PayloadTooLarge extends AppError {
  constructor() {
    super(413);
    this.message = 'El cuerpo de la solicitud es demasiado grande.';
  }
}
export class UnsupportedMediaType extends AppError {
  constructor(type: string) {
    super(415);
    this.message = `Tipo de medio "${type}" no soportado.`;
  }
}

/** A token that is forged, expired, revoked or of the wrong type. */
export const invalidToken = () => new Unauthorized('El token no es válido o ha expirado.', { code: 'token_not_valid' });
