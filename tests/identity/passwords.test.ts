import { handler as auth } from '../../functions/reflexo/architect-auth';
import { handler as password } from '../../functions/reflexo/profiles-password';
import { createUser, ownerKysely, uniq } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { callFrom, freshIp } from '../helpers/identity';
import { lastMailTo, mailsTo } from '../helpers/mail';

/* /api/profiles/password: change, reset by e-mailed code, strength, history, policy. */

const change = (token: string, current: string, next: string, confirm = next) =>
  call(password, { method: 'POST', path: '/api/profiles/password/change/', token, json: { current_password: current, new_password: next, new_password_confirm: confirm } });
const requestReset = (email: string) => call(password, { method: 'POST', path: '/api/profiles/password/reset/', json: { email } });
const confirmReset = (ip: string, body: Record<string, unknown>) => callFrom(password, ip, { method: 'POST', path: '/api/profiles/password/reset/confirm/', json: body });
const loginStatus = async (email: string, pw: string) => (await callFrom(auth, freshIp(), { method: 'POST', path: '/api/architect/auth/login/', json: { email, password: pw } })).status;
const codeFromMail = async (email: string) => /Su código es: (\d{6})/.exec((await lastMailTo(email))!.body.text!)![1];

describe('change', () => {
  it('changes the password, records history, audits, and ends other sessions (refresh tokens)', async () => {
    const u = await createUser();
    const login = await callFrom(auth, freshIp(), { method: 'POST', path: '/api/architect/auth/login/', json: { email: u.email, password: u.password } });
    const res = await change(u.token, u.password, 'Nueva#Clave#2026');
    expect(res.status).toBe(200);
    expect(await loginStatus(u.email, 'Nueva#Clave#2026')).toBe(200);
    expect(await loginStatus(u.email, u.password)).toBe(401);
    const refresh = await call(auth, { method: 'POST', path: '/api/architect/auth/token/refresh/', json: { refresh: login.body.refresh } });
    expect(refresh.status).toBe(401);
    const audit = await ownerKysely().selectFrom('audit_log').select(['action', 'changed_fields']).where('user_id', '=', u.id).where('action', '=', 'password_change').execute();
    expect(audit).toEqual([{ action: 'password_change', changed_fields: ['password'] }]);
  });

  it.each([
    ['wrong current password', 'WRONG', 'Nueva#Clave#2026', 'Nueva#Clave#2026', 'current_password'],
    ['confirmation mismatch', null, 'Nueva#Clave#2026', 'Nueva#Clave#2027', 'new_password_confirm'],
    ['no symbols', null, 'NuevaClave2026', 'NuevaClave2026', 'new_password'],
    ['no numbers', null, 'Nueva#Clave#', 'Nueva#Clave#', 'new_password'],
    ['no letters', null, '1234#5678', '1234#5678', 'new_password'],
    ['too short', null, 'Ab1#', 'Ab1#', 'new_password'],
    ['too long', null, `Ab1#${'x'.repeat(130)}`, `Ab1#${'x'.repeat(130)}`, 'new_password'],
    ['common', null, 'P@ssw0rd', 'P@ssw0rd', 'new_password'],
  ])('%s → 400', async (_n, current, next, confirm, field) => {
    const u = await createUser();
    const res = await change(u.token, current ?? u.password, next, confirm);
    expect(res.status).toBe(400);
    expect(Object.keys(res.body)).toEqual([field]);
    expect(await loginStatus(u.email, u.password)).toBe(200);
  });

  it('refuses the current password and any of the last 5; history keeps only 5 rows and shows dates only', async () => {
    const u = await createUser();
    expect((await change(u.token, u.password, u.password)).status).toBe(400);
    const seq = ['Clave#Uno#01', 'Clave#Dos#02', 'Clave#Tres#03', 'Clave#Cuatro#04', 'Clave#Cinco#05', 'Clave#Seis#06'];
    let current = u.password;
    for (const next of seq) {
      expect((await change(u.token, current, next)).status).toBe(200);
      current = next;
    }
    const reuse = await change(u.token, current, 'Clave#Dos#02');
    expect(reuse.status).toBe(400);
    expect(reuse.body.new_password[0]).toMatch(/últimas 5/);
    // Six changes ago: no longer remembered.
    expect((await change(u.token, current, 'Clave#Uno#01')).status).toBe(200);
    expect((await ownerKysely().selectFrom('password_history').select('id').where('user_id', '=', u.id).execute()).length).toBe(5);
    const history = await call(password, { path: '/api/profiles/password/history/', token: u.token });
    expect(history.status).toBe(200);
    expect(history.body.password_history).toHaveLength(5);
    for (const h of history.body.password_history) expect(Object.keys(h).sort()).toEqual(['date', 'last_updated']);
    expect(JSON.stringify(history.body)).not.toContain('scrypt');
  });

  it('history needs a token; a user created before any change has an empty history', async () => {
    expect((await call(password, { path: '/api/profiles/password/history/' })).status).toBe(401);
    const u = await createUser();
    expect((await call(password, { path: '/api/profiles/password/history/', token: u.token })).body).toEqual({ password_history: [] });
  });
});

describe('reset', () => {
  it('mails a code (Spanish, text + HTML), hidden from the response without the dev flag; the mailed code completes the reset once', async () => {
    const u = await createUser();
    const res = await requestReset(u.email);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Código de verificación enviado exitosamente', expires_at: expect.any(String) });
    const expires = new Date(res.body.expires_at).getTime() - Date.now();
    expect(expires).toBeGreaterThan(23.9 * 3600 * 1000);
    expect(expires).toBeLessThanOrEqual(24 * 3600 * 1000);
    const mail = (await lastMailTo(u.email))!;
    expect(mail.subject).toMatch(/contraseña/);
    expect(mail.body.html).toContain('<strong>');
    const code = await codeFromMail(u.email);
    const stored = await ownerKysely().selectFrom('one_time_codes').selectAll().where('user_id', '=', u.id).executeTakeFirstOrThrow();
    expect(stored.code_hash).not.toContain(code);
    expect(stored.code_hash).toHaveLength(64);

    const ip = freshIp();
    const ok = await confirmReset(ip, { code, new_password: 'Reset#Nueva#99', new_password_confirm: 'Reset#Nueva#99' });
    expect(ok.status).toBe(200);
    expect(await loginStatus(u.email, 'Reset#Nueva#99')).toBe(200);
    const again = await confirmReset(ip, { code, new_password: 'Reset#Otra#98', new_password_confirm: 'Reset#Otra#98' });
    expect(again.status).toBe(400);
    expect(Object.keys(again.body)).toEqual(['code']);
    const audit = await ownerKysely().selectFrom('audit_log').select('action').where('user_id', '=', u.id).where('action', '=', 'password_reset').execute();
    expect(audit).toHaveLength(1);
  });

  it('an unknown e-mail gets exactly the same answer, and no mail is sent', async () => {
    const ghost = `${uniq('ghost')}@test.reflexo.pe`;
    const res = await requestReset(ghost);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['expires_at', 'message']);
    expect(res.body.message).toBe('Código de verificación enviado exitosamente');
    expect(await mailsTo(ghost)).toEqual([]);
  });

  it('with DEV_EXPOSE_CODES=1 the code is in the response too', async () => {
    process.env.DEV_EXPOSE_CODES = '1';
    try {
      const u = await createUser();
      const res = await requestReset(u.email);
      expect(res.body.code).toMatch(/^\d{6}$/);
      expect(res.body.code).toBe(await codeFromMail(u.email));
      const ghost = await requestReset(`${uniq('ghost')}@test.reflexo.pe`);
      expect(Object.keys(ghost.body).sort()).toEqual(['code', 'expires_at', 'message']);
    } finally {
      delete process.env.DEV_EXPOSE_CODES;
    }
  });

  it('a new request replaces the previous code (one live code)', async () => {
    const u = await createUser();
    await requestReset(u.email);
    const old = await codeFromMail(u.email);
    await requestReset(u.email);
    const fresh = await codeFromMail(u.email);
    expect((await ownerKysely().selectFrom('one_time_codes').select('id').where('user_id', '=', u.id).execute()).length).toBe(1);
    if (old !== fresh) expect((await confirmReset(freshIp(), { code: old, new_password: 'Reset#Nueva#99', new_password_confirm: 'Reset#Nueva#99' })).status).toBe(400);
    expect((await confirmReset(freshIp(), { code: fresh, new_password: 'Reset#Nueva#99', new_password_confirm: 'Reset#Nueva#99' })).status).toBe(200);
  });

  it('an expired code → 400', async () => {
    const u = await createUser();
    await requestReset(u.email);
    const code = await codeFromMail(u.email);
    await ownerKysely().updateTable('one_time_codes').set({ expires_at: new Date(Date.now() - 1000) }).where('user_id', '=', u.id).execute();
    expect((await confirmReset(freshIp(), { code, new_password: 'Reset#Nueva#99', new_password_confirm: 'Reset#Nueva#99' })).status).toBe(400);
  });

  it('with the e-mail named, 5 wrong codes → 429 and the right code is dead too', async () => {
    const u = await createUser();
    await requestReset(u.email);
    const code = await codeFromMail(u.email);
    const wrong = code === '000000' ? '111111' : '000000';
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await confirmReset(freshIp(), { email: u.email, code: wrong, new_password: 'Reset#Nueva#99', new_password_confirm: 'Reset#Nueva#99' })).status);
    expect(statuses).toEqual([400, 400, 400, 400, 429]);
    expect((await confirmReset(freshIp(), { email: u.email, code, new_password: 'Reset#Nueva#99', new_password_confirm: 'Reset#Nueva#99' })).status).toBe(429);
    expect(await loginStatus(u.email, u.password)).toBe(200);
  });

  it('code-only guesses are limited per client IP: 5 misses → 429 with Retry-After', async () => {
    const ip = freshIp();
    const body = { code: '000001', new_password: 'Reset#Nueva#99', new_password_confirm: 'Reset#Nueva#99' };
    for (let i = 0; i < 5; i++) await confirmReset(ip, { ...body, code: String(900000 + i) });
    const blocked = await confirmReset(ip, body);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('weak or reused new password → 400 and the code stays usable', async () => {
    const u = await createUser();
    await requestReset(u.email);
    const code = await codeFromMail(u.email);
    const ip = freshIp();
    expect((await confirmReset(ip, { code, new_password: 'debil', new_password_confirm: 'debil' })).status).toBe(400);
    expect((await confirmReset(ip, { code, new_password: u.password, new_password_confirm: u.password })).status).toBe(400);
    expect((await confirmReset(ip, { code, new_password: 'Reset#Nueva#99', new_password_confirm: 'Reset#Nueva#99' })).status).toBe(200);
  });

  it('malformed input → 400', async () => {
    expect((await requestReset('nope')).status).toBe(400);
    expect((await confirmReset(freshIp(), { code: '12ab56', new_password: 'x', new_password_confirm: 'x' })).status).toBe(400);
  });
});

describe('strength and policy', () => {
  it('weak passwords get a low score and Spanish suggestions; strong ones none', async () => {
    const weak = await call(password, { method: 'POST', path: '/api/profiles/password/strength/', json: { password: 'password' } });
    expect(weak.status).toBe(200);
    expect(weak.body.is_strong).toBe(false);
    expect(weak.body.score).toBeLessThan(4);
    expect(weak.body.suggestions).toEqual(expect.arrayContaining(['La contraseña es demasiado común.']));
    const strong = await call(password, { method: 'POST', path: '/api/profiles/password/strength', json: { password: 'Cóndor-Lúcuma-Tren#2026' } });
    expect(strong.body).toEqual({ is_strong: true, score: 10, suggestions: [] });
    expect((await call(password, { method: 'POST', path: '/api/profiles/password/strength/', json: {} })).status).toBe(400);
  });

  it('policy is public', async () => {
    const res = await call(password, { path: '/api/profiles/password/policy' });
    expect(res.status).toBe(200);
    expect(res.body.rules.min_length).toBe(8);
  });
});
