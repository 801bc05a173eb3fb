import { handler as locations } from '../../functions/reflexo/locations';
import { handler as system } from '../../functions/system/system';
import { z } from 'zod';
import { createHandler } from '../../lib/http/app';
import { defineGroup, reply, route } from '../../lib/http/route';
import { createUser } from '../helpers/fixtures';
import { call } from '../helpers/http';

/* The shared middy stack, seen from a client: routing, errors, body parsing, CORS, headers, logs. */
let token: string;
beforeAll(async () => {
  token = (await createUser()).token;
});

describe('routing', () => {
  it.each(['/api/locations/regions/', '/api/locations/regions', '/api/locations/regions/15/', '/api/locations/regions/15'])('%s answers with and without the trailing slash', async (path) => {
    const res = await call(locations, { path, token });
    expect(res.status).toBe(200);
  });

  it('unknown path inside a function → 404 JSON in DRF style', async () => {
    const res = await call(locations, { path: '/api/locations/planets/', token });
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.body).toEqual({ detail: 'No encontrado.' });
  });

  it('unknown path anywhere (API Gateway $default) → 404 in the surface of the path', async () => {
    expect((await call(system, { path: '/api/nothing/here/' })).body).toEqual({ detail: 'No encontrado.' });
    const v1 = await call(system, { path: '/api/v1/nothing' });
    expect(v1.status).toBe(404);
    expect(v1.body).toEqual({ detail: 'Not Found' });
  });

  it('wrong method → 405 with Allow header', async () => {
    const res = await call(locations, { method: 'DELETE', path: '/api/locations/regions/15/', token });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET');
    expect(res.body).toEqual({ detail: 'Método "DELETE" no permitido.' });
  });

  it('a malformed id is a 404 like Django URL converters, never a 500', async () => {
    for (const id of ['abc', '-1', '1.5', '99999999999999999999', '%E0%A4%A', "1'%20or%201=1"]) {
      const res = await call(locations, { path: `/api/locations/regions/${id}/`, token });
      expect(res.status).toBe(404);
    }
  });

  it('invalid query value → 400 with the DRF field map', async () => {
    const res = await call(locations, { path: '/api/locations/provinces/', query: { region: 'lima' }, token });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body)).toEqual(['region']);
    expect(res.body.region[0]).toMatch(/entero/);
  });
});

describe('request bodies', () => {
  // A small group built with the same stack, so body handling is tested apart from any module.
  const echo = createHandler(
    defineGroup({
      name: 'echo',
      prefixes: ['/api/echo', '/api/v1/echo'],
      tag: 'test',
      routes: ['/api/echo/', '/api/v1/echo'].map((path) =>
        route({
          method: 'POST',
          path,
          access: 'public',
          summary: 'echo',
          multipart: path === '/api/echo/',
          body: z.object({ name: z.string().min(1), age: z.coerce.number().int().min(0).optional() }),
          status: 201,
          response: z.object({ body: z.object({ name: z.string(), age: z.number().optional() }), files: z.array(z.object({ field: z.string(), filename: z.string(), size: z.number() })) }),
          handler: async ({ body, files }) => reply(201, { body, files: files.map((f) => ({ field: f.field, filename: f.filename, size: f.data.length })) }),
        }),
      ),
    }),
  );

  it('valid JSON reaches the handler', async () => {
    const res = await call(echo, { method: 'POST', path: '/api/echo/', json: { name: 'Ana', age: 30, extra: 'ignored' } });
    expect(res.status).toBe(201);
    expect(res.body.body).toEqual({ name: 'Ana', age: 30 });
  });

  it('invalid JSON → 400 with a detail, never 500', async () => {
    const res = await call(echo, { method: 'POST', path: '/api/echo/', raw: { body: '{"name": ', contentType: 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/JSON/);
  });

  it('wrong content type → 415', async () => {
    const res = await call(echo, { method: 'POST', path: '/api/v1/echo', raw: { body: 'name=Ana', contentType: 'text/plain' } });
    expect(res.status).toBe(415);
    expect(res.body).toEqual({ detail: 'Unsupported Media Type' });
  });

  it('oversized body → 413', async () => {
    const res = await call(echo, { method: 'POST', path: '/api/echo/', json: { name: 'x'.repeat(1024 * 1024 + 10) } });
    expect(res.status).toBe(413);
  });

  it('missing field → 400 DRF map on Reflexo, 422 FastAPI list on v1', async () => {
    const drf = await call(echo, { method: 'POST', path: '/api/echo/', json: { age: -1 } });
    expect(drf.status).toBe(400);
    expect(drf.body.name).toEqual(['Este campo es requerido.']);
    expect(drf.body.age).toHaveLength(1);
    const v1 = await call(echo, { method: 'POST', path: '/api/v1/echo', json: {} });
    expect(v1.status).toBe(422);
    expect(v1.body.detail).toEqual([{ type: 'missing', loc: ['body', 'name'], msg: 'Field required', input: {} }]);
  });

  it('a JSON array or scalar body is a 400, not a crash', async () => {
    for (const body of ['[1,2]', '"text"', 'null', '42']) {
      const res = await call(echo, { method: 'POST', path: '/api/echo/', raw: { body, contentType: 'application/json' } });
      expect(res.status).toBe(400);
    }
  });

  it('JSON null is a body and not an object, even where every field is optional (an empty PATCH); no body at all is {}', async () => {
    const patch = createHandler(
      defineGroup({
        name: 'patch-echo',
        prefixes: ['/api/patch-echo', '/api/v1/patch-echo'],
        tag: 'test',
        routes: ['/api/patch-echo/', '/api/v1/patch-echo'].map((path) =>
          route({ method: 'PATCH', path, access: 'public', summary: 'patch echo', body: z.object({ name: z.string().optional() }), response: z.object({ name: z.string().optional() }), handler: async ({ body }) => body }),
        ),
      }),
    );
    const nul = { body: 'null', contentType: 'application/json' };
    const drf = await call(patch, { method: 'PATCH', path: '/api/patch-echo/', raw: nul });
    expect(drf.status).toBe(400);
    expect(Object.keys(drf.body)).toEqual(['non_field_errors']);
    const v1 = await call(patch, { method: 'PATCH', path: '/api/v1/patch-echo', raw: nul });
    expect(v1.status).toBe(422);
    expect(v1.body.detail[0]).toMatchObject({ loc: ['body'], input: null });
    const none = await call(patch, { method: 'PATCH', path: '/api/patch-echo/' });
    expect([none.status, none.body]).toEqual([200, {}]);
  });

  it('multipart bodies: fields validated, files received with their base name only', async () => {
    const res = await call(echo, {
      method: 'POST',
      path: '/api/echo',
      multipart: { fields: { name: 'Ana', age: '4' }, files: [{ field: 'photo_file', filename: 'C:\\fakepath\\foto.png', contentType: 'image/png', data: Buffer.from('abc') }] },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ body: { name: 'Ana', age: 4 }, files: [{ field: 'photo_file', filename: 'foto.png', size: 3 }] });
  });

  it('a file name that climbs directories is refused outright', async () => {
    const res = await call(echo, {
      method: 'POST',
      path: '/api/echo/',
      multipart: { fields: { name: 'Ana' }, files: [{ field: 'photo_file', filename: '../../etc/passwd.png', contentType: 'image/png', data: Buffer.from('abc') }] },
    });
    expect(res.status).toBe(400);
  });

  it('multipart where the route does not accept forms → 415; broken multipart → 400', async () => {
    const v1 = await call(echo, { method: 'POST', path: '/api/v1/echo', multipart: { fields: { name: 'Ana' } } });
    expect(v1.status).toBe(415);
    const broken = await call(echo, { method: 'POST', path: '/api/echo/', raw: { body: 'garbage', contentType: 'multipart/form-data' } });
    expect(broken.status).toBe(400);
  });
});

describe('CORS and security headers', () => {
  it('preflight from the consultorio origin is allowed', async () => {
    const res = await call(locations, {
      method: 'OPTIONS',
      path: '/api/locations/regions/',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(res.headers['access-control-allow-methods']).toContain('GET');
    expect(res.headers['access-control-allow-headers']).toBe('authorization');
  });

  it('127.0.0.1:3000 is allowed too; another origin is refused', async () => {
    const ok = await call(locations, { method: 'OPTIONS', path: '/api/locations/regions/', headers: { origin: 'http://127.0.0.1:3000' } });
    expect(ok.headers['access-control-allow-origin']).toBe('http://127.0.0.1:3000');
    const bad = await call(locations, { method: 'OPTIONS', path: '/api/locations/regions/', headers: { origin: 'https://evil.example' } });
    expect(bad.status).toBe(403);
    expect(bad.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('configured extra origins are allowed', async () => {
    process.env.CORS_ORIGINS = 'https://app.clinica.pe';
    try {
      const res = await call(locations, { method: 'OPTIONS', path: '/api/locations/regions/', headers: { origin: 'https://app.clinica.pe' } });
      expect(res.status).toBe(204);
    } finally {
      delete process.env.CORS_ORIGINS;
    }
  });

  it('simple requests carry CORS for allowed origins and security headers always', async () => {
    const res = await call(locations, { path: '/api/locations/regions/15/', token, headers: { origin: 'http://localhost:3000' } });
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-request-id']).toBeTruthy();
    const other = await call(locations, { path: '/api/locations/regions/15/', token, headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('authentication', () => {
  it('no token, garbage token, wrong scheme → 401 with WWW-Authenticate', async () => {
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer nope' }, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }]) {
      const res = await call(locations, { path: '/api/locations/regions/', headers });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toContain('Bearer');
      expect(typeof res.body.detail).toBe('string');
    }
  });
});

describe('request log', () => {
  it('writes one JSON line per request with method, path, status, ms, tenant and user', async () => {
    const user = await createUser();
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => {
      lines.push(String(chunk));
      return true;
    });
    process.env.LOG_LEVEL = 'info';
    try {
      await call(locations, { path: '/api/locations/regions/15/', token: user.token });
    } finally {
      process.env.LOG_LEVEL = 'silent';
      spy.mockRestore();
    }
    const entries = lines.map((l) => JSON.parse(l)).filter((e) => e.msg === 'request');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ method: 'GET', path: '/api/locations/regions/15/', status: 200, user: user.id, tenant: null });
    expect(typeof entries[0].ms).toBe('number');
    expect(lines.join('')).not.toContain(user.token);
  });
});
