import type { IncomingMessage } from 'node:http';
import { buildGatewayEvent, readRoutes, selectRoute, startGateway, type Gateway } from '../../lib/dev/gateway';
import { insertPatient } from '../helpers/clinical-fixtures';
import { tenantWithAdmin } from '../helpers/fixtures';
import { ROOT } from '../helpers/functions';

/*
 * The local API Gateway: the routes API Gateway would pick (read from serverless.yml), the event it
 * would build, and, over real HTTP with the real functions, that it adds and re-parses nothing.
 */
const routes = readRoutes(ROOT);

describe('route selection (API Gateway HTTP API rules)', () => {
  it.each([
    ['GET', '/api/patients/patients', 'patients-patients', undefined],
    ['GET', '/api/patients/patients/', 'patients-patients', undefined],
    ['PATCH', '/api/patients/patients/12/edit/', 'patients-patients', '12/edit/'],
    ['GET', '/api/patients/diagnoses/3/', 'patients-diagnoses', '3/'],
    ['GET', '/api/health', 'system', undefined],
    ['POST', '/nowhere/at/all', 'system', undefined],
  ])('%s %s → %s', (method, path, fn, proxy) => {
    const picked = selectRoute(routes, method, path)!;
    expect(picked.route.fn.name).toBe(fn);
    expect(picked.proxy).toBe(proxy);
  });
});

describe('the event', () => {
  const fakeRequest = (headers: string[], url = '/api/x?a=1&a=2&b=') =>
    ({ url, method: 'POST', httpVersion: '1.1', rawHeaders: headers, socket: { remoteAddress: '::ffff:127.0.0.1', localPort: 8000 } }) as unknown as IncomingMessage;
  const route = selectRoute(routes, 'POST', '/api/patients/patients/1/')!;

  it('joins repeated headers and query values with commas, moves cookies out, and names the route', () => {
    const e = buildGatewayEvent(fakeRequest(['Accept', 'a', 'accept', 'b', 'Cookie', 'x=1; y=2', 'Content-Type', 'application/json']), Buffer.from('{"k":1}'), route.route, route.proxy, 'rid');
    expect(e.headers.accept).toBe('a,b');
    expect(e.headers.cookie).toBeUndefined();
    expect(e.cookies).toEqual(['x=1', 'y=2']);
    expect(e.queryStringParameters).toEqual({ a: '1,2', b: '' });
    expect(e.rawQueryString).toBe('a=1&a=2&b=');
    expect(e.routeKey).toBe('ANY /api/patients/patients/{proxy+}');
    expect(e.pathParameters).toEqual({ proxy: '1/' });
    expect(e.requestContext.http.sourceIp).toBe('127.0.0.1');
    expect(e.body).toBe('{"k":1}');
    expect(e.isBase64Encoded).toBe(false);
  });

  it('base64-encodes what is not text, forms included, as HTTP APIs do', () => {
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'image/png']) {
      const e = buildGatewayEvent(fakeRequest(['Content-Type', type]), Buffer.from('a=1'), route.route, route.proxy, 'rid');
      expect(e.isBase64Encoded).toBe(true);
      expect(Buffer.from(e.body!, 'base64').toString()).toBe('a=1');
    }
  });
});

describe('over HTTP with the real functions', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ root: ROOT, port: 0, onError: () => {} });
  });
  afterAll(() => gw.close());

  it('gives every request its own id, in the response and to the function', async () => {
    const [a, b] = await Promise.all([fetch(`${gw.url}/api/health`), fetch(`${gw.url}/api/health`)]);
    const ids = [a.headers.get('x-request-id'), b.headers.get('x-request-id')];
    expect(ids[0]).toMatch(/^[A-Za-z0-9+/]{14}==$/);
    expect(ids[0]).not.toBe(ids[1]);
    expect(a.headers.get('apigw-requestid')).toBe(ids[0]);
  });

  it('adds no CORS headers of its own: a foreign origin gets none, an allowed one gets the function’s', async () => {
    const preflight = (origin: string) =>
      fetch(`${gw.url}/api/locations/regions/`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET' } });
    const evil = await preflight('https://evil.example');
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('access-control-allow-credentials')).toBeNull();
    const get = await fetch(`${gw.url}/api/health`, { headers: { origin: 'https://evil.example' } });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
    const good = await preflight('http://localhost:3000');
    expect(good.status).toBe(204);
    expect(good.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
  });

  it('passes a JSON body as sent: a JSON string that contains JSON is not an object', async () => {
    const { tenant, admin } = await tenantWithAdmin();
    const p = await insertPatient(tenant.id);
    const res = await fetch(`${gw.url}/api/patients/patients/${p.id}/`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(JSON.stringify({ address: 'x' })),
    });
    expect(res.status).toBe(400);
  });

  it('answers 404 in API Gateway’s shape only when no route (not even $default) exists, and 413 above 6 MB', async () => {
    const big = await fetch(`${gw.url}/api/patients/patients/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(6 * 1024 * 1024 + 1) });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ message: 'Request Entity Too Large' });
    const unknown = await fetch(`${gw.url}/nothing/here`);
    expect(unknown.status).toBe(404); // the system function's fallback answers, in the API's shape
    expect(unknown.headers.get('content-type')).toContain('application/json');
  });
});
