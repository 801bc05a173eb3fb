import { z } from 'zod';
import { ServiceUnavailable } from '../../lib/errors';
import { createHandler } from '../../lib/http/app';
import { defineGroup, route } from '../../lib/http/route';
import type { Context } from 'aws-lambda';
import { buildEvent } from '../helpers/http';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { REQUEST_5XX_PATTERN } = require('../../lib/ops/observability') as typeof import('../../lib/ops/observability');

/*
 * The 5xx metric filter (lib/ops/observability.js) against request lines the middleware really
 * writes, and those lines carrying what alarms and Logs Insights queries group by.
 */

/**
 * CloudWatch Logs' JSON filter syntax, the part the pattern may use: `{ … }` around comparisons of a
 * `$.field` with a number (= != < <= > >=) or a "string" (= !=, `*` as wildcard), combined with &&,
 * || and parentheses. Anything else throws, so a pattern this cannot read fails the test instead of
 * passing it.
 */
function matches(pattern: string, line: string): boolean {
  const m = /^\{\s*(.*)\s*\}$/s.exec(pattern.trim());
  if (!m) throw new Error(`not a JSON filter pattern: ${pattern}`);
  const event = JSON.parse(line);
  const tokens = m[1].match(/\(|\)|&&|\|\||\$\.[\w.]+|!=|<=|>=|=|<|>|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|\S+/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const term = (): boolean => {
    if (peek() === '(') {
      next();
      const v = or();
      if (next() !== ')') throw new Error('unbalanced parentheses');
      return v;
    }
    const field = next();
    const op = next();
    const raw = next();
    if (!/^\$\./.test(field) || !['=', '!=', '<', '<=', '>', '>='].includes(op) || raw === undefined) throw new Error(`cannot read ${field} ${op} ${raw}`);
    const actual = field.slice(2).split('.').reduce<any>((o, k) => (o == null ? undefined : o[k]), event);
    if (raw.startsWith('"')) {
      if (op !== '=' && op !== '!=') throw new Error(`${op} on a string`);
      const re = new RegExp(`^${JSON.parse(raw).split('*').map((s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
      const eq = typeof actual === 'string' && re.test(actual);
      return op === '=' ? eq : !eq;
    }
    const want = Number(raw);
    if (typeof actual !== 'number') return false;
    return { '=': actual === want, '!=': actual !== want, '<': actual < want, '<=': actual <= want, '>': actual > want, '>=': actual >= want }[op as '='];
  };
  const and = (): boolean => {
    let v = term();
    while (peek() === '&&') {
      next();
      v = term() && v;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (peek() === '||') {
      next();
      v = and() || v;
    }
    return v;
  };
  const result = or();
  if (i !== tokens.length) throw new Error(`unread tokens: ${tokens.slice(i).join(' ')}`);
  return result;
}

const probe = createHandler(
  defineGroup({
    name: 'ops-log-probe',
    prefixes: ['/api/test-ops'],
    tag: 'test',
    routes: [
      route({ method: 'GET', path: '/api/test-ops/fine/{id}/', access: 'public', summary: 'test only: 200', params: z.object({ id: z.coerce.number() }), response: z.object({ ok: z.boolean() }), handler: async () => ({ ok: true }) }),
      route({ method: 'GET', path: '/api/test-ops/crash/{id}/', access: 'public', summary: 'test only: an unhandled error', params: z.object({ id: z.coerce.number() }), response: z.object({ ok: z.boolean() }), handler: async () => { throw new Error('boom'); } }),
      route({ method: 'GET', path: '/api/test-ops/down/', access: 'public', summary: 'test only: a dependency down', response: z.object({ ok: z.boolean() }), handler: async () => { throw new ServiceUnavailable('abajo'); } }),
    ],
  }),
);

/** The request line the middleware writes for one call (stdout captured, LOG_LEVEL info). */
async function requestLine(path: string): Promise<{ status: number; line: string }> {
  const saved = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = 'info';
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    // As Lambda invokes it: the context names the deployed function (a test-only group, in no contract).
    const context = { awsRequestId: 'req-1', functionName: 'reflexo-clinic-api-prod-ops-log-probe', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
    const res = (await probe(buildEvent({ path }), context)) as { statusCode: number };
    const line = lines.find((l) => l.includes('"msg":"request"'));
    if (!line) throw new Error(`no request line in ${JSON.stringify(lines)}`);
    return { status: res.statusCode, line: line.trim() };
  } finally {
    spy.mockRestore();
    process.env.LOG_LEVEL = saved;
  }
}

it('the line carries function, route template, status, ms, tenant, user and request id', async () => {
  const { status, line } = await requestLine('/api/test-ops/fine/42/');
  expect(status).toBe(200);
  const fields = JSON.parse(line);
  expect(fields).toMatchObject({ level: 'info', msg: 'request', function: 'reflexo-clinic-api-prod-ops-log-probe', route: '/api/test-ops/fine/{id}/', path: '/api/test-ops/fine/42/', status: 200, tenant: null, user: null });
  expect(typeof fields.ms).toBe('number');
  expect(typeof fields.request_id).toBe('string');
});

it('the 5xx filter matches the lines of a 500 and a 503, and not those of a 200 or a 404', async () => {
  const crash = await requestLine('/api/test-ops/crash/1/');
  const down = await requestLine('/api/test-ops/down/');
  const fine = await requestLine('/api/test-ops/fine/1/');
  const missing = await requestLine('/api/test-ops/nowhere/');
  expect([crash.status, down.status, fine.status, missing.status]).toEqual([500, 503, 200, 404]);
  expect(matches(REQUEST_5XX_PATTERN, crash.line)).toBe(true);
  expect(matches(REQUEST_5XX_PATTERN, down.line)).toBe(true);
  expect(matches(REQUEST_5XX_PATTERN, fine.line)).toBe(false);
  expect(matches(REQUEST_5XX_PATTERN, missing.line)).toBe(false);
  expect(JSON.parse(missing.line).route).toBeNull();
  expect(JSON.parse(crash.line).route).toBe('/api/test-ops/crash/{id}/');
});

it('and no other line the middleware writes (the unhandled-error line of the same 500) counts as a response', async () => {
  const other = JSON.stringify({ level: 'error', msg: 'unhandled error', time: new Date().toISOString(), status: 500 });
  expect(matches(REQUEST_5XX_PATTERN, other)).toBe(false);
});
