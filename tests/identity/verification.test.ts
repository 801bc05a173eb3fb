import { handler as verification } from '../../functions/reflexo/profiles-verification';
import { createUser, ownerKysely, uniq } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { callFrom, freshIp } from '../helpers/identity';
import { lastMailTo, mailsTo } from '../helpers/mail';

/* /api/profiles/verification: e-mail verification and e-mail change by code. */

const post = (path: string, json: unknown, token?: string) => call(verification, { method: 'POST', path, json, token });
const codeFromMail = async (email: string) => /Su código es: (\d{6})/.exec((await lastMailTo(email))!.body.text!)![1];
const newEmail = () => `${uniq('nuevo')}@test.reflexo.pe`;
const emailOf = async (id: number) => (await ownerKysely().selectFrom('users').select('email').where('id', '=', id).executeTakeFirstOrThrow()).email;

describe('e-mail change', () => {
  it('mails a code to the new address; confirming moves the e-mail, marks it verified and audits', async () => {
    const u = await createUser();
    const target = newEmail();
    const res = await post('/api/profiles/verification/email/change/', { new_email: target }, u.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Código de verificación enviado al nuevo email', expires_at: expect.any(String) });
    expect(await mailsTo(u.email)).toEqual([]);
    const code = await codeFromMail(target);
    const ok = await post('/api/profiles/verification/email/change/confirm/', { code }, u.token);
    expect(ok.status).toBe(200);
    expect(await emailOf(u.id)).toBe(target);
    const row = await ownerKysely().selectFrom('users').select('email_verified_at').where('id', '=', u.id).executeTakeFirstOrThrow();
    expect(row.email_verified_at).not.toBeNull();
    const audit = await ownerKysely().selectFrom('audit_log').select('changed_fields').where('user_id', '=', u.id).where('action', '=', 'email_change').execute();
    expect(audit).toEqual([{ changed_fields: ['email'] }]);
    // Single use.
    expect((await post('/api/profiles/verification/email/change/confirm/', { code }, u.token)).status).toBe(400);
  });

  it('a taken or identical address → 400; taken between request and confirm → 409', async () => {
    const u = await createUser();
    const other = await createUser();
    const taken = await post('/api/profiles/verification/email/change/', { new_email: other.email.toUpperCase() }, u.token);
    expect(taken.status).toBe(400);
    expect(Object.keys(taken.body)).toEqual(['new_email']);
    expect((await post('/api/profiles/verification/email/change/', { new_email: u.email }, u.token)).status).toBe(400);
    expect((await post('/api/profiles/verification/code/', { verification_type: 'email_change', target_email: other.email }, u.token)).status).toBe(400);

    const target = newEmail();
    await post('/api/profiles/verification/email/change/', { new_email: target }, u.token);
    const code = await codeFromMail(target);
    await ownerKysely().updateTable('users').set({ email: target }).where('id', '=', other.id).execute();
    const late = await post('/api/profiles/verification/email/change/confirm/', { code }, u.token);
    expect(late.status).toBe(409);
    expect(await emailOf(u.id)).toBe(u.email);
  });

  it('5 wrong codes → 429 (the 5th and after, even with the right code); status shows the attempts', async () => {
    const u = await createUser();
    const target = newEmail();
    await post('/api/profiles/verification/email/change/', { new_email: target }, u.token);
    const code = await codeFromMail(target);
    const wrong = code === '000000' ? '111111' : '000000';
    const first = await post('/api/profiles/verification/email/change/confirm/', { code: wrong }, u.token);
    expect(first.status).toBe(400);
    const status = await call(verification, { path: '/api/profiles/verification/status/', token: u.token });
    expect(status.body.active_verifications).toEqual([{ verification_type: 'email_change', expires_at: expect.any(String), attempts_remaining: 4, is_valid: true }]);
    const rest: number[] = [];
    for (let i = 0; i < 4; i++) rest.push((await post('/api/profiles/verification/email/change/confirm/', { code: wrong }, u.token)).status);
    expect(rest).toEqual([400, 400, 400, 429]);
    const right = await post('/api/profiles/verification/email/change/confirm/', { code }, u.token);
    expect(right.status).toBe(429);
    expect(await emailOf(u.id)).toBe(u.email);
    const after = await call(verification, { path: '/api/profiles/verification/status/', token: u.token });
    expect(after.body.active_verifications[0]).toMatchObject({ attempts_remaining: 0, is_valid: false });
  });

  it('an expired code → 400; no code at all → 400; a malformed one → 400', async () => {
    const u = await createUser();
    expect((await post('/api/profiles/verification/email/change/confirm/', { code: '123456' }, u.token)).status).toBe(400);
    await post('/api/profiles/verification/email/change/', { new_email: newEmail() }, u.token);
    await ownerKysely().updateTable('one_time_codes').set({ expires_at: new Date(Date.now() - 1000) }).where('user_id', '=', u.id).execute();
    const status = await call(verification, { path: '/api/profiles/verification/status/', token: u.token });
    expect(status.body.active_verifications).toEqual([]);
    expect((await post('/api/profiles/verification/email/change/confirm/', { code: 'abc' }, u.token)).status).toBe(400);
  });

  it('requires a token', async () => {
    expect((await post('/api/profiles/verification/email/change/', { new_email: newEmail() })).status).toBe(401);
    expect((await post('/api/profiles/verification/email/change/confirm/', { code: '123456' })).status).toBe(401);
    expect((await call(verification, { path: '/api/profiles/verification/status/' })).status).toBe(401);
  });
});

describe('code and resend', () => {
  it('one live code per type: resend replaces the code; types are independent', async () => {
    const u = await createUser();
    const target = newEmail();
    const first = await post('/api/profiles/verification/code/', { verification_type: 'email_change', target_email: target }, u.token);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ message: 'Código de verificación enviado exitosamente', verification_type: 'email_change' });
    expect(first.body).not.toHaveProperty('code');
    const c1 = await codeFromMail(target);
    const resend = await post('/api/profiles/verification/code/resend/', { verification_type: 'email_change', target_email: target }, u.token);
    expect(resend.status).toBe(200);
    expect(resend.body.message).toBe('Código de verificación reenviado exitosamente');
    const c2 = await codeFromMail(target);
    await post('/api/profiles/verification/code/', { verification_type: 'email_verification' }, u.token);
    expect((await lastMailTo(u.email))!.subject).toBe('Verifique su email');
    const rows = await ownerKysely().selectFrom('one_time_codes').select('purpose').where('user_id', '=', u.id).orderBy('purpose').execute();
    expect(rows.map((r) => r.purpose)).toEqual(['email_change', 'email_verification']);
    if (c1 !== c2) expect((await post('/api/profiles/verification/email/change/confirm/', { code: c1 }, u.token)).status).toBe(400);
    expect((await post('/api/profiles/verification/email/change/confirm/', { code: c2 }, u.token)).status).toBe(200);
  });

  it('email_change without target_email, or an unknown type → 400', async () => {
    const u = await createUser();
    const missing = await post('/api/profiles/verification/code/', { verification_type: 'email_change' }, u.token);
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.body)).toEqual(['target_email']);
    expect((await post('/api/profiles/verification/code/', { verification_type: 'sms' }, u.token)).status).toBe(400);
  });
});

describe('e-mail verification', () => {
  it('public request + confirm by code marks the account verified; status reflects it', async () => {
    const u = await createUser();
    const before = await call(verification, { path: '/api/profiles/verification/status/', token: u.token });
    expect(before.body).toEqual({ user_email: u.email, email_verified: false, active_verifications: [] });
    const res = await post('/api/profiles/verification/email/', { email: u.email });
    expect(res.status).toBe(200);
    const mail = (await lastMailTo(u.email))!;
    expect(mail.body.html).toContain('Reflexo');
    const code = await codeFromMail(u.email);
    const ok = await callFrom(verification, freshIp(), { method: 'POST', path: '/api/profiles/verification/email/confirm/', json: { code } });
    expect(ok.status).toBe(200);
    const after = await call(verification, { path: '/api/profiles/verification/status', token: u.token });
    expect(after.body.email_verified).toBe(true);
    expect(after.body.active_verifications).toEqual([]);
  });

  it('an unknown address gets the same answer and no mail', async () => {
    const ghost = newEmail();
    const res = await post('/api/profiles/verification/email/', { email: ghost });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['expires_at', 'message']);
    expect(await mailsTo(ghost)).toEqual([]);
  });

  it('with the e-mail named, wrong codes count against that code; code-only misses count per IP', async () => {
    const u = await createUser();
    await post('/api/profiles/verification/email/', { email: u.email });
    const code = await codeFromMail(u.email);
    const wrong = code === '000000' ? '111111' : '000000';
    const ip = freshIp();
    const named: number[] = [];
    for (let i = 0; i < 5; i++) named.push((await callFrom(verification, ip, { method: 'POST', path: '/api/profiles/verification/email/confirm/', json: { code: wrong, email: u.email } })).status);
    expect(named).toEqual([400, 400, 400, 400, 429]);
    const ip2 = freshIp();
    for (let i = 0; i < 5; i++) await callFrom(verification, ip2, { method: 'POST', path: '/api/profiles/verification/email/confirm/', json: { code: String(800000 + i) } });
    expect((await callFrom(verification, ip2, { method: 'POST', path: '/api/profiles/verification/email/confirm/', json: { code: '800009' } })).status).toBe(429);
  });
});
