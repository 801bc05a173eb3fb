import { randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { handler as auth } from '../../functions/reflexo/architect-auth';
import { handler as profile } from '../../functions/reflexo/profiles-users';
import { createTenant, createUser, type TestUser } from '../helpers/fixtures';
import { call } from '../helpers/http';

/*
 * Rotating the JWT key without logging anyone out (README "Deploying"): the new key signs, the
 * previous one is still accepted until JWT_PREVIOUS_SECRET_UNTIL, and refused after it.
 */
const OLD = process.env.JWT_SECRET!;
const NEW = `rotated-${randomBytes(24).toString('hex')}`;
const saved = { JWT_SECRET: process.env.JWT_SECRET, JWT_PREVIOUS_SECRET: process.env.JWT_PREVIOUS_SECRET, JWT_PREVIOUS_SECRET_UNTIL: process.env.JWT_PREVIOUS_SECRET_UNTIL };
let user: TestUser;
/** A real session (login), signed with the key before the rotation. */
let session: { access: string; refresh: string };

const me = (token: string) => call(profile, { path: '/api/profiles/users/me/', token });
const rotate = (until: Date | '', previous: string | null = OLD) => {
  process.env.JWT_SECRET = NEW;
  if (previous === null) delete process.env.JWT_PREVIOUS_SECRET;
  else process.env.JWT_PREVIOUS_SECRET = previous;
  process.env.JWT_PREVIOUS_SECRET_UNTIL = until === '' ? '' : until.toISOString();
};
const inAnHour = () => new Date(Date.now() + 3600_000);

beforeAll(async () => {
  user = await createUser({ reflexoId: (await createTenant()).id }); // its tokens are signed with OLD
  const res = await call(auth, { method: 'POST', path: '/api/architect/auth/login/', json: { email: user.email, password: user.password }, sourceIp: '198.51.100.18' });
  expect(res.status).toBe(200);
  session = res.body;
});
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

it('before the rotation the token works (the baseline)', async () => {
  expect((await me(user.token)).status).toBe(200);
});

it('during the window a token signed with the previous key is accepted, and refreshing it yields tokens of the new key', async () => {
  rotate(inAnHour());
  expect((await me(user.token)).status).toBe(200);
  expect((await me(session.access)).status).toBe(200);
  const res = await call(auth, { method: 'POST', path: '/api/architect/auth/token/refresh/', json: { refresh: session.refresh } });
  expect(res.status).toBe(200);
  const key = (s: string) => new TextEncoder().encode(s);
  await expect(jwtVerify(res.body.access, key(NEW))).resolves.toBeDefined();
  await expect(jwtVerify(res.body.access, key(OLD))).rejects.toThrow();
  await expect(jwtVerify(res.body.refresh, key(NEW))).resolves.toBeDefined();
  expect((await me(res.body.access)).status).toBe(200);
});

it('after the window the same token is refused', async () => {
  rotate(new Date(Date.now() - 1000));
  expect((await me(user.token)).status).toBe(401);
});

it('without the previous key there is no window, whatever the date', async () => {
  rotate(inAnHour(), null);
  expect((await me(user.token)).status).toBe(401);
  rotate('');
  expect((await me(user.token)).status).toBe(401);
});

it('the window accepts only the previous key: a token of any other key, or an expired one of the previous key, is refused', async () => {
  rotate(inAnHour());
  const forged = await new SignJWT({ typ: 'access', rid: user.reflexoId, su: false })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(String(user.id))
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime('1h')
    .setIssuer('reflexo-api')
    .setAudience('reflexo-clients')
    .sign(new TextEncoder().encode(`someone-else-${randomBytes(24).toString('hex')}`));
  expect((await me(forged)).status).toBe(401);
  const expired = await new SignJWT({ typ: 'access', rid: user.reflexoId, su: false })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(String(user.id))
    .setJti(crypto.randomUUID())
    .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
    .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
    .setIssuer('reflexo-api')
    .setAudience('reflexo-clients')
    .sign(new TextEncoder().encode(OLD));
  expect((await me(expired)).status).toBe(401);
});

it('a previous key too short to be one fails the requests it would decide, loudly; tokens of the current key are unaffected', async () => {
  rotate(inAnHour(), 'short');
  const res = await call(profile, { path: '/api/profiles/users/me/', token: user.token, unchecked: true }); // a misconfiguration, outside the contract
  expect(res.status).toBe(500);
  const fresh = await call(auth, { method: 'POST', path: '/api/architect/auth/login/', json: { email: user.email, password: user.password }, sourceIp: '198.51.100.19' });
  expect((await me(fresh.body.access)).status).toBe(200);
});
