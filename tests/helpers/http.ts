import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { assertContract } from './contract';

/*
 * Invokes a Lambda handler exactly as API Gateway (HTTP API, payload 2.0) would: raw path as sent,
 * lower-case headers, raw query string, base64 bodies for multipart and binary.
 */
export type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2 | void>;

export interface FilePart {
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface CallOptions {
  method?: string;
  path: string;
  query?: Record<string, string | number | boolean | undefined> | string;
  headers?: Record<string, string>;
  token?: string;
  /** Sent as JSON (application/json). */
  json?: unknown;
  /** Sent verbatim with the given content type (or none). */
  raw?: { body: string | Buffer; contentType?: string };
  /** Sent as multipart/form-data. */
  multipart?: { fields?: Record<string, string>; files?: FilePart[] };
  /** The client address API Gateway reports (throttling is per IP). */
  sourceIp?: string;
  /**
   * Skip the OpenAPI contract check for this response. Only for tests that deliberately provoke
   * behaviour outside the contract; say why next to the call.
   */
  unchecked?: true;
}

export interface CallResult {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the response is JSON, otherwise the text (either after Content-Encoding is undone). */
  body: any;
  /** The response bytes as sent, still compressed when Content-Encoding says so. */
  raw: Buffer;
}

export function multipartBody(fields: Record<string, string> = {}, files: FilePart[] = []): { body: Buffer; contentType: string } {
  const boundary = `----reflexo${randomUUID().replace(/-/g, '')}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  for (const f of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.filename}"\r\nContent-Type: ${f.contentType}\r\n\r\n`));
    parts.push(f.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

export function buildEvent(opts: CallOptions): APIGatewayProxyEventV2 {
  const method = (opts.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = { host: 'localhost:8000', 'user-agent': 'jest', 'x-forwarded-proto': 'http' };
  let body: string | undefined;
  let isBase64Encoded = false;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.raw) {
    if (opts.raw.contentType) headers['content-type'] = opts.raw.contentType;
    body = Buffer.isBuffer(opts.raw.body) ? opts.raw.body.toString('base64') : opts.raw.body;
    isBase64Encoded = Buffer.isBuffer(opts.raw.body);
  } else if (opts.multipart) {
    const m = multipartBody(opts.multipart.fields, opts.multipart.files);
    headers['content-type'] = m.contentType;
    body = m.body.toString('base64');
    isBase64Encoded = true;
  }
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = v;
  const rawQueryString =
    typeof opts.query === 'string'
      ? opts.query
      : new URLSearchParams(
          Object.entries(opts.query ?? {})
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => [k, String(v)] as [string, string]),
        ).toString();
  const queryStringParameters = rawQueryString ? Object.fromEntries(new URLSearchParams(rawQueryString)) : undefined;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: opts.path,
    rawQueryString,
    headers,
    queryStringParameters,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path: opts.path, protocol: 'HTTP/1.1', sourceIp: opts.sourceIp ?? '127.0.0.1', userAgent: 'jest' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body,
    isBase64Encoded,
  } as APIGatewayProxyEventV2;
}

const context = { awsRequestId: 'test', functionName: 'test', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

/** `body` is what a client sees after undoing Content-Encoding; `raw` stays the bytes on the wire. */
const decoded = (raw: Buffer, encoding: string | undefined): Buffer => (encoding === 'br' ? brotliDecompressSync(raw) : encoding === 'gzip' ? gunzipSync(raw) : raw);

/** Invokes the handler and holds the response to the served OpenAPI document (see contract.ts). */
export async function call(handler: Handler, opts: CallOptions): Promise<CallResult> {
  const res = (await handler(buildEvent(opts), context)) as APIGatewayProxyStructuredResultV2;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers ?? {})) headers[k.toLowerCase()] = String(v);
  const raw = res.isBase64Encoded ? Buffer.from(res.body ?? '', 'base64') : Buffer.from(res.body ?? '', 'utf8');
  let body: any = decoded(raw, headers['content-encoding']).toString('utf8');
  if ((headers['content-type'] ?? '').includes('application/json') && raw.length) {
    try {
      body = JSON.parse(body);
    } catch {
      // left as text, so the contract check (or the test) reports the broken body
    }
  }
  const result = { status: res.statusCode ?? 200, headers, body, raw };
  if (!opts.unchecked) assertContract(handler, { method: (opts.method ?? 'GET').toUpperCase(), path: opts.path, ...result, request: sentBody(opts) });
  return result;
}

/** The body a test sent, as the media type and value the document's request schema describes. */
function sentBody(opts: CallOptions): { mediaType: string; body: unknown } | undefined {
  if (opts.json !== undefined) return { mediaType: 'application/json', body: opts.json };
  if (opts.multipart) return opts.multipart.files?.length ? undefined : { mediaType: 'multipart/form-data', body: { ...(opts.multipart.fields ?? {}) } };
  if (opts.raw && opts.raw.contentType?.split(';')[0].trim() === 'application/x-www-form-urlencoded') {
    return { mediaType: 'application/x-www-form-urlencoded', body: Object.fromEntries(new URLSearchParams(opts.raw.body.toString())) };
  }
  return undefined;
}
