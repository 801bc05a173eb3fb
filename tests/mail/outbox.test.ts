import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { sql } from 'kysely';
import { ANONYMOUS, withTenant } from '../../lib/db/tenant';
import { drainOutbox, enqueueMail, OUTBOX_MAX_ATTEMPTS, type OutgoingMail } from '../../lib/mail/outbox';
import { createTenant, ownerKysely, uniq } from '../helpers/fixtures';
import { ROOT } from '../helpers/functions';
import type { CapturedMail } from '../helpers/mail';

/*
 * The transactional outbox: nothing leaves unless the transaction that queued it commits; the sender
 * delivers each message once, also when it is killed mid-batch and restarted or when two run at once;
 * SES down → retries with backoff, then `fallido`, nothing lost.
 */
let tenantId: number;
beforeAll(async () => {
  tenantId = (await createTenant()).id;
});

const message = (tag: string, i: number): OutgoingMail => ({
  key: `${tag}:${i}`,
  purpose: 'test',
  reflexoId: tenantId,
  to: `${tag}-${i}@example.com`,
  subject: `Mensaje ${i}`,
  text: `texto ${i}`,
  html: `<p>html ${i}</p>`,
});

const queue = (mails: OutgoingMail[]) =>
  withTenant({ reflexoId: tenantId, global: false, userId: null }, async (db) => {
    for (const m of mails) await enqueueMail(db, m);
  });

async function delivered(tag: string): Promise<CapturedMail[]> {
  const { emails } = (await (await fetch(`${process.env.SES_ENDPOINT}/store`)).json()) as { emails: CapturedMail[] };
  return emails.filter((e) => e.destination.to.some((t) => t.startsWith(`${tag}-`)));
}
const rows = (tag: string) => ownerKysely().selectFrom('mail_outbox').select(['id', 'status', 'attempts', 'idempotency_key', 'last_error']).where('idempotency_key', 'like', `${tag}:%`).orderBy('id').execute();

it('a request that rolls back queues nothing and sends nothing', async () => {
  const tag = uniq('rollback');
  await expect(
    withTenant({ reflexoId: tenantId, global: false, userId: null }, async (db) => {
      await enqueueMail(db, message(tag, 1));
      throw new Error('the request fails after queueing');
    }),
  ).rejects.toThrow('fails');
  await drainOutbox({ ratePerSecond: 1000 });
  expect(await rows(tag)).toEqual([]);
  expect(await delivered(tag)).toEqual([]);
});

it('the same key queued twice is one message; the sender marks it sent with SES’s id and the key in a header', async () => {
  const tag = uniq('dedupe');
  await queue([message(tag, 1), message(tag, 1)]);
  const report = await drainOutbox({ ratePerSecond: 1000 });
  expect(report.sent).toBeGreaterThanOrEqual(1);
  const [row] = await rows(tag);
  expect(row.status).toBe('enviado');
  const mails = await delivered(tag);
  expect(mails).toHaveLength(1);
  expect(mails[0].headers).toContainEqual({ name: 'X-Reflexo-Idempotency-Key', value: `${tag}:1` });
  const stored = await ownerKysely().selectFrom('mail_outbox').select(['provider_message_id', 'sent_at']).where('id', '=', row.id).executeTakeFirstOrThrow();
  expect(stored.provider_message_id).toBe(mails[0].messageId);
  expect(stored.sent_at).not.toBeNull();
});

it('a sender killed mid-batch and restarted sends every message exactly once; two senders at once never share a row', async () => {
  const tag = uniq('crash');
  await queue(Array.from({ length: 12 }, (_, i) => message(tag, i)));
  // A separate process drains and SIGKILLs itself right after its 4th message is recorded.
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['-e', `
      const { drainOutbox } = require('./lib/mail/outbox');
      let n = 0;
      drainOutbox({ ratePerSecond: 1000, batch: 5, afterEach: () => { if (++n === 4) process.kill(process.pid, 'SIGKILL'); } });
    `], { cwd: ROOT, env: { ...process.env, DB_POOL_MAX: '1' }, stdio: 'ignore' });
    child.on('exit', (c, signal) => resolve(signal === 'SIGKILL' ? 137 : c));
  });
  expect(code).toBe(137);
  const afterCrash = await rows(tag);
  expect(afterCrash.filter((r) => r.status === 'enviado')).toHaveLength(4);
  // The 5th row of the killed batch is still leased: it is picked up once the lease ends.
  await ownerKysely().updateTable('mail_outbox').set({ lease_until: new Date(Date.now() - 1000) }).where('idempotency_key', 'like', `${tag}:%`).where('status', '=', 'enviando').execute();
  // Two senders at once (the scheduled run and a manual one).
  await Promise.all([drainOutbox({ ratePerSecond: 1000, batch: 3 }), drainOutbox({ ratePerSecond: 1000, batch: 3 })]);
  expect((await rows(tag)).every((r) => r.status === 'enviado')).toBe(true);
  const mails = await delivered(tag);
  expect(mails).toHaveLength(12);
  expect(new Set(mails.map((m) => m.destination.to[0])).size).toBe(12);
}, 60_000);

it('SES down: each attempt backs off and is retried; after the last one the message is `fallido`, and nothing is lost', async () => {
  const tag = uniq('down');
  await queue([message(tag, 1)]);
  const failing = async () => {
    throw new Error('SES unreachable');
  };
  for (let attempt = 1; attempt <= OUTBOX_MAX_ATTEMPTS; attempt++) {
    const report = await drainOutbox({ ratePerSecond: 1000, send: failing });
    expect(report.retried + report.failed).toBeGreaterThanOrEqual(1);
    const [row] = await rows(tag);
    expect(row.attempts).toBe(attempt);
    expect(row.status).toBe(attempt < OUTBOX_MAX_ATTEMPTS ? 'pendiente' : 'fallido');
    expect(row.last_error).toBe('SES unreachable');
    // Not due again until its backoff passes: a drain right now leaves it alone.
    if (attempt < OUTBOX_MAX_ATTEMPTS) {
      const due = await ownerKysely().selectFrom('mail_outbox').select(sql<boolean>`next_attempt_at > now() + interval '20 seconds'`.as('later')).where('idempotency_key', '=', `${tag}:1`).executeTakeFirstOrThrow();
      expect(due.later).toBe(true);
      await ownerKysely().updateTable('mail_outbox').set({ next_attempt_at: new Date(Date.now() - 1000) }).where('idempotency_key', '=', `${tag}:1`).execute();
    }
  }
  expect(await delivered(tag)).toEqual([]);
  // Still there, for an operator to see and re-queue.
  expect(await rows(tag)).toHaveLength(1);
});

it('mail for a user without a clinic is queued in the global scope (no clinic owns the row)', async () => {
  const tag = uniq('noclinic');
  await withTenant(ANONYMOUS, (db) => enqueueMail(db, { ...message(tag, 1), reflexoId: null }));
  await drainOutbox({ ratePerSecond: 1000 });
  expect(await delivered(tag)).toHaveLength(1);
});
