/* Reads mail captured by the SES stand-in (aws-ses-v2-local's GET /store). */
export interface CapturedMail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

export async function mailsTo(address: string): Promise<CapturedMail[]> {
  const res = await fetch(`${process.env.SES_ENDPOINT}/store`);
  const { emails } = (await res.json()) as { emails: CapturedMail[] };
  return emails.filter((e) => e.destination.to.includes(address));
}

export async function lastMailTo(address: string): Promise<CapturedMail | undefined> {
  const all = await mailsTo(address);
  return all[all.length - 1];
}
