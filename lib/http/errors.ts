import { AppError, Conflict, ServiceUnavailable, ValidationError, type FieldIssue } from '../errors';

/*
 * How each surface renders the one error vocabulary (lib/errors.ts): DRF style on Reflexo, FastAPI
 * style on /api/v1. A surface may pass a presenter for the bodies its contract words its own way.
 */
export type Surface = 'reflexo' | 'v1';

/** Paths under /api/v1 belong to the Consultorio v1 contract; everything else speaks Reflexo. */
export const surfaceOf = (path: string): Surface => (/^\/api\/v1(\/|$)/.test(path) ? 'v1' : 'reflexo');

/** A surface's own body for an error, or undefined for its standard one. */
export type ErrorPresenter = (err: AppError) => Record<string, unknown> | undefined;

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
export function fromPgError(err: unknown): AppError | undefined {
  const e = err as { code?: string; constraint?: string; detail?: string; column?: string };
  if (!e || typeof e !== 'object') return undefined;
  const code = e.code ?? '';
  switch (code) {
    case '23505':
    case '23P01':
      return new Conflict(code === '23P01' ? 'El horario ya está ocupado.' : 'El registro ya existe.');
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

export function renderError(err: AppError, surface: Surface, present?: ErrorPresenter): ErrorResponse {
  if (err instanceof ValidationError) {
    return surface === 'v1'
      ? { status: 422, body: { detail: err.issues.map((i) => ({ type: i.type, loc: i.loc, msg: i.msg, ...('input' in i ? { input: i.input } : {}) })) }, headers: {} }
      : { status: 400, body: drfFieldMap(err.issues), headers: {} };
  }
  const own = present?.(err);
  if (surface === 'v1') return { status: err.status, body: own ?? { detail: err.generic ? (V1_MESSAGES[err.status] ?? 'Error') : err.message }, headers: err.headers };
  return { status: err.status, body: own ?? err.fields ?? { detail: err.message }, headers: err.headers };
}
