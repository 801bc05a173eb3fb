import busboy from 'busboy';
import { config } from '../config';
import { AppError, PayloadTooLarge, UnsupportedMediaType } from '../errors';
import type { UploadedFile } from '../files/upload';

export interface ParsedBody {
  body: unknown;
  files: UploadedFile[];
}

const EMPTY: ParsedBody = { body: undefined, files: [] };

/** The raw bytes of the request body, decoding API Gateway's base64 wrapping. */
export function rawBody(event: { body?: string; isBase64Encoded?: boolean }): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

function parseJson(raw: Buffer): unknown {
  if (raw.length > config.maxJsonBytes) throw new PayloadTooLarge();
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new AppError(400, `Error de análisis JSON: ${(err as Error).message}`);
  }
}

function parseForm(raw: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) out[k] = v;
  return out;
}

const MAX_FILES = 5;

function parseMultipart(raw: Buffer, contentType: string): Promise<ParsedBody> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: { 'content-type': contentType },
        // Keep the client's path so a traversal attempt can be seen (and refused); only the base name is used.
        preservePath: true,
        limits: { fileSize: config.maxBodyBytes, files: MAX_FILES, fields: 200, fieldSize: 64 * 1024, parts: 250 },
      });
    } catch {
      return reject(new AppError(400, 'Cuerpo multipart inválido (falta el boundary).'));
    }
    const fields: Record<string, string> = {};
    const files: UploadedFile[] = [];
    let failed: Error | undefined;
    bb.on('field', (name, value) => {
      fields[name] = value;
    });
    bb.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => (failed = new PayloadTooLarge()));
      // A name that climbs directories or hides a NUL byte is an attack, not a photo: refuse the request.
      if (/(^|[\\/])\.\.([\\/]|$)|\0/.test(info.filename ?? '')) failed = new AppError(400, 'Nombre de archivo inválido.');
      stream.on('close', () => {
        // The server never trusts the client's path: only the base name is kept, for display.
        const filename = (info.filename ?? '').split(/[\\/]/).pop() ?? '';
        files.push({ field, filename, contentType: info.mimeType, data: Buffer.concat(chunks) });
      });
    });
    bb.on('filesLimit', () => (failed = new AppError(400, `Se permiten como máximo ${MAX_FILES} archivos.`)));
    bb.on('error', () => reject(new AppError(400, 'Cuerpo multipart inválido.')));
    bb.on('close', () => (failed ? reject(failed) : resolve({ body: fields, files })));
    bb.end(raw);
  });
}

/**
 * JSON for every route; multipart and urlencoded forms only where the route accepts them.
 * Anything else with a body is a 415, an unparseable body a 400, an oversized one a 413.
 */
export async function parseBody(
  event: { body?: string; isBase64Encoded?: boolean },
  contentTypeHeader: string | undefined,
  acceptsForms: boolean,
): Promise<ParsedBody> {
  const raw = rawBody(event);
  if (raw.length > config.maxBodyBytes) throw new PayloadTooLarge();
  if (raw.length === 0) return EMPTY;
  const contentType = (contentTypeHeader ?? '').toLowerCase();
  const mediaType = contentType.split(';')[0].trim();
  if (mediaType === '' || mediaType === 'application/json' || mediaType.endsWith('+json')) {
    return { body: parseJson(raw), files: [] };
  }
  if (acceptsForms && mediaType === 'multipart/form-data') return parseMultipart(raw, contentTypeHeader!);
  if (acceptsForms && mediaType === 'application/x-www-form-urlencoded') return { body: parseForm(raw), files: [] };
  throw new UnsupportedMediaType(mediaType);
}
