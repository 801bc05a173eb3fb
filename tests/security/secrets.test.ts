import { signToken } from '../../lib/auth/tokens';
import { createTenant, createUser, ownerKysely, type TestUser } from '../helpers/fixtures';
import { mailsTo } from '../helpers/mail';
import { catalogIds, ownRows, routeTables } from './factories';
import { call, captureStdout, declaredRoutes, idHints, newTally, pathFor, reportTally, sampleBody, sampleQuery, useCatalogIds } from './harness';

/*
 * Secrets never leave: every declared route is called (as the clinic admin, and the public ones
 * anonymously) with bodies that carry a real password, a real refresh token and the user's e-mail,
 * with LOG_LEVEL=info and stdout captured. No response body and no log line may contain a password,
 * a password hash, a token (responses of the routes that issue tokens excepted) or a reset or
 * verification code that was e-mailed (DEV_EXPOSE_CODES is off, as in every deployed stage).
 */
// Generated over every declared route: the loop, not one request, is what the timeout bounds.
jest.setTimeout(300_000);
const tally = newTally('secrets');
const NEW_PASSWORD = 'Otra#ClaveSegura2027';
let user: TestUser;
let tenantId: number;
const ownIds: Record<string, number> = {};
let tables = new Map<string, string | undefined>();

beforeAll(async () => {
  useCatalogIds(await catalogIds());
  tenantId = (await createTenant()).id;
  user = await createUser({ reflexoId: tenantId, role: 'Admin', staff: true, password: 'Mi#ClaveSecreta2026' });
  Object.assign(ownIds, await ownRows(tenantId, 'Sc', declaredRoutes()));
  tables = await routeTables(declaredRoutes());
});
afterAll(() => reportTally(tally));

const JWT = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;
const issuesTokens = (path: string) => /login|refresh|register|token/.test(path);

it('no response body or log line carries a password, a hash, a token or an e-mailed code', async () => {
  expect(process.env.DEV_EXPOSE_CODES).toBeUndefined();
  const responses: { key: string; path: string; text: string }[] = [];
  const secretsBody = {
    email: user.email,
    password: user.password,
    current_password: user.password,
    old_password: user.password,
    new_password: NEW_PASSWORD,
    new_password_confirm: NEW_PASSWORD,
    confirm_password: NEW_PASSWORD,
    password_confirm: NEW_PASSWORD,
    refresh: user.refresh,
  };
  // Deletes last: one of them removes the caller, and the sweep needs the caller alive until then.
  const routes = declaredRoutes()
    .filter((r) => r.route.path !== '/docs/{asset}' && r.route.path !== '/openapi.json')
    .sort((a, b) => Number(a.route.method === 'DELETE') - Number(b.route.method === 'DELETE'));
  const hashBefore = (await ownerKysely().selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow()).password_hash as string;
  const previous = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = 'info';
  const { lines } = await captureStdout(async () => {
    for (const r of routes) {
      const token = r.route.access === 'public' ? undefined : (await signToken('access', { id: user.id, reflexoId: tenantId, isSuperuser: false })).token;
      const hasBody = ['POST', 'PUT', 'PATCH'].includes(r.route.method);
      const json = hasBody ? { ...(sampleBody(r.route, { ...idHints(ownIds), ...secretsBody }) ?? {}) } : undefined;
      const path = pathFor(r, ownIds, tables);
      const res = await call(r.handler, { method: r.route.method, path, json, query: sampleQuery(r.route), token });
      // A route that deleted or changed the caller must not stop the sweep.
      if (res.status < 300 && /password|delete/.test(r.route.path)) {
        await ownerKysely().updateTable('users').set({ is_active: true }).where('id', '=', user.id).execute();
      }
      tally.cases++;
      tally.covered.push(r.key);
      responses.push({ key: r.key, path, text: res.raw.toString('utf8') });
    }
  });
  process.env.LOG_LEVEL = previous;

  const hashes = (await ownerKysely().selectFrom('users').select('password_hash').where('reflexo_id', '=', tenantId).execute()).map((u) => u.password_hash as string);
  const hashParts = [...new Set([hashBefore, ...hashes].flatMap((h) => h.split('$').slice(4)))];
  const mails = await mailsTo(user.email);
  const codes = [...new Set(mails.flatMap((m) => `${m.subject} ${m.body.text ?? ''}`.match(/\b\d{6}\b/g) ?? []))];
  const secrets: [string, string][] = [
    ['the password', user.password],
    ['the new password', NEW_PASSWORD],
    ...hashParts.map((h) => ['a password hash', h] as [string, string]),
    ['the refresh token', user.refresh],
    ['the access token', user.token],
    ...codes.map((c) => ['an e-mailed code', c] as [string, string]),
  ];
  const failures: string[] = [];
  for (const { key, path, text } of responses) {
    for (const [what, value] of secrets) {
      // Codes are six digits: look for them as a JSON string, not inside an unrelated number (ubigeo codes).
      const needle = what === 'an e-mailed code' ? `"${value}"` : value;
      if (value && text.includes(needle)) failures.push(`${key}: response contains ${what}`);
    }
    if (/scrypt\$\d+\$/.test(text)) failures.push(`${key}: response contains a password hash`);
    if (!issuesTokens(path) && JWT.test(text)) failures.push(`${key}: response contains a token`);
    JWT.lastIndex = 0;
  }
  for (const line of lines) {
    for (const [what, value] of secrets) if (value && line.includes(value)) failures.push(`log line contains ${what}: ${line.slice(0, 160)}`);
    if (JWT.test(line)) failures.push(`log line contains a token: ${line.slice(0, 160)}`);
    JWT.lastIndex = 0;
    if (/scrypt\$\d+\$/.test(line)) failures.push(`log line contains a password hash`);
  }
  // eslint-disable-next-line no-console
  console.log(`secrets: ${responses.length} responses and ${lines.length} log lines checked against ${secrets.length} secrets (${codes.length} e-mailed codes)`);
  expect(lines.length).toBeGreaterThan(0);
  tally.failures.push(...failures);
  expect(failures).toEqual([]);
});
