import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Actor } from '../auth/actor';
import { config } from '../config';
import type { CampaignStatus } from '../db/tables/crm';
import { withGlobalScope, type Db } from '../db/tenant';
import { Conflict, NotFound, ValidationError, type FieldIssue } from '../errors';
import {
  deleteCampaignRow,
  dueCampaigns,
  finishSentCampaigns,
  freezeAndQueue,
  frozenTotals,
  insertCampaign,
  recipientTotals,
  releaseSavepoint,
  rollbackToSavepoint,
  savepoint,
  segmentOfClinic,
  selectCampaign,
  selectCampaignPage,
  selectRecipients,
  suppress,
  unsubscribeTarget,
  updateCampaignRow,
  type CampaignRow,
  type RecipientRow,
} from '../queries/campaigns';
import { recordAudit } from './audit';
import { clinicOf } from './segments';

/*
 * E-mail campaigns to a segment. The content is HTML with placeholders, sanitized on the way in by an
 * allow-list (README "v1 CRM"), with a text part generated from it. Sending freezes the recipients
 * and queues their mail in one statement (lib/queries/campaigns.ts); the outbox sender delivers it.
 * Every message carries a signed one-click unsubscribe link that puts the address on the clinic's
 * suppression list; suppressed addresses are frozen as `suprimido` and get nothing.
 */
export type { CampaignStatus };
export type CampaignRecord = CampaignRow;
export type RecipientRecord = RecipientRow;

// ---- HTML: an allow-list sanitizer ---------------------------------------------------------------------

const ALLOWED_TAGS = new Set([
  'a', 'abbr', 'b', 'blockquote', 'br', 'caption', 'center', 'code', 'col', 'colgroup', 'div', 'em', 'font', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'hr', 'i', 'img', 'li', 'ol', 'p', 'pre', 's', 'small', 'span', 'strong', 'sub', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'u', 'ul',
]);
/** Removed together with everything inside them. */
const DROPPED_WITH_CONTENT = new Set(['script', 'style', 'iframe', 'object', 'embed', 'applet', 'noscript', 'noembed', 'noframes', 'template', 'svg', 'math', 'title', 'head', 'textarea', 'select', 'frameset', 'frame', 'xml']);
const VOID_TAGS = new Set(['br', 'hr', 'img', 'col']);
const GLOBAL_ATTRS = new Set(['style', 'title', 'align', 'valign', 'dir', 'lang', 'class', 'width', 'height', 'bgcolor', 'border']);
const TAG_ATTRS: Record<string, Set<string>> = {
  a: new Set(['href', 'target', 'name']),
  img: new Set(['src', 'alt']),
  td: new Set(['colspan', 'rowspan', 'nowrap']),
  th: new Set(['colspan', 'rowspan', 'nowrap', 'scope']),
  table: new Set(['cellpadding', 'cellspacing', 'summary']),
  col: new Set(['span']),
  colgroup: new Set(['span']),
  font: new Set(['color', 'face', 'size']),
  ol: new Set(['start', 'type']),
  ul: new Set(['type']),
};
const URL_SCHEMES: Record<string, Set<string>> = { href: new Set(['http', 'https', 'mailto', 'tel']), src: new Set(['http', 'https']) };

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', colon: ':', tab: '\t', newline: '\n', sol: '/', lpar: '(', rpar: ')',
  aacute: 'á', eacute: 'é', iacute: 'í', oacute: 'ó', uacute: 'ú', ntilde: 'ñ', uuml: 'ü', Aacute: 'Á', Eacute: 'É', Iacute: 'Í', Oacute: 'Ó', Uacute: 'Ú', Ntilde: 'Ñ', Uuml: 'Ü',
  iexcl: '¡', iquest: '¿', copy: '©', reg: '®', laquo: '«', raquo: '»', ordm: 'º', ordf: 'ª', euro: '€', mdash: '—', ndash: '–', hellip: '…', middot: '·', bull: '•', deg: '°',
};

export function decodeEntities(s: string): string {
  return s.replace(/&(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z]{2,10});?/g, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : '\ufffd';
    }
    return NAMED[e] ?? m;
  });
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** Text between tags: `<` and `>` escaped, `&` kept only where it starts a character reference. */
const escapeText = (s: string) => s.replace(/&(?!(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z][a-zA-Z0-9]{1,31});)/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A URL attribute's value when it is safe: an allowed scheme, a relative or fragment link, or the unsubscribe placeholder. */
function safeUrl(attr: 'href' | 'src', value: string): string | null {
  const v = value.trim();
  // Browsers ignore control characters and whitespace inside a scheme ("java\tscript:").
  const probe = v.replace(/[\u0000-\u0020\u007f-\u009f]/g, '').toLowerCase();
  if (probe.startsWith('{{')) return attr === 'href' && probe.startsWith('{{enlace_baja}}') ? v : null;
  const scheme = /^([a-z][a-z0-9+.-]*):/.exec(probe);
  if (scheme) return URL_SCHEMES[attr].has(scheme[1]) ? v : null;
  // No scheme: a relative link, unless a colon before any / ? # makes it look like one to some client.
  if (/^[^/?#]*:/.test(probe)) return null;
  return attr === 'src' ? null : v;
}

function safeStyle(value: string): string | null {
  if (/[\\<>]|expression|javascript|vbscript|url\s*\(|@import|behavior|-moz-binding|\/\*/i.test(value)) return null;
  return value.trim();
}

const ATTR_RE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

function attributes(tag: string, raw: string): string {
  const out: string[] = [];
  const seen = new Set<string>();
  let blank = false;
  for (const m of raw.matchAll(ATTR_RE)) {
    const name = m[1].toLowerCase();
    if (seen.has(name) || name.startsWith('on')) continue;
    if (!GLOBAL_ATTRS.has(name) && !TAG_ATTRS[tag]?.has(name)) continue;
    seen.add(name);
    let value: string | null = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
    if (name === 'href' || name === 'src') value = safeUrl(name, value);
    else if (name === 'style') value = safeStyle(value);
    else if (name === 'target') {
      value = value.trim().toLowerCase() === '_blank' ? '_blank' : null;
      blank = value !== null;
    }
    if (value === null) continue;
    out.push(` ${name}="${escapeAttr(value)}"`);
  }
  if (blank) out.push(' rel="noopener noreferrer"');
  return out.join('');
}

const TAG_RE = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/y;

/**
 * HTML reduced to an allow-list: known formatting tags only, no scripts, styles sheets, frames,
 * forms or event handlers, URLs only http(s)/mailto/tel (images http(s)), inline styles without
 * url()/expression(), comments removed, tags balanced so nothing swallows the footer.
 */
export function sanitizeHtml(html: string): string {
  const out: string[] = [];
  const open: string[] = [];
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      out.push(escapeText(html.slice(i)));
      break;
    }
    out.push(escapeText(html.slice(i, lt)));
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    if (html[lt + 1] === '!' || html[lt + 1] === '?') {
      const end = html.indexOf('>', lt);
      i = end < 0 ? html.length : end + 1;
      continue;
    }
    TAG_RE.lastIndex = lt;
    const m = TAG_RE.exec(html);
    if (!m) {
      out.push('&lt;');
      i = lt + 1;
      continue;
    }
    i = lt + m[0].length;
    const closing = m[1] === '/';
    const tag = m[2].toLowerCase();
    if (DROPPED_WITH_CONTENT.has(tag)) {
      if (!closing && !/\/\s*$/.test(m[3])) {
        const end = html.toLowerCase().indexOf(`</${tag}`, i);
        if (end < 0) i = html.length;
        else {
          const gt = html.indexOf('>', end);
          i = gt < 0 ? html.length : gt + 1;
        }
      }
      continue;
    }
    if (!ALLOWED_TAGS.has(tag)) continue; // html, body, form, input…: the tag goes, its text stays
    if (closing) {
      const at = open.lastIndexOf(tag);
      if (at < 0) continue;
      while (open.length > at) out.push(`</${open.pop()}>`);
      continue;
    }
    out.push(`<${tag}${attributes(tag, m[3])}>`);
    if (!VOID_TAGS.has(tag)) open.push(tag);
  }
  while (open.length) out.push(`</${open.pop()}>`);
  return out.join('');
}

/** The text part of a sanitized HTML body: paragraphs and line breaks kept, links as "text (url)". */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<a\b[^>]*?\bhref="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi, (_m, href: string, inner: string) => {
      const label = inner.replace(/<[^>]+>/g, '').trim();
      const url = decodeEntities(href);
      return !label ? url : url === decodeEntities(label) || url.startsWith('#') ? label : `${label} (${url})`;
    })
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<hr[^>]*>/gi, '\n----\n')
    .replace(/<li[^>]*>/gi, '\n- ')
    .replace(/<\/(p|div|h[1-6]|tr|table|blockquote|ul|ol|pre|center)>/gi, '\n\n')
    .replace(/<\/t[dh]>/gi, '  ')
    .replace(/<[^>]+>/g, '');
  return decodeEntities(text)
    .replace(/\u00a0/g, ' ')
    .split('\n')
    .map((l) => l.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// ---- placeholders ------------------------------------------------------------------------------------

export const CAMPAIGN_PLACEHOLDERS = ['nombres', 'apellidos', 'nombre_completo', 'email', 'clinica', 'enlace_baja'] as const;

/** `{{ name }}` → `{{name}}`; a name not in `allowed` is a 422 on `field`. */
export function checkPlaceholders(value: string, field: string, allowed: readonly string[]): string {
  const unknown = new Set<string>();
  const normalized = value.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (m, name: string) => {
    if (!allowed.includes(name)) {
      unknown.add(name);
      return m;
    }
    return `{{${name}}}`;
  });
  if (unknown.size) {
    throw ValidationError.field(field, `Marcador desconocido: ${[...unknown].map((n) => `{{${n}}}`).join(', ')}; use ${allowed.map((n) => `{{${n}}}`).join(', ')}`, 'value_error', value);
  }
  return normalized;
}

export interface PreparedContent {
  subject: string;
  html: string;
  text: string;
}

/** Subject and body checked for placeholders, the body sanitized, and its text part generated. */
export function prepareContent(subject: string, html: string, allowed: readonly string[], fields = { subject: 'asunto', html: 'contenido' }): PreparedContent {
  const issues: FieldIssue[] = [];
  const attempt = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch (err) {
      if (err instanceof ValidationError) issues.push(...err.issues);
      else throw err;
      return undefined;
    }
  };
  const s = attempt(() => checkPlaceholders(subject.replace(/[\r\n]+/g, ' ').trim(), fields.subject, allowed.filter((p) => p !== 'enlace_baja')));
  const clean = sanitizeHtml(html);
  const h = attempt(() => checkPlaceholders(clean, fields.html, allowed));
  if (issues.length) throw new ValidationError(issues);
  if (!htmlToText(h!).trim() && !/<img\b/i.test(h!)) throw ValidationError.field(fields.html, 'El contenido queda vacío después de limpiarlo', 'value_error', html);
  return { subject: s!, html: h!, text: htmlToText(h!) };
}

// ---- unsubscribe links -------------------------------------------------------------------------------

/* The link key is derived from the JWT secret, so the secret itself never reaches the database. */
const linkKey = (secret: string) => createHmac('sha256', secret).update('reflexo/unsubscribe/v1').digest();
export const unsubscribeKey = () => linkKey(config.jwtSecret);

const sign = (key: Buffer, payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

/** A token for a campaign recipient ('c') or an automation delivery ('a'), as the SQL computes it. */
export const unsubscribeToken = (kind: 'c' | 'a', id: number) => `${kind}${id}.${sign(unsubscribeKey(), `${kind}${id}`)}`;

export const unsubscribePath = '/api/v1/campaigns/unsubscribe/';

/** The row a token names, when its signature is right (under the current key, or the previous one during a rotation). */
function parseToken(token: string): { kind: 'c' | 'a'; id: number } | null {
  const m = /^([ca])(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return null;
  const given = Buffer.from(m[3]);
  const keys = [config.jwtSecret, config.jwtPreviousSecret].filter((k): k is string => !!k).map(linkKey);
  const ok = keys.some((k) => {
    const expected = Buffer.from(sign(k, `${m[1]}${m[2]}`));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  return ok ? { kind: m[1] as 'c' | 'a', id: Number(m[2]) } : null;
}

export interface UnsubscribeTarget {
  clinic: string;
  /** The address with most of it hidden (the page is public). */
  maskedEmail: string;
}

const mask = (email: string) => email.replace(/^(.)[^@]*(@.).*?(\.[^.]+)$/, '$1•••$2•••$3');

const invalidLink = () => new NotFound('El enlace para darse de baja no es válido.', { code: 'unsubscribe_invalid' });

/** What the link's page shows before the patient confirms (a GET never unsubscribes: link scanners follow them). */
export async function describeUnsubscribe(db: Db, token: string): Promise<UnsubscribeTarget> {
  const parsed = parseToken(token);
  if (!parsed) throw invalidLink();
  // The token, not a session, names the clinic: the lookup precedes knowing the tenant.
  const target = await withGlobalScope(db, () => unsubscribeTarget(db, parsed.kind, parsed.id));
  if (!target?.email) throw invalidLink();
  return { clinic: target.clinic, maskedEmail: mask(target.email) };
}

/** One-click unsubscribe (RFC 8058): the address goes on the clinic's suppression list; repeating it changes nothing. */
export async function unsubscribe(db: Db, token: string): Promise<UnsubscribeTarget & { already: boolean }> {
  const parsed = parseToken(token);
  if (!parsed) throw invalidLink();
  return withGlobalScope(db, async () => {
    const target = await unsubscribeTarget(db, parsed.kind, parsed.id);
    if (!target?.email) throw invalidLink();
    const already = await suppress(db, target.reflexo_id, target.email, target.campaign_id);
    if (!already) await recordAudit(db, { action: 'unsubscribe', entity: 'mail_suppressions', reflexoId: target.reflexo_id, userId: null });
    return { clinic: target.clinic, maskedEmail: mask(target.email), already };
  });
}

// ---- campaigns ---------------------------------------------------------------------------------------

export interface CampaignInput {
  name: string;
  subject: string;
  html: string;
  segmentId?: number | null;
  status?: 'borrador' | 'programada' | 'cancelada';
  scheduledFor?: Date | null;
}

const notFound = () => new NotFound('Campaña no encontrada.');

async function campaignRow(db: Db, reflexoId: number, id: number, lock = false): Promise<CampaignRow> {
  const row = await selectCampaign(db, reflexoId, id, lock);
  if (!row) throw notFound();
  return row;
}

async function checkSegment(db: Db, reflexoId: number, segmentId: number | null | undefined) {
  if (segmentId === undefined || segmentId === null) return;
  if (!(await segmentOfClinic(db, reflexoId, segmentId))) throw ValidationError.field('segmento_id', 'Segmento no encontrado en la clínica', 'value_error', segmentId);
}

/** Status and date together: 'programada' needs a future date; a date alone means 'programada'. */
function schedule(status: CampaignInput['status'] | undefined, scheduledFor: Date | null | undefined, current?: { status: CampaignStatus; scheduled_for: Date | null }) {
  const s: CampaignStatus = status ?? (scheduledFor ? 'programada' : scheduledFor === null ? 'borrador' : (current?.status ?? 'borrador'));
  const at = scheduledFor === undefined ? (current?.scheduled_for ?? null) : scheduledFor;
  if (s === 'programada') {
    if (!at) throw ValidationError.field('programada_para', "Una campaña 'programada' necesita programada_para", 'missing');
    if (at.getTime() <= Date.now()) throw ValidationError.field('programada_para', 'La fecha programada debe estar en el futuro', 'value_error', at.toISOString());
  }
  // A draft has no date; a cancelled campaign keeps the one it had, for the record.
  return { status: s, scheduledFor: s === 'borrador' ? null : at };
}

export async function listCampaigns(db: Db, actor: Actor | null, status: CampaignStatus | undefined, page: number, size: number) {
  return selectCampaignPage(db, clinicOf(actor), status, size, (page - 1) * size);
}

export async function getCampaign(db: Db, actor: Actor | null, id: number): Promise<CampaignRecord> {
  return campaignRow(db, clinicOf(actor), id);
}

export async function createCampaign(db: Db, actor: Actor | null, input: CampaignInput): Promise<CampaignRecord> {
  const reflexoId = clinicOf(actor);
  const content = prepareContent(input.subject, input.html, CAMPAIGN_PLACEHOLDERS);
  await checkSegment(db, reflexoId, input.segmentId);
  const when = schedule(input.status, input.scheduledFor);
  if (when.status === 'programada' && (input.segmentId ?? null) === null) throw needsSegment();
  const id = await insertCampaign(db, {
    reflexo_id: reflexoId,
    name: input.name.trim(),
    subject: content.subject,
    content_html: content.html,
    content_text: content.text,
    segment_id: input.segmentId ?? null,
    status: when.status,
    scheduled_for: when.scheduledFor,
    created_by: actor!.userId,
  });
  await recordAudit(db, { action: 'create', entity: 'campaigns', entityId: id, reflexoId });
  return campaignRow(db, reflexoId, id);
}

const needsSegment = () => ValidationError.field('segmento_id', 'Una campaña programada necesita un segmento', 'missing');

const lockedOnceSent = (c: CampaignRow) => new Conflict(`La campaña ya se ${c.status === 'enviada' ? 'envió' : 'está enviando'}: no se puede modificar.`, { code: 'campaign_sent' });

export async function updateCampaign(db: Db, actor: Actor | null, id: number, input: Partial<CampaignInput>): Promise<CampaignRecord> {
  const reflexoId = clinicOf(actor);
  const current = await campaignRow(db, reflexoId, id, true);
  if (current.stored_status === 'enviando' || current.stored_status === 'enviada') throw lockedOnceSent(current);
  const content = input.subject !== undefined || input.html !== undefined ? prepareContent(input.subject ?? current.subject, input.html ?? current.content_html, CAMPAIGN_PLACEHOLDERS) : undefined;
  await checkSegment(db, reflexoId, input.segmentId);
  const when = input.status !== undefined || input.scheduledFor !== undefined ? schedule(input.status, input.scheduledFor, current) : undefined;
  if ((when?.status ?? current.stored_status) === 'programada' && (input.segmentId === undefined ? current.segment_id : input.segmentId) === null) throw needsSegment();
  await updateCampaignRow(db, reflexoId, id, {
    name: input.name?.trim(),
    subject: content?.subject,
    content_html: content?.html,
    content_text: content?.text,
    segment_id: input.segmentId,
    status: when?.status,
    scheduled_for: when === undefined ? undefined : when.scheduledFor,
  });
  const changed = Object.entries({ name: input.name, subject: input.subject, content: input.html, segment_id: input.segmentId, status: input.status, scheduled_for: input.scheduledFor })
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k);
  await recordAudit(db, { action: 'update', entity: 'campaigns', entityId: id, reflexoId, changedFields: changed });
  return campaignRow(db, reflexoId, id);
}

/** A campaign whose mail is still leaving cannot be deleted (409); any other can, with its results. */
export async function deleteCampaign(db: Db, actor: Actor | null, id: number): Promise<void> {
  const reflexoId = clinicOf(actor);
  const current = await campaignRow(db, reflexoId, id, true);
  if (current.status === 'enviando') throw new Conflict('La campaña se está enviando: espere a que termine para eliminarla.', { code: 'campaign_sending' });
  await deleteCampaignRow(db, reflexoId, id);
  await recordAudit(db, { action: 'delete', entity: 'campaigns', entityId: id, reflexoId });
}

export interface SendReport {
  campaignId: number;
  status: CampaignStatus;
  /** Recipients frozen (patients of the segment with an e-mail), suppressed ones included. */
  recipients: number;
  suppressed: number;
  /** Messages this call queued (0 when the campaign had been sent already). */
  queued: number;
  /** Patients of the segment without an e-mail (not recipients); null when the list was frozen earlier. */
  withoutEmail: number | null;
  alreadySent: boolean;
}

/** Freezes and queues a campaign of `reflexoId` (the request's send, or the scheduler's for a due 'programada'). */
export async function sendCampaignNow(db: Db, reflexoId: number, id: number, baseUrl: string, now?: Date | null): Promise<SendReport> {
  const c = await campaignRow(db, reflexoId, id, true);
  if (c.stored_status === 'enviando' || c.stored_status === 'enviada') {
    const t = await frozenTotals(db, id);
    return { campaignId: id, status: c.status, recipients: t.recipients, suppressed: t.suppressed, queued: 0, withoutEmail: null, alreadySent: true };
  }
  if (c.stored_status === 'cancelada') throw new Conflict('La campaña está cancelada: cámbiela a borrador para enviarla.', { code: 'campaign_cancelled' });
  if (c.segment_id === null) throw new Conflict('La campaña no tiene segmento: indique segmento_id antes de enviarla.', { code: 'campaign_without_segment' });
  const segment = await segmentOfClinic(db, reflexoId, c.segment_id);
  if (!segment) throw new Conflict('El segmento de la campaña ya no existe.', { code: 'campaign_without_segment' });
  const report = await freezeAndQueue(db, {
    reflexoId,
    campaignId: id,
    segment: { id: segment.id, kind: segment.kind, rules: segment.rules },
    unsubscribeBase: `${baseUrl.replace(/\/$/, '')}${unsubscribePath}`,
    key: unsubscribeKey(),
    ratePerSecond: config.mailSendRate,
    now,
  });
  await updateCampaignRow(db, reflexoId, id, { status: 'enviando', sent_at: new Date() });
  await recordAudit(db, { action: 'send', entity: 'campaigns', entityId: id, reflexoId });
  return { campaignId: id, status: 'enviando', recipients: report.recipients, suppressed: report.suppressed, queued: report.queued, withoutEmail: report.without_email, alreadySent: false };
}

export async function sendCampaign(db: Db, actor: Actor | null, id: number, baseUrl: string): Promise<SendReport> {
  return sendCampaignNow(db, clinicOf(actor), id, baseUrl);
}

export async function campaignResults(db: Db, actor: Actor | null, id: number, status: RecipientRow['status'] | undefined, page: number, size: number) {
  const reflexoId = clinicOf(actor);
  const campaign = await campaignRow(db, reflexoId, id);
  const totals = await recipientTotals(db, id);
  const recipients = await selectRecipients(db, id, status, size, (page - 1) * size);
  return { campaign, totals, recipients };
}

/** The scheduler's part for campaigns: send the clinic's due 'programada' ones, record finished ones as 'enviada'. */
export async function runDueCampaigns(db: Db, reflexoId: number, baseUrl: string, now?: Date | null): Promise<SendReport[]> {
  const sent: SendReport[] = [];
  for (const id of await dueCampaigns(db, reflexoId, now)) {
    // One campaign that cannot go (its segment vanished) must not hold back the clinic's others.
    await savepoint(db, 'campaign_send');
    try {
      sent.push(await sendCampaignNow(db, reflexoId, id, baseUrl, now));
      await releaseSavepoint(db, 'campaign_send');
    } catch (err) {
      await rollbackToSavepoint(db, 'campaign_send');
      if (!(err instanceof Conflict)) throw err;
      await updateCampaignRow(db, reflexoId, id, { status: 'borrador', scheduled_for: null });
    }
  }
  await finishSentCampaigns(db, reflexoId);
  return sent;
}
