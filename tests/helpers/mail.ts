import { drainOutbox } from '../../lib/mail/outbox';
/* Reads mail captured by the SES stand-in (aws-ses-v2-local's GET /store). */
export interface CapturedMail {
  headers?: { name: string; value: string }[];
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

/*
 * Mail leaves through the outbox: what a request queued reaches the SES stand-in when the sender
 * drains it, as the scheduled sender would a moment later in a deployed stage.
 */
export async function mailsTo(address: string): Promise<CapturedMail[]> {
  await drainOutbox({ ratePerSecond: 1000 });
  const res = await fetch(`${process.env.SES_ENDPOINT}/store`);
  const { emails } = (await res.json()) as { emails: CapturedMail[] };
  return emails.filter((e) => e.destination.to.includes(address));
}

export async function lastMailTo(address: string): Promise<CapturedMail | undefined> {
  const all = await mailsTo(address);
  return all[all.length - 1];
}
