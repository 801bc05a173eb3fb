/**
 * The one error vocabulary. Domain and HTTP code throw these; a single mapper (renderError) turns
 * them into each surface's JSON: DRF style on the Reflexo surface, FastAPI style on /api/v1.
 */
export type Surface = 'reflexo' | 'v1';

/** Paths under /api/v1 belong to the Consultorio v1 contract; everything else speaks Reflexo. */
export const surfaceOf = (path: string): Surface => (/^\/api\/v1(\/|$)/.test(path) ? 'v1' : 'reflexo');

export interface FieldIssue {
  /** Path of the offending input, e.g. ['body', 'email'] or ['query', 'page']. */
  loc: (string | number)[];
  msg: string;
  type: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    /** Body for the Reflexo surface when the spec prescribes one; otherwise `{detail}` is used. */
    readonly body?: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
    message?: string,
  ) {
    super(message ?? (typeof body?.detail === 'string' ? body.detail : `HTTP ${status}`));
  }
}

export class ValidationError extends HttpError {
  constructor(readonly issues: FieldIssue[]) {
    super(400, undefined, {}, issues.map((i) => `${i.loc.join('.')}: ${i.msg}`).join('; '));
  }
  /** One message on one field of the body (or the whole request when field is null). */
  static field(field: string | null, msg: string, type = 'value_error'): ValidationError {
    return new ValidationError([{ loc: field === null ? ['body'] : ['body', field], msg, type }]);
  }
}

const detail = (status: number, reflexo: string, v1: string) =>
  class extends HttpError {
    constructor(message?: string, body?: Record<string, unknown>, headers?: Record<string, string>) {
      super(status, body ?? (message ? { detail: message } : undefined), headers, message ?? reflexo);
      this.v1Detail = message ?? v1;
    }
    v1Detail: string;
  };

export const NotFound = detail(404, 'No encontrado.', 'Not Found');
export const Unauthorized = detail(401, 'Las credenciales de autenticación no se proveyeron.', 'Not authenticated');
export const Forbidden = detail(403, 'Usted no tiene permiso para realizar esta acción.', 'Not enough permissions');
export const Conflict = detail(409, 'El recurso ya existe o está en conflicto.', 'Conflict');
export const TooManyRequests = detail(429, 'Demasiadas solicitudes. Intente más tarde.', 'Too Many Requests');
export const ServiceUnavailable = detail(503, 'Servicio no disponible temporalmente. Intente nuevamente.', 'Service Unavailable');
export class MethodNotAllowed extends HttpError {
  constructor(readonly method: string, allow: string[]) {
    super(405, undefined, { Allow: allow.join(', ') }, `Método "${method}" no permitido.`);
  }
}
export class PayloadTooLarge extends HttpError {
  constructor() {
    super(413, undefined, {}, 'El cuerpo de la solicitud es demasiado grande.');
  }
}
export class UnsupportedMediaType extends HttpError {
  constructor(type: string) {
    super(415, undefined, {}, `Tipo de medio "${type}" no soportado.`);
  }
}

const V1_MESSAGES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Not authenticated',
  403: 'Not enough permissions',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** PostgreSQL errors that mean "the caller sent something impossible" or "try again later". */
export function fromPgError(err: unknown): HttpError | undefined {
  const e = err as { code?: string; constraint?: string; detail?: string; column?: string };
  if (!e || typeof e !== 'object') return undefined;
  const code = e.code ?? '';
  switch (code) {
    case '23505':
    case '23P01':
      return new Conflict(code === '23P01' ? 'El horario ya está ocupado.' : 'El registro ya existe.', undefined);
    case '23503':
      return new ValidationError([{ loc: ['body'], msg: 'Referencia a un registro inexistente.', type: 'foreign_key' }]);
    case '23502':
      return new ValidationError([{ loc: ['body', e.column ?? 'non_field_errors'], msg: 'Este campo es requerido.', type: 'missing' }]);
    case '23514':
    case '22P02':
    case '22003':
    case '22007':
    case '22008':
    case '22001':
    case '22021': // a NUL byte or invalid UTF-8 in a text value: PostgreSQL cannot store it
    case '22P05':
      return new ValidationError([{ loc: ['body'], msg: 'Valor inválido.', type: 'value_error' }]);
    case '57014': // statement timeout
    case '57P01': // admin shutdown
    case '57P02':
    case '57P03':
    case '53300': // too many connections
    case '40001': // serialization failure
    case '40P01': // deadlock
      return new ServiceUnavailable();
  }
  if (code.startsWith('08') || ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(code)) return new ServiceUnavailable();
  const message = (err as Error).message ?? '';
  if (/Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(message)) {
    return new ServiceUnavailable();
  }
  return undefined;
}

/** Reflexo/DRF: `{field: [msg]}` with nested paths joined by dots, `non_field_errors` for the whole body. */
function drfFieldMap(issues: FieldIssue[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const i of issues) {
    const path = i.loc.slice(1).join('.');
    const key = path || 'non_field_errors';
    (out[key] ??= []).push(i.msg);
  }
  return out;
}

export interface ErrorResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export function renderError(err: HttpError, surface: Surface): ErrorResponse {
  if (err instanceof ValidationError) {
    return surface === 'v1'
      ? { status: 422, body: { detail: err.issues.map((i) => ({ loc: i.loc, msg: i.msg, type: i.type })) }, headers: {} }
      : { status: 400, body: drfFieldMap(err.issues), headers: {} };
  }
  if (surface === 'v1') {
    const own = (err as { v1Detail?: string }).v1Detail ?? (typeof err.body?.detail === 'string' ? err.body.detail : undefined);
    return { status: err.status, body: { detail: own ?? V1_MESSAGES[err.status] ?? 'Error' }, headers: err.headers };
  }
  return { status: err.status, body: err.body ?? { detail: err.message }, headers: err.headers };
}
