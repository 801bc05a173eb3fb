import { startLocalStack, type LocalStack } from './local-stack';

/*
 * `npm start` on a fresh data folder, driven over real HTTP: what a new developer sees (a short,
 * clean start), what a browser on another origin sees (no CORS grant), and that Ctrl-C stops every
 * child process.
 */
let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
}, 300_000);
afterAll(async () => {
  await stack?.stop();
});

it('starts cleanly: the banner within 40 lines, no warnings, the demo credentials printed', () => {
  const out = stack.output();
  expect(stack.readyAfter.lines).toBeLessThanOrEqual(40);
  expect(out).not.toMatch(/warn|deprecat|EBADENGINE|NodeVersionSupport/i);
  expect(out).toContain('admin@demo.reflexo.pe');
  expect(out).toContain(`http://localhost:${stack.ports.api}/docs`);
});

it('serves health, docs, and refuses anonymous tenant data', async () => {
  const health = await fetch(`${stack.url}/api/health/`);
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({ status: 'ok', database: 'ok' });
  const docs = await fetch(`${stack.url}/docs`);
  expect(docs.status).toBe(200);
  expect(await docs.text()).toContain('swagger-ui');
  expect((await fetch(`${stack.url}/api/locations/regions/`)).status).toBe(401);
});

it('CORS as deployed: a foreign origin gets no grant on preflight or GET, localhost:3000 does', async () => {
  const preflight = (origin: string) =>
    fetch(`${stack.url}/api/locations/regions/`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
  const evil = await preflight('https://evil.example');
  expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  expect(evil.headers.get('access-control-allow-credentials')).toBeNull();
  const evilGet = await fetch(`${stack.url}/api/health`, { headers: { origin: 'https://evil.example' } });
  expect(evilGet.headers.get('access-control-allow-origin')).toBeNull();
  expect(evilGet.headers.get('access-control-allow-credentials')).toBeNull();
  const ok = await preflight('http://localhost:3000');
  expect(ok.status).toBe(204);
  expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
  expect(ok.headers.get('access-control-allow-headers')).toContain('authorization');
  const okGet = await fetch(`${stack.url}/api/health`, { headers: { origin: 'http://localhost:3000' } });
  expect(okGet.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
});

it('gives each request its own id, and passes JSON bodies through unparsed', async () => {
  const a = await fetch(`${stack.url}/api/health`);
  const b = await fetch(`${stack.url}/api/health`);
  expect(a.headers.get('x-request-id')).toBeTruthy();
  expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
  const login = await fetch(`${stack.url}/api/architect/auth/login/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(JSON.stringify({ email: 'clinica@demo.reflexo.pe', password: 'Reflexo#2026' })),
  });
  expect(login.status).toBe(400);
});

/** The README's v1 login of the demo clinic admin. */
const v1Login = () => fetch(`${stack.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'clinica', password: 'Reflexo#2026' }) });

it("the README's v1 login works, and the demo doctors have weekly schedules with free slots", async () => {
  const login = await v1Login();
  expect(login.status).toBe(200);
  const session = (await login.json()) as { access_token: string };
  expect(session).toMatchObject({ token_type: 'bearer', user: { username: 'clinica', consultorio: 'Reflexo Demo' } });
  const auth = { authorization: `Bearer ${session.access_token}` };
  const therapists = (await (await fetch(`${stack.url}/api/therapists/therapists/`, { headers: auth })).json()) as { results?: { id: number }[] } & { id: number }[];
  const doctorId = (therapists.results ?? therapists)[0].id;
  const schedule = (await (await fetch(`${stack.url}/api/v1/doctors/${doctorId}/schedule`, { headers: auth })).json()) as { dia_semana: number }[];
  expect(schedule.map((b: { dia_semana: number }) => b.dia_semana)).toEqual([1, 2, 3, 4, 5, 6]);
  // The next Wednesday (always a full working day of the demo schedule, and never today).
  const d = new Date();
  do d.setUTCDate(d.getUTCDate() + 1);
  while (d.getUTCDay() !== 3);
  const slots = await fetch(`${stack.url}/api/v1/doctors/${doctorId}/available-slots?date=${d.toISOString().slice(0, 10)}`, { headers: auth });
  expect(slots.status).toBe(200);
  expect(JSON.stringify(await slots.json())).toContain('08:00');
});

it('every v1 GET without path or required query parameters answers 2xx to the demo clinic admin', async () => {
  const login = await v1Login();
  expect(login.status).toBe(200);
  const auth = { authorization: `Bearer ${((await login.json()) as { access_token: string }).access_token}` };
  const doc = (await (await fetch(`${stack.url}/openapi.json?surface=v1`)).json()) as { paths: Record<string, Record<string, { parameters?: { in: string; required?: boolean }[] }>> };
  const paths = Object.entries(doc.paths)
    .filter(([p, ops]) => !p.includes('{') && ops.get && !(ops.get.parameters ?? []).some((x) => x.required))
    .map(([p]) => p);
  expect(paths.length).toBeGreaterThan(30);
  const failures: string[] = [];
  for (const p of paths) {
    const res = await fetch(`${stack.url}${p}`, { headers: auth, redirect: 'manual' });
    if (res.status < 200 || res.status >= 300) failures.push(`GET ${p}: ${res.status} ${(await res.text()).slice(0, 120)}`);
  }
  expect(failures).toEqual([]);
});

it('Ctrl-C stops everything: nothing is left listening', async () => {
  const code = await stack.stop();
  // tsx reports an interrupted run as 130 (128 + SIGINT), like a shell does
  expect([0, 130]).toContain(code);
  for (const port of Object.values(stack.ports)) await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
});
