import { join } from 'node:path';
import pg from 'pg';
import { LOCAL_JWT_SECRET } from '../../lib/dev/local-env';
import { startStandIns } from '../../lib/dev/standins';
import { startBenchServer, seededScales } from './bench-db';
import { loadContext } from './context';
import { writeSection } from './sections';

/*
 * `npx tsx tests/bench/campaign.ts` (after `npm run bench:seed -- --scale 10`): issue 15's campaign
 * on the bench data. In the largest clinic, a segment of 5,000 patients with e-mail (one of them on
 * the suppression list); the campaign's `send` is timed (target: 202 in < 1 s); the outbox sender
 * then delivers it to the SES stand-in (every message once, the suppressed address nothing); a second
 * `send` delivers nothing new. Writes the `campaign` section of tests/bench/RESULTS.md. It adds a
 * segment and a campaign to the bench database (re-seed to reset).
 */
const RECIPIENTS = 5000;

async function main() {
  const server = await startBenchServer((s) => console.error(s));
  const [largest] = await seededScales(server);
  if (!largest) throw new Error('no seeded scale: run npm run bench:seed -- --scale 10 first');
  const ctx = await loadContext(largest.ownerUrl);
  const ses = await startStandIns({ dataDir: join(__dirname, '.out', 's3'), s3Port: 0, sesPort: 18905, bucket: 'bench', s3Endpoint: 'http://127.0.0.1:9' });
  // The stand-in takes any credentials; the sender paces at MAIL_SEND_RATE (1,000/s here unless set).
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', MAIL_SEND_RATE: process.env.MAIL_SEND_RATE ?? '1000', DATABASE_URL: largest.appUrl, JWT_SECRET: process.env.JWT_SECRET ?? LOCAL_JWT_SECRET, SES_ENDPOINT: ses.sesEndpoint, LOG_LEVEL: 'silent', DB_POOL_MAX: '1', PUBLIC_BASE_URL: 'http://localhost:8000' });
  // Modules that read the settings load after them.
  const { signToken } = await import('../../lib/auth/tokens');
  const { drainOutbox } = await import('../../lib/mail/outbox');
  const { call } = await import('../helpers/http');
  const segments = (await import('../../functions/v1/segments')).handler;
  const campaigns = (await import('../../functions/v1/campaigns')).handler;
  const token = (await signToken('access', { id: ctx.userId, reflexoId: ctx.tenantId, isSuperuser: false })).token;

  const owner = new pg.Client({ connectionString: largest.ownerUrl });
  await owner.connect();
  const lines: string[] = [];
  try {
    const ids = (await owner.query<{ id: number; email: string }>(`SELECT id, email FROM patients WHERE reflexo_id = $1 AND deleted_at IS NULL AND email IS NOT NULL ORDER BY id LIMIT $2`, [ctx.tenantId, RECIPIENTS])).rows;
    if (ids.length < RECIPIENTS) throw new Error(`the largest clinic has only ${ids.length} patients with e-mail`);
    const suppressed = ids[17].email;
    await owner.query(`INSERT INTO mail_suppressions (reflexo_id, email) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [ctx.tenantId, suppressed]);
    const seg = await call(segments, { method: 'POST', path: '/api/v1/segments', token, json: { nombre: `Bench ${new Date().toISOString()}`, tipo: 'manual' } });
    for (let i = 0; i < ids.length; i += 1000) {
      const r = await call(segments, { method: 'POST', path: `/api/v1/segments/${seg.body.id}/patients`, token, json: { agregar: ids.slice(i, i + 1000).map((x) => x.id) } });
      if (r.status >= 300) throw new Error(`adding members: ${r.status} ${r.raw.toString().slice(0, 200)}`);
    }
    const c = await call(campaigns, { method: 'POST', path: '/api/v1/campaigns', token, json: { nombre: 'Campaña de prueba', asunto: 'Hola {{nombres}}', contenido: '<p>Hola {{nombres}}, le saluda {{clinica}}.</p><p><a href="{{enlace_baja}}">Darse de baja</a></p>', segmento_id: seg.body.id } });
    const since = Math.floor(Date.now() / 1000) - 1;

    const started = performance.now();
    const send = await call(campaigns, { method: 'POST', path: `/api/v1/campaigns/${c.body.id}/send`, token });
    const sendMs = performance.now() - started;
    lines.push(`- \`POST /api/v1/campaigns/{id}/send\`, ${RECIPIENTS.toLocaleString('en')} recipients (scale ${ctx.scale}, largest clinic): **${send.status}** in **${sendMs.toFixed(0)} ms** (target < 1,000 ms) ${sendMs < 1000 && send.status === 202 ? '✔' : '✖'}; ${JSON.stringify(send.body)}`);

    const drainStarted = performance.now();
    let sent = 0;
    for (;;) {
      const r = await drainOutbox({ ratePerSecond: Number(process.env.MAIL_SEND_RATE), batch: 500, budgetMs: 60_000 });
      sent += r.sent;
      const left = Number((await owner.query(`SELECT count(*) AS n FROM mail_outbox WHERE idempotency_key LIKE $1 AND status <> 'enviado'`, [`campaign:${c.body.id}:%`])).rows[0].n);
      if (left === 0 || (r.claimed === 0 && performance.now() - drainStarted > 120_000)) break;
      if (r.claimed === 0) await new Promise((res) => setTimeout(res, 250));
    }
    const drainS = (performance.now() - drainStarted) / 1000;
    const store = async () => ((await (await fetch(`${ses.sesEndpoint}/store?since=${since}`)).json()) as { emails: { destination: { to: string[] } }[] }).emails;
    const delivered = await store();
    const addresses = new Set(delivered.map((m) => m.destination.to[0]));
    lines.push(`- outbox sender → SES stand-in: ${sent.toLocaleString('en')} sent in ${drainS.toFixed(1)} s (MAIL_SEND_RATE ${process.env.MAIL_SEND_RATE}/s); ${delivered.length.toLocaleString('en')} delivered to ${addresses.size.toLocaleString('en')} distinct addresses; the suppressed address received ${delivered.filter((m) => m.destination.to[0] === suppressed).length}`);

    const again = await call(campaigns, { method: 'POST', path: `/api/v1/campaigns/${c.body.id}/send`, token });
    await drainOutbox({ ratePerSecond: 100_000, batch: 500, budgetMs: 10_000 });
    const after = await store();
    lines.push(`- a second \`send\`: ${again.status} ${JSON.stringify(again.body)}; delivered afterwards: ${after.length.toLocaleString('en')} (unchanged: ${after.length === delivered.length ? 'yes ✔' : 'no ✖'})`);
  } finally {
    await owner.end();
    await ses.stop();
    await server.stop();
  }
  const body = [`## Campaign to 5,000 patients on the bench data (\`npx tsx tests/bench/campaign.ts\`, ${new Date().toISOString()})`, '', ...lines].join('\n');
  console.log(body);
  writeSection(join(__dirname, 'RESULTS.md'), 'campaign', body);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
