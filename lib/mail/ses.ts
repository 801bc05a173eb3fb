import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { awsClientDefaults, config } from '../config';
import { ServiceUnavailable } from '../errors';

/* E-mail through SES v2 (locally aws-ses-v2-local). The SDK loads on first use. */
let client: Promise<{ ses: SESv2Client; sdk: typeof import('@aws-sdk/client-sesv2') }> | undefined;
function ses() {
  client ??= import('@aws-sdk/client-sesv2').then((sdk) => ({
    sdk,
    ses: new sdk.SESv2Client({ ...awsClientDefaults(), ...(config.sesEndpoint ? { endpoint: config.sesEndpoint } : {}) }),
  }));
  return client;
}

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Extra headers (List-Unsubscribe, the outbox's idempotency key). */
  headers?: { name: string; value: string }[];
}

/** Sends one message through SES now; returns SES's message id. Requests enqueue (lib/mail/outbox.ts), the sender calls this. */
export async function sendMail(mail: Mail): Promise<string> {
  const { ses: c, sdk } = await ses();
  try {
    const out = await c.send(
      new sdk.SendEmailCommand({
        FromEmailAddress: config.mailFrom,
        Destination: { ToAddresses: [mail.to] },
        Content: {
          Simple: {
            Subject: { Data: mail.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: mail.text, Charset: 'UTF-8' }, Html: { Data: mail.html, Charset: 'UTF-8' } },
            ...(mail.headers?.length ? { Headers: mail.headers.map((h) => ({ Name: h.name, Value: h.value })) } : {}),
          },
        },
      }),
    );
    return out.MessageId ?? '';
  } catch {
    throw new ServiceUnavailable('No se pudo enviar el correo. Intente nuevamente en unos minutos.');
  }
}
