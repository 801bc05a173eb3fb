import { call, type CallOptions, type CallResult, type Handler } from './http';

/*
 * What DRF-era frontends send: the same body as JSON, as JSON with every value a string, as
 * application/x-www-form-urlencoded and as multipart/form-data. `sendEveryWay` sends one body all
 * four ways (to four fresh targets, since a create cannot run twice with the same unique values);
 * the caller then compares what the database holds for each.
 */
export type Encoding = 'json' | 'json-strings' | 'urlencoded' | 'multipart';
export const ENCODINGS: Encoding[] = ['json', 'json-strings', 'urlencoded', 'multipart'];

const asText = (v: unknown) => (v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

export function encode(body: Record<string, unknown>, encoding: Encoding): Pick<CallOptions, 'json' | 'raw' | 'multipart'> {
  const strings = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined).map(([k, v]) => [k, asText(v)]));
  switch (encoding) {
    case 'json':
      return { json: body };
    case 'json-strings':
      return { json: strings };
    case 'urlencoded':
      return { raw: { body: new URLSearchParams(strings).toString(), contentType: 'application/x-www-form-urlencoded' } };
    case 'multipart':
      return { multipart: { fields: strings } };
  }
}

/**
 * Sends `body(encoding)` with each encoding (the factory gives unique values per call) and returns
 * the responses by encoding.
 */
export async function sendEveryWay(
  handler: Handler,
  opts: Omit<CallOptions, 'json' | 'raw' | 'multipart'>,
  body: (encoding: Encoding) => Record<string, unknown> | Promise<Record<string, unknown>>,
): Promise<Record<Encoding, CallResult>> {
  const out = {} as Record<Encoding, CallResult>;
  for (const e of ENCODINGS) out[e] = await call(handler, { ...opts, ...encode(await body(e), e) });
  return out;
}
