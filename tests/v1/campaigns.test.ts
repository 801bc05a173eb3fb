import { handler } from '../../functions/v1/campaigns';
import { handler as segments } from '../../functions/v1/segments';
import { runScheduledAutomations } from '../../lib/domain/automations';
import { htmlToText, sanitizeHtml, unsubscribeToken } from '../../lib/domain/campaigns';
import { drainOutbox } from '../../lib/mail/outbox';
import { bulkPatients } from '../helpers/crm-fixtures';
import { ownerKysely, tenantWithAdmin, uniq, type TestUser } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { mailsTo, type CapturedMail } from '../helpers/mail';
import { createPatient } from '../helpers/scheduling-fixtures';

/*
 * v1 campaigns: sanitized content with placeholders and a text part, the send (202, recipients frozen
 * once, mail queued in the outbox) read back from the SES stand-in, per-recipient results, the signed
 * one-click unsubscribe and the clinic's suppression list, 5,000 recipients in under a second, and
 * two-clinic isolation.
 */
// Bulk mail is spread over time at the sender's rate (lib/queries/campaigns.ts spreadSql); at the
// default 10/s the 5,000-recipient campaign below would take 500 s to fall due.
process.env.MAIL_SEND_RATE = '5000';

let admin: TestUser;
let tenantId: number;
let other: { admin: TestUser; tenantId: number };

beforeAll(async () => {
  const t = await tenantWithAdmin();
  admin = t.admin;
  tenantId = t.tenant.id;
  await ownerKysely().updateTable('tenants').set({ name: 'Clínica Sonrisa' }).where('id', '=', tenantId).execute();
  const o = await tenantWithAdmin();
  other = { admin: o.admin, tenantId: o.tenant.id };
});

const post = (path: string, json?: unknown, token = admin.token) => call(handler, { method: 'POST', path, token, json });
const get = (path: string, token = admin.token, query?: Record<string, string | number>) => call(handler, { path, token, query });
const email = (tag: string) => `${uniq(tag)}@camp.test`.toLowerCase();

async function segmentOf(patientIds: number[], token = admin.token): Promise<number> {
  const s = await call(segments, { method: 'POST', path: '/api/v1/segments', token, json: { nombre: uniq('Seg '), tipo: 'manual' } });
  if (patientIds.length) await call(segments, { method: 'POST', path: `/api/v1/segments/${s.body.id}/patients`, token, json: { agregar: patientIds } });
  return s.body.id;
}

const campaign = (over: Record<string, unknown> = {}, token = admin.token) =>
  post('/api/v1/campaigns', { nombre: uniq('Campaña '), asunto: 'Hola {{nombres}}', contenido: '<p>Hola {{ nombres }} {{apellidos}}, te saluda {{clinica}}.</p>', ...over }, token);

describe('content: an allow-list sanitizer, placeholders and the text part', () => {
  it.each([
    ['<p onclick="alert(1)">x</p><script>alert(1)</script>', '<p>x</p>'],
    ['<a href="javascript:alert(1)">x</a>', '<a>x</a>'],
    ['<a href="JaVa&#x09;ScRiPt&colon;alert(1)">x</a>', '<a>x</a>'],
    ['<a href=" java\nscript:alert(1)">x</a>', '<a>x</a>'],
    ['<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', '<a>x</a>'],
    ['<a href="vbscript:msgbox">x</a>', '<a>x</a>'],
    ['<img src="x" onerror="alert(1)">', '<img>'],
    ['<img src="https://cdn.example.com/a.png" alt="logo">', '<img src="https://cdn.example.com/a.png" alt="logo">'],
    ['<iframe src="https://evil"></iframe><p>ok</p>', '<p>ok</p>'],
    ['<style>body{}</style><svg onload=alert(1)><circle/></svg>t', 't'],
    ['<div style="background:url(javascript:alert(1))">x</div>', '<div>x</div>'],
    ['<div style="width:expression(alert(1))">x</div>', '<div>x</div>'],
    ['<p style="color:#c00; font-size:14px">x</p>', '<p style="color:#c00; font-size:14px">x</p>'],
    ['<!-- <script>x</script> --><b>b</b>', '<b>b</b>'],
    ['<form action="https://evil"><input name=a><b>t</b></form>', '<b>t</b>'],
    ['<a href="https://x.pe/?a=1&b=2" target="_blank">x</a>', '<a href="https://x.pe/?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">x</a>'],
    ['<a href="{{enlace_baja}}">baja</a>', '<a href="{{enlace_baja}}">baja</a>'],
    ['<a href="{{nombres}}">x</a>', '<a>x</a>'],
    ['<table><tr><td colspan="2" onmouseover="x">a', '<table><tr><td colspan="2">a</td></tr></table>'],
    ['1 < 2 & 3 > 2 &amp; &eacute;', '1 &lt; 2 &amp; 3 &gt; 2 &amp; &eacute;'],
    ['<p title="a > b">x</p>', '<p title="a &gt; b">x</p>'],
    ['<b><i>x</b></i>', '<b><i>x</i></b>'],
    ['<scr<script>ipt>alert(1)</script>', 'ipt&gt;alert(1)'],
    ['<SCRIPT SRC=//evil></SCRIPT>after', 'after'],
    ['<script>never closed', ''],
  ])('%s', (input, output) => {
    expect(sanitizeHtml(input)).toBe(output);
  });

  it('the text part keeps paragraphs, line breaks, list items and links', () => {
    expect(htmlToText('<h1>Título</h1><p>Hola&nbsp;Ana,<br>te esperamos.</p><ul><li>uno</li><li>dos</li></ul><p><a href="https://x.pe/p?a=1&amp;b=2">Reservar</a></p>')).toBe(
      'Título\n\nHola Ana,\nte esperamos.\n\n- uno\n- dos\n\nReservar (https://x.pe/p?a=1&b=2)',
    );
  });

  it('a campaign is stored sanitized, with normalized placeholders and its text part; unknown placeholders are a 422', async () => {
    const res = await campaign({ contenido: '<p onclick="x()">Hola {{ nombres }}</p><script>steal()</script><p><a href="{{enlace_baja}}">Baja</a></p>' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ estado: 'borrador', contenido: '<p>Hola {{nombres}}</p><p><a href="{{enlace_baja}}">Baja</a></p>', contenido_texto: 'Hola {{nombres}}\n\nBaja ({{enlace_baja}})', segmento_id: null, destinatarios: 0, programada_para: null });
    const bad = await campaign({ contenido: '<p>{{nombre}} {{dni}}</p>' });
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0].loc).toEqual(['body', 'contenido']);
    expect(bad.body.detail[0].msg).toContain('{{nombre}}, {{dni}}');
    const badSubject = await campaign({ asunto: 'Hola {{enlace_baja}}' });
    expect(badSubject.body.detail[0].loc).toEqual(['body', 'asunto']);
    expect((await campaign({ contenido: '<script>only()</script>' })).status).toBe(422);
  });
});

describe('lifecycle', () => {
  it('schedules with a future date and a segment, edits only the fields sent, cancels, lists by estado, deletes', async () => {
    const seg = await segmentOf([]);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await campaign({ programada_para: new Date(Date.now() - 60_000).toISOString(), segmento_id: seg })).status).toBe(422);
    expect((await campaign({ estado: 'programada', segmento_id: seg })).body.detail[0].loc).toEqual(['body', 'programada_para']);
    expect((await campaign({ programada_para: future })).body.detail[0].loc).toEqual(['body', 'segmento_id']);
    expect((await campaign({ segmento_id: 999_999_999 })).body.detail[0].loc).toEqual(['body', 'segmento_id']);
    const c = await campaign({ programada_para: future, segmento: { id: seg } });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ estado: 'programada', programada_para: future.replace(/\.\d+Z$/, (m) => (m === '.000Z' ? 'Z' : m)), segmento: { id: seg } });
    const put = await call(handler, { method: 'PUT', path: `/api/v1/campaigns/${c.body.id}`, token: admin.token, json: { nombre: 'Nuevo nombre' } });
    expect(put.body).toMatchObject({ nombre: 'Nuevo nombre', estado: 'programada', asunto: c.body.asunto, contenido: c.body.contenido });
    const draft = await call(handler, { method: 'PUT', path: `/api/v1/campaigns/${c.body.id}`, token: admin.token, json: { programada_para: null } });
    expect(draft.body).toMatchObject({ estado: 'borrador', programada_para: null });
    const cancelled = await call(handler, { method: 'PUT', path: `/api/v1/campaigns/${c.body.id}`, token: admin.token, json: { estado: 'cancelada' } });
    expect(cancelled.body.estado).toBe('cancelada');
    expect((await post(`/api/v1/campaigns/${c.body.id}/send`)).status).toBe(409);
    const list = await get('/api/v1/campaigns', admin.token, { estado: 'cancelada' });
    expect(list.body.map((x: { id: number }) => x.id)).toContain(c.body.id);
    expect(list.body.every((x: { estado: string }) => x.estado === 'cancelada')).toBe(true);
    expect((await get('/api/v1/campaigns', admin.token, { estado: 'otro' })).status).toBe(422);
    expect((await call(handler, { method: 'DELETE', path: `/api/v1/campaigns/${c.body.id}`, token: admin.token })).status).toBe(204);
    expect((await get(`/api/v1/campaigns/${c.body.id}`)).status).toBe(404);
    expect((await get('/api/v1/campaigns/x1')).status).toBe(422);
    const noSegment = await campaign();
    const refused = await post(`/api/v1/campaigns/${noSegment.body.id}/send`);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('segmento');
  });
});

describe('sending', () => {
  it('freezes the recipients once, queues personalised mail, skips the suppressed; results per recipient; a second send delivers nothing new', async () => {
    const to = { ana: email('ana'), beto: email('beto'), supr: email('supr') };
    const ana = (await createPatient(tenantId, { name: 'Ana <b>', paternal_lastname: 'López', maternal_lastname: 'García', email: to.ana })).id;
    const beto = (await createPatient(tenantId, { name: 'Beto', email: to.beto })).id;
    const supr = (await createPatient(tenantId, { name: 'Supr', email: to.supr })).id;
    const noMail = (await createPatient(tenantId, { name: 'Sin correo', email: null })).id;
    await ownerKysely().insertInto('mail_suppressions').values({ reflexo_id: tenantId, email: to.supr.toUpperCase(), reason: 'manual' }).execute();
    const seg = await segmentOf([ana, beto, supr, noMail]);
    const c = (await campaign({ segmento_id: seg, asunto: 'Novedades para {{nombres}}', contenido: '<p>Hola {{nombre_completo}} ({{email}}), te saluda {{clinica}}.</p>' })).body;

    const sent = await post(`/api/v1/campaigns/${c.id}/send`);
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({ campana_id: c.id, estado: 'enviando', destinatarios: 3, suprimidos: 1, en_cola: 2, nuevos: 2, sin_email: 1, ya_enviada: false });
    expect((await get(`/api/v1/campaigns/${c.id}`)).body).toMatchObject({ estado: 'enviando', destinatarios: 3 });
    // Frozen: a patient added to the segment afterwards is not a recipient.
    const late = (await createPatient(tenantId, { email: email('late') })).id;
    await call(segments, { method: 'POST', path: `/api/v1/segments/${seg}/patients`, token: admin.token, json: { agregar: [late] } });

    const [mail] = await mailsTo(to.ana);
    expect(mail.subject).toBe('Novedades para Ana <b>');
    expect(mail.body.html).toContain('<p>Hola Ana &lt;b&gt; López García (' + to.ana + '), te saluda Clínica Sonrisa.</p>');
    expect(mail.body.text).toContain('Hola Ana <b> López García (' + to.ana + '), te saluda Clínica Sonrisa.');
    const unsub = mail.headers?.find((h) => h.name === 'List-Unsubscribe')?.value;
    expect(unsub).toMatch(/^<http:\/\/localhost:8000\/api\/v1\/campaigns\/unsubscribe\/c\d+\.[A-Za-z0-9_-]{43}>$/);
    expect(mail.headers).toContainEqual({ name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' });
    expect(mail.body.text).toContain(unsub!.slice(1, -1));
    expect(mail.body.html).toContain(`href="${unsub!.slice(1, -1)}"`);
    expect(await mailsTo(to.supr)).toEqual([]);

    const results = await get(`/api/v1/campaigns/${c.id}/results`);
    expect(results.status).toBe(200);
    expect(results.body).toMatchObject({ campana_id: c.id, estado: 'enviada', totales: { destinatarios: 3, pendiente: 0, enviado: 2, fallido: 0, suprimido: 1 } });
    expect(results.headers['x-total-count']).toBe('3');
    const byId = Object.fromEntries(results.body.destinatarios.map((r: { paciente_id: number }) => [r.paciente_id, r]));
    expect(byId[ana]).toMatchObject({ estado: 'enviado', email: to.ana, apellidos: 'López García', intentos: 1, error: null });
    expect(byId[ana].enviado_en).toMatch(/Z$/);
    expect(byId[supr]).toMatchObject({ estado: 'suprimido', enviado_en: null });
    expect(Object.keys(byId).map(Number)).not.toContain(late);
    const onlySuppressed = await get(`/api/v1/campaigns/${c.id}/results`, admin.token, { estado: 'suprimido' });
    expect(onlySuppressed.body.destinatarios.map((r: { paciente_id: number }) => r.paciente_id)).toEqual([supr]);
    expect(onlySuppressed.headers['x-total-count']).toBe('1');

    const again = await post(`/api/v1/campaigns/${c.id}/send`);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ destinatarios: 3, suprimidos: 1, nuevos: 0, ya_enviada: true, estado: 'enviada' });
    expect(await mailsTo(to.ana)).toHaveLength(1);
    expect(await mailsTo(to.beto)).toHaveLength(1);
    expect((await call(handler, { method: 'PUT', path: `/api/v1/campaigns/${c.id}`, token: admin.token, json: { nombre: 'x' } })).status).toBe(409);
  });

  it('the signed one-click unsubscribe: a page on GET, the suppression on POST (RFC 8058); a forged link is a 404; the next campaign skips the address', async () => {
    const addr = email('baja');
    const p = (await createPatient(tenantId, { email: addr })).id;
    const seg = await segmentOf([p]);
    const c = (await campaign({ segmento_id: seg })).body;
    await post(`/api/v1/campaigns/${c.id}/send`);
    const [mail] = await mailsTo(addr);
    const url = new URL(mail.headers!.find((h) => h.name === 'List-Unsubscribe')!.value.slice(1, -1));
    const token = url.pathname.split('/').pop()!;

    const page = await call(handler, { path: url.pathname });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('Clínica Sonrisa');
    expect(page.body).not.toContain(addr); // masked on a public page
    expect(page.body).toContain('method="post"');
    // A GET (a link scanner) never unsubscribes.
    expect(await ownerKysely().selectFrom('mail_suppressions').select('id').where('reflexo_id', '=', tenantId).where('email', '=', addr).execute()).toEqual([]);

    const oneClick = await call(handler, { method: 'POST', path: url.pathname, raw: { body: 'List-Unsubscribe=One-Click', contentType: 'application/x-www-form-urlencoded' } });
    expect(oneClick.status).toBe(200);
    const rows = await ownerKysely().selectFrom('mail_suppressions').select(['reason', 'campaign_id']).where('reflexo_id', '=', tenantId).where('email', '=', addr).execute();
    expect(rows).toEqual([{ reason: 'baja', campaign_id: c.id }]);
    expect((await call(handler, { method: 'POST', path: url.pathname })).status).toBe(200);
    expect(await ownerKysely().selectFrom('mail_suppressions').select('id').where('reflexo_id', '=', tenantId).where('email', '=', addr).execute()).toHaveLength(1);

    const forged = token.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A'));
    for (const t of [forged, `c${Number(token.slice(1, token.indexOf('.'))) + 1}${token.slice(token.indexOf('.'))}`, 'nada', unsubscribeToken('c', 999_999_999)]) {
      const res = await call(handler, { method: 'POST', path: `/api/v1/campaigns/unsubscribe/${t}` });
      expect([t, res.status]).toEqual([t, 404]);
      expect(res.headers['content-type']).toContain('text/html');
    }

    // Another clinic's suppression list is its own: the same address there still gets mail.
    const next = (await campaign({ segmento_id: seg })).body;
    const res = await post(`/api/v1/campaigns/${next.id}/send`);
    expect(res.body).toMatchObject({ destinatarios: 1, suprimidos: 1, nuevos: 0 });
    expect(await mailsTo(addr)).toHaveLength(1);
    const theirs = (await createPatient(other.tenantId, { email: addr })).id;
    const theirSeg = await segmentOf([theirs], other.admin.token);
    const theirCampaign = (await campaign({ segmento_id: theirSeg }, other.admin.token)).body;
    expect((await post(`/api/v1/campaigns/${theirCampaign.id}/send`, undefined, other.admin.token)).body).toMatchObject({ destinatarios: 1, suprimidos: 0, nuevos: 1 });
    expect(await mailsTo(addr)).toHaveLength(2);
  });

  it('a scheduled campaign is sent by the automation runner when its time comes', async () => {
    const addr = email('prog');
    const p = (await createPatient(tenantId, { email: addr })).id;
    const seg = await segmentOf([p]);
    const c = (await campaign({ segmento_id: seg, programada_para: new Date(Date.now() + 3_600_000).toISOString() })).body;
    await runScheduledAutomations({ clinics: [tenantId], now: new Date(Date.now() + 1_800_000) });
    expect((await get(`/api/v1/campaigns/${c.id}`)).body.estado).toBe('programada');
    const report = await runScheduledAutomations({ clinics: [tenantId], now: new Date(Date.now() + 7_200_000) });
    expect(report.campaignsSent).toBe(1);
    expect(await mailsTo(addr)).toHaveLength(1);
    expect((await get(`/api/v1/campaigns/${c.id}`)).body).toMatchObject({ estado: 'enviada', destinatarios: 1 });
  });
});

describe('5,000 recipients', () => {
  it('a 5,000-patient segment is accepted (202; its time is measured by tests/bench/campaign.ts), fully delivered by the sender, once; the unsubscribed one gets nothing', async () => {
    const t = await tenantWithAdmin();
    const tag = uniq('bulk').toLowerCase();
    const ids = await bulkPatients(t.tenant.id, 5000, tag);
    expect(ids).toHaveLength(5000);
    const suppressedAddress = `${tag}-17@bulk.test`;
    await ownerKysely().insertInto('mail_suppressions').values({ reflexo_id: t.tenant.id, email: suppressedAddress }).execute();
    const seg = (await call(segments, { method: 'POST', path: '/api/v1/segments', token: t.admin.token, json: { nombre: 'Todos', reglas: [{ campo: 'estado_paciente', operador: 'igual', valor: 'activo' }] } })).body;
    expect(seg.total).toBe(5000);
    const c = (await campaign({ segmento_id: seg.id }, t.admin.token)).body;
    const since = Math.floor(Date.now() / 1000) - 1;

    const started = performance.now();
    const res = await post(`/api/v1/campaigns/${c.id}/send`, undefined, t.admin.token);
    const elapsed = performance.now() - started;
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ destinatarios: 5000, suprimidos: 1, nuevos: 4999 });
    // eslint-disable-next-line no-console
    console.log(`campaign send, 5,000 recipients: ${elapsed.toFixed(0)} ms (202)`);
    const spread = await ownerKysely()
      .selectFrom('mail_outbox')
      .select((eb) => [eb.fn.min('next_attempt_at').as('first'), eb.fn.max('next_attempt_at').as('last')])
      .where('idempotency_key', 'like', `campaign:${c.id}:%`)
      .executeTakeFirstOrThrow();
    expect(new Date(spread.last as Date).getTime() - new Date(spread.first as Date).getTime()).toBeGreaterThan(900); // 4,999 at 5,000/s

    const mine = (m: CapturedMail) => m.destination.to[0].startsWith(`${tag}-`);
    const delivered = async () => ((await (await fetch(`${process.env.SES_ENDPOINT}/store?since=${since}`)).json()) as { emails: CapturedMail[] }).emails.filter(mine);
    let got: CapturedMail[] = [];
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      await drainOutbox({ ratePerSecond: 1_000_000, batch: 500, budgetMs: 20_000 });
      got = await delivered();
      const left = await ownerKysely().selectFrom('mail_outbox').select((eb) => eb.fn.countAll().as('n')).where('idempotency_key', 'like', `campaign:${c.id}:%`).where('status', '<>', 'enviado').executeTakeFirstOrThrow();
      if (Number(left.n) === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(got).toHaveLength(4999);
    expect(new Set(got.map((m) => m.destination.to[0])).size).toBe(4999);
    expect(got.some((m) => m.destination.to[0] === suppressedAddress)).toBe(false);

    const twice = await post(`/api/v1/campaigns/${c.id}/send`, undefined, t.admin.token);
    expect(twice.body).toMatchObject({ nuevos: 0, ya_enviada: true });
    await drainOutbox({ ratePerSecond: 1_000_000, batch: 500 });
    expect(await delivered()).toHaveLength(4999);
    const results = await get(`/api/v1/campaigns/${c.id}/results`, t.admin.token, { size: 10 });
    expect(results.body.totales).toEqual({ destinatarios: 5000, pendiente: 0, enviado: 4999, fallido: 0, suprimido: 1 });
    expect(results.body.destinatarios).toHaveLength(10);
    expect(results.headers['x-total-count']).toBe('5000');
  }, 180_000);
});

describe('two clinics', () => {
  it('another clinic’s campaign is a 404 on every route and stays as it was; its list shows none of them', async () => {
    const p = (await createPatient(tenantId, { email: email('iso') })).id;
    const c = (await campaign({ segmento_id: await segmentOf([p]) })).body;
    const before = await ownerKysely().selectFrom('campaigns').selectAll().where('id', '=', c.id).executeTakeFirstOrThrow();
    const base = `/api/v1/campaigns/${c.id}`;
    for (const req of [{ path: base }, { method: 'PUT', path: base, json: { nombre: 'x' } }, { method: 'DELETE', path: base }, { path: `${base}/results` }, { method: 'POST', path: `${base}/send` }]) {
      const res = await call(handler, { ...req, token: other.admin.token });
      expect([req.method ?? 'GET', req.path, res.status]).toEqual([req.method ?? 'GET', req.path, 404]);
    }
    expect(await ownerKysely().selectFrom('campaigns').selectAll().where('id', '=', c.id).executeTakeFirstOrThrow()).toEqual(before);
    expect(await ownerKysely().selectFrom('campaign_recipients').select('id').where('campaign_id', '=', c.id).execute()).toEqual([]);
    // Their campaign cannot target our segment either.
    const ourSeg = before.segment_id as number;
    expect((await campaign({ segmento_id: ourSeg }, other.admin.token)).status).toBe(422);
    const list = await get('/api/v1/campaigns', other.admin.token, { size: 200 });
    expect(list.body.map((x: { id: number }) => x.id)).not.toContain(c.id);
  });
});
