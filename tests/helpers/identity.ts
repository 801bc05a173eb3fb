import { randomBytes } from 'node:crypto';
import { buildEvent, type CallOptions, type CallResult, type Handler } from './http';

/*
 * Identity tests: calls from a chosen client IP (throttling counts per IP, and every other test calls
 * from 127.0.0.1), and the spec-replay check that a response carries every key the contract shows.
 */
export async function callFrom(handler: Handler, sourceIp: string, opts: CallOptions): Promise<CallResult> {
  const event = buildEvent(opts);
  event.requestContext.http.sourceIp = sourceIp;
  const res = (await handler(event, { awsRequestId: 'test', getRemainingTimeInMillis: () => 10_000 } as never)) as {
    statusCode?: number;
    headers?: Record<string, string>;
    body?: string;
  };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers ?? {})) headers[k.toLowerCase()] = String(v);
  const raw = Buffer.from(res.body ?? '', 'utf8');
  const body = (headers['content-type'] ?? '').includes('application/json') && raw.length ? JSON.parse(raw.toString('utf8')) : raw.toString('utf8');
  return { status: res.statusCode ?? 200, headers, body, raw };
}

/** A client address no other test uses (IPv6 documentation range, random interface id). */
export const freshIp = () => `2001:db8::${randomBytes(8).toString('hex').match(/.{4}/g)!.join(':')}`;

/** Every key of the contract's example is present (the response may carry more; null counts as present). */
export function expectKeys(actual: unknown, example: Record<string, unknown>): void {
  expect(actual && typeof actual === 'object').toBe(true);
  const missing = Object.keys(example).filter((k) => !(k in (actual as Record<string, unknown>)));
  expect(missing).toEqual([]);
}

export const TINY_PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082',
  'hex',
);
export const TINY_JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 1), Buffer.from([0xff, 0xd9])]);
