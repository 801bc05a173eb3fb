import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import yaml from 'js-yaml';

/*
 * The local API Gateway (HTTP API, payload 2.0) for `npm start`, the end-to-end tests and the
 * benchmark's HTTP phase. It reads the same `httpApi` events serverless.yml gives API Gateway, builds
 * the event API Gateway builds, and invokes the handlers in this process (loaded on first use, like a
 * cold start). It adds nothing of its own: no CORS headers, no re-parsed bodies, a fresh request id
 * per request. That is what serverless-offline did not do (it echoed any Origin with credentials,
 * parsed JSON bodies twice, used one constant request id and grew without bound); see README
 * "Local gateway".
 */
type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2 | string | object | void>;

interface FunctionDef {
  name: string;
  handlerFile: string;
  timeoutSeconds: number;
}

interface GatewayRoute {
  fn: FunctionDef;
  routeKey: string;
  method: string | 'ANY';
  /** Literal path segments; a trailing `{proxy+}` is greedy. `null` is API Gateway's `$default`. */
  segments: string[] | null;
  greedy: string | null;
}

interface Declaration {
  provider?: { timeout?: number };
  functions: Record<string, { handler: string; timeout?: number; events?: { httpApi?: string | { method: string; path: string } }[] }>;
}

/** API Gateway's own limits: a Lambda invocation payload is at most 6 MB. */
const MAX_EVENT_BYTES = 6 * 1024 * 1024;

export function readRoutes(root: string): GatewayRoute[] {
  const doc = yaml.load(readFileSync(join(root, 'serverless.yml'), 'utf8')) as Declaration;
  const defaultTimeout = Number(doc.provider?.timeout ?? 6);
  const routes: GatewayRoute[] = [];
  for (const [name, f] of Object.entries(doc.functions)) {
    const fn: FunctionDef = { name, handlerFile: f.handler.replace(/\.handler$/, ''), timeoutSeconds: Number(f.timeout ?? defaultTimeout) };
    for (const e of f.events ?? []) {
      if (!e.httpApi) continue;
      const key = typeof e.httpApi === 'string' ? e.httpApi : `${e.httpApi.method.toUpperCase()} ${e.httpApi.path}`;
      if (key === '*') {
        routes.push({ fn, routeKey: '$default', method: 'ANY', segments: null, greedy: null });
        continue;
      }
      const [method, path] = key.split(' ');
      const parts = path.split('/').filter(Boolean);
      const last = parts[parts.length - 1];
      const greedy = last && /^\{\w+\+\}$/.test(last) ? last.slice(1, -2) : null;
      routes.push({ fn, routeKey: key, method: method.toUpperCase(), segments: greedy ? parts.slice(0, -1) : parts, greedy });
    }
  }
  return routes;
}

/*
 * API Gateway picks the most specific route: an exact path over a greedy one, a longer literal
 * prefix over a shorter one, a named method over ANY, and `$default` only when nothing else matches.
 */
export function selectRoute(routes: GatewayRoute[], method: string, path: string): { route: GatewayRoute; proxy?: string } | undefined {
  const parts = path.split('/').filter(Boolean);
  let best: { route: GatewayRoute; proxy?: string; score: number } | undefined;
  for (const r of routes) {
    if (r.method !== 'ANY' && r.method !== method) continue;
    let score: number;
    let proxy: string | undefined;
    if (r.segments === null) score = 0;
    else {
      const n = r.segments.length;
      if (!r.segments.every((s, i) => s === parts[i])) continue;
      if (r.greedy) {
        if (parts.length <= n) continue;
        proxy = path.split('/').slice(n + 1).join('/');
        score = 1 + n * 4;
      } else {
        if (parts.length !== n) continue;
        score = 2 + n * 4;
      }
      if (r.method !== 'ANY') score += 1;
    }
    if (!best || score > best.score) best = { route: r, proxy, score };
  }
  return best && { route: best.route, proxy: best.proxy };
}

/* HTTP API passes text-like bodies as they are and base64-encodes everything else (forms included). */
const TEXT_TYPES = /^(text\/|application\/(json|[\w.+-]+\+json|xml|[\w.+-]+\+xml|javascript)\b)/i;

const clfTime = (d: Date) => {
  const mon = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${mon}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
};

/** API Gateway's request ids look like `JKJaXmPLvHcESHA=`: 10 random bytes, base64. */
export const newRequestId = () => randomBytes(10).toString('base64');

export function buildGatewayEvent(req: IncomingMessage, body: Buffer, route: GatewayRoute, proxy: string | undefined, requestId: string): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://gateway.local');
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    const value = req.rawHeaders[i + 1];
    if (name === 'cookie') cookies.push(...value.split(/;\s*/).filter(Boolean));
    else headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const sourceIp = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${sourceIp}` : sourceIp;
  headers['x-forwarded-proto'] ??= 'http';
  headers['x-forwarded-port'] ??= String(req.socket.localPort ?? '');
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const now = new Date();
  const text = body.length === 0 || TEXT_TYPES.test(headers['content-type'] ?? '');
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(proxy !== undefined && route.greedy ? { pathParameters: { [route.greedy]: proxy } } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0],
      http: { method: (req.method ?? 'GET').toUpperCase(), path: url.pathname, protocol: `HTTP/${req.httpVersion}`, sourceIp, userAgent: headers['user-agent'] ?? '' },
      requestId,
      routeKey: route.routeKey,
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: !text,
  } as APIGatewayProxyEventV2;
}

/** A handler may return a structured result or a bare value; API Gateway treats the latter as 200 JSON. */
function toStructured(value: unknown): APIGatewayProxyStructuredResultV2 {
  if (value && typeof value === 'object' && 'statusCode' in value) return value as APIGatewayProxyStructuredResultV2;
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: typeof value === 'string' ? value : JSON.stringify(value ?? null) };
}

const gatewayError = (statusCode: number, message: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message }),
});

export interface GatewayOptions {
  root: string;
  port: number;
  host?: string;
  /** One line per request to this sink (the functions write their own JSON log lines to stdout). */
  onError?: (message: string) => void;
}

export interface Gateway {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const routes = readRoutes(opts.root);
  // Loaded on the first request each function gets, like a cold start; a module that fails to load is retried next time.
  const loaded = new Map<string, Handler>();
  const load = (fn: FunctionDef): Handler => {
    let h = loaded.get(fn.name);
    if (!h) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      h = require(join(opts.root, `${fn.handlerFile}.ts`)).handler as Handler;
      loaded.set(fn.name, h);
    }
    return h;
  };
  const report = opts.onError ?? ((m: string) => console.error(m));

  async function invoke(req: IncomingMessage, body: Buffer, requestId: string): Promise<APIGatewayProxyStructuredResultV2> {
    const url = new URL(req.url ?? '/', 'http://gateway.local');
    const picked = selectRoute(routes, (req.method ?? 'GET').toUpperCase(), url.pathname);
    if (!picked) return gatewayError(404, 'Not Found');
    const event = buildGatewayEvent(req, body, picked.route, picked.proxy, requestId);
    if (Buffer.byteLength(JSON.stringify(event)) > MAX_EVENT_BYTES) return gatewayError(413, 'Request Entity Too Large');
    const fn = picked.route.fn;
    const deadline = Date.now() + fn.timeoutSeconds * 1000;
    const context = {
      awsRequestId: requestId,
      functionName: fn.name,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    } as unknown as Context;
    let timer: NodeJS.Timeout | undefined;
    try {
      const handler = load(fn);
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${fn.name} timed out after ${fn.timeoutSeconds} s`)), fn.timeoutSeconds * 1000);
      });
      return toStructured(await Promise.race([handler(event, context), timeout]));
    } catch (err) {
      report(`✖ ${fn.name}: ${(err as Error)?.stack ?? err}`);
      // What API Gateway answers when the function fails or times out.
      return /timed out/.test(String((err as Error)?.message)) ? gatewayError(503, 'Service Unavailable') : gatewayError(500, 'Internal Server Error');
    } finally {
      clearTimeout(timer);
    }
  }

  async function serve(req: IncomingMessage, res: ServerResponse) {
    const requestId = newRequestId();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size <= MAX_EVENT_BYTES) chunks.push(c as Buffer);
    }
    const out = size > MAX_EVENT_BYTES ? gatewayError(413, 'Request Entity Too Large') : await invoke(req, Buffer.concat(chunks), requestId);
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(out.headers ?? {})) headers[k.toLowerCase()] = String(v);
    if (out.cookies?.length) headers['set-cookie'] = out.cookies;
    headers['apigw-requestid'] = requestId;
    const payload = out.isBase64Encoded ? Buffer.from(out.body ?? '', 'base64') : Buffer.from(out.body ?? '', 'utf8');
    headers['content-length'] = String(payload.length);
    res.writeHead(out.statusCode ?? 200, headers);
    res.end(req.method === 'HEAD' ? undefined : payload);
  }

  // Large enough for any header API Gateway forwards; an oversized token is the function's 401 to give.
  const server = createServer({ maxHeaderSize: 128 * 1024, keepAliveTimeout: 5_000 }, (req, res) => {
    serve(req, res).catch((err) => {
      report(`✖ gateway: ${(err as Error)?.stack ?? err}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Internal Server Error' }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/* `tsx lib/dev/gateway.ts`: the gateway alone, against whatever the environment names (the benchmark's HTTP phase). */
if (require.main === module) {
  startGateway({ root: process.cwd(), port: Number(process.env.PORT ?? 8000) }).then(
    (gw) => console.log(`gateway ready on ${gw.url}`),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
