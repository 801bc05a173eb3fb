import type { Actor } from '../auth/actor';
import { config } from '../config';
import type { AutomationTrigger } from '../db/tables/crm';
import { withSystem, withTenant, type Db } from '../db/tenant';
import { NotFound, ValidationError, type FieldIssue } from '../errors';
import {
  activeAutomations,
  clinicsWithWork,
  deleteAutomationRow,
  finishRun,
  insertAutomation,
  insertRun,
  runAutomationSql,
  selectAutomation,
  selectAutomationPage,
  selectRun,
  selectRunPage,
  updateAutomationRow,
  type AutomationRow,
  type RunRow,
} from '../queries/automations';
import { releaseSavepoint, rollbackToSavepoint, savepoint } from '../queries/campaigns';
import { recordAudit } from './audit';
import { runDueCampaigns, unsubscribeKey, unsubscribePath, prepareContent } from './campaigns';
import { clinicOf } from './segments';

/*
 * Automations: a trigger with parameters and an e-mail template. The scheduler (functions/jobs/
 * automations.ts, every 15 minutes) runs every active automation of every clinic, each clinic in its
 * own tenant transaction; `execute` runs one now, in the request's transaction. Every (automation,
 * patient, occurrence) is delivered at most once, by a unique key (migration 0024), so a rerun or an
 * overlapping run queues nothing twice. The clock is a parameter: tests run "at" any instant.
 */
export type { AutomationTrigger };
export type AutomationRecord = AutomationRow;
export type RunRecord = RunRow;

interface ParamSpec {
  min: number;
  max: number;
  default: number;
}

const BASE_PLACEHOLDERS = ['nombres', 'apellidos', 'nombre_completo', 'email', 'clinica'];
const APPOINTMENT_PLACEHOLDERS = ['fecha_cita', 'hora_cita', 'doctor'];

/** Each trigger: its parameters (integers, with range and default), its placeholders, and whether it is marketing mail (suppression list, unsubscribe link). */
export const TRIGGERS: Record<AutomationTrigger, { params: Record<string, ParamSpec>; placeholders: string[]; marketing: boolean }> = {
  recordatorio_cita: { params: { horas_antes: { min: 1, max: 168, default: 24 } }, placeholders: [...BASE_PLACEHOLDERS, ...APPOINTMENT_PLACEHOLDERS], marketing: false },
  cumpleanos: { params: {}, placeholders: [...BASE_PLACEHOLDERS, 'edad', 'enlace_baja'], marketing: true },
  seguimiento_post_cita: { params: { dias_despues: { min: 1, max: 365, default: 1 } }, placeholders: [...BASE_PLACEHOLDERS, ...APPOINTMENT_PLACEHOLDERS, 'enlace_baja'], marketing: true },
  inasistencia: { params: { horas_despues: { min: 0, max: 720, default: 2 } }, placeholders: [...BASE_PLACEHOLDERS, ...APPOINTMENT_PLACEHOLDERS, 'enlace_baja'], marketing: true },
};

/** The trigger's parameters with defaults filled in; an unknown key or a value out of range is a 422 on `parametros.<key>`. */
function checkedParams(trigger: AutomationTrigger, raw: Record<string, unknown> | undefined): Record<string, number> {
  const spec = TRIGGERS[trigger].params;
  const issues: FieldIssue[] = [];
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    if (!(k in spec)) {
      issues.push({ loc: ['body', 'parametros', k], msg: Object.keys(spec).length ? `Parámetro desconocido para ${trigger}; use: ${Object.keys(spec).join(', ')}` : `${trigger} no tiene parámetros`, type: 'extra_forbidden', input: v });
    }
  }
  for (const [k, s] of Object.entries(spec)) {
    const v = raw?.[k];
    if (v === undefined || v === null) out[k] = s.default;
    else if (typeof v === 'number' && Number.isInteger(v) && v >= s.min && v <= s.max) out[k] = v;
    else issues.push({ loc: ['body', 'parametros', k], msg: `Debe ser un entero entre ${s.min} y ${s.max}`, type: 'value_error', input: v });
  }
  if (issues.length) throw new ValidationError(issues);
  return out;
}

export interface AutomationInput {
  name: string;
  trigger: AutomationTrigger;
  params?: Record<string, unknown>;
  subject: string;
  html: string;
  active?: boolean;
}

const notFound = () => new NotFound('Automatización no encontrada.');

async function automationRow(db: Db, reflexoId: number, id: number, lock = false): Promise<AutomationRow> {
  const row = await selectAutomation(db, reflexoId, id, lock);
  if (!row) throw notFound();
  return row;
}

export async function listAutomations(db: Db, actor: Actor | null, filter: { trigger?: AutomationTrigger; active?: boolean }, page: number, size: number) {
  return selectAutomationPage(db, clinicOf(actor), filter, size, (page - 1) * size);
}

export async function getAutomation(db: Db, actor: Actor | null, id: number): Promise<AutomationRecord> {
  return automationRow(db, clinicOf(actor), id);
}

export async function createAutomation(db: Db, actor: Actor | null, input: AutomationInput): Promise<AutomationRecord> {
  const reflexoId = clinicOf(actor);
  const params = checkedParams(input.trigger, input.params);
  const content = prepareContent(input.subject, input.html, TRIGGERS[input.trigger].placeholders);
  const id = await insertAutomation(db, {
    reflexo_id: reflexoId,
    name: input.name.trim(),
    trigger: input.trigger,
    params,
    subject: content.subject,
    content_html: content.html,
    content_text: content.text,
    is_active: input.active ?? true,
    created_by: actor!.userId,
  });
  await recordAudit(db, { action: 'create', entity: 'automations', entityId: id, reflexoId });
  return automationRow(db, reflexoId, id);
}

export async function updateAutomation(db: Db, actor: Actor | null, id: number, input: Partial<AutomationInput>): Promise<AutomationRecord> {
  const reflexoId = clinicOf(actor);
  const current = await automationRow(db, reflexoId, id, true);
  const trigger = input.trigger ?? current.trigger;
  // Another trigger takes other parameters: what was stored for the old one does not carry over.
  const params = input.params !== undefined || input.trigger !== undefined ? checkedParams(trigger, input.params ?? (input.trigger && input.trigger !== current.trigger ? {} : current.params)) : undefined;
  // Placeholders are checked against the (possibly new) trigger, also when only the trigger changes.
  const content = input.subject !== undefined || input.html !== undefined || input.trigger !== undefined ? prepareContent(input.subject ?? current.subject, input.html ?? current.content_html, TRIGGERS[trigger].placeholders) : undefined;
  await updateAutomationRow(db, reflexoId, id, {
    name: input.name?.trim(),
    trigger: input.trigger,
    params,
    subject: content?.subject,
    content_html: content?.html,
    content_text: content?.text,
    is_active: input.active,
  });
  const changed = Object.entries({ name: input.name, trigger: input.trigger, params: input.params, subject: input.subject, content: input.html, is_active: input.active })
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k);
  await recordAudit(db, { action: 'update', entity: 'automations', entityId: id, reflexoId, changedFields: changed });
  return automationRow(db, reflexoId, id);
}

export async function deleteAutomation(db: Db, actor: Actor | null, id: number): Promise<void> {
  const reflexoId = clinicOf(actor);
  await automationRow(db, reflexoId, id, true);
  await deleteAutomationRow(db, reflexoId, id);
  await recordAudit(db, { action: 'delete', entity: 'automations', entityId: id, reflexoId });
}

export async function listRuns(db: Db, actor: Actor | null, id: number, page: number, size: number) {
  const reflexoId = clinicOf(actor);
  await automationRow(db, reflexoId, id);
  return selectRunPage(db, reflexoId, id, size, (page - 1) * size);
}

export interface RunOptions {
  origin: 'programada' | 'manual';
  /** The instant the run judges by (default: the database's now()). */
  now?: Date | null;
  /** Base of the unsubscribe links (the request's host, or PUBLIC_BASE_URL for the scheduler). */
  baseUrl: string;
}

/**
 * Runs one automation inside the caller's transaction, under a savepoint: if its statement fails,
 * its work is undone alone and the run is logged with the error (the clinic's other work goes on).
 */
export async function runAutomation(db: Db, reflexoId: number, automation: Pick<AutomationRow, 'id' | 'trigger' | 'params'>, opts: RunOptions): Promise<RunRecord> {
  const run = await insertRun(db, { reflexo_id: reflexoId, automation_id: automation.id, origin: opts.origin, now: opts.now });
  await savepoint(db, 'automation_run');
  try {
    const counts = await runAutomationSql(db, {
      reflexoId,
      automation,
      runId: run.id,
      now: opts.now,
      marketing: TRIGGERS[automation.trigger].marketing,
      unsubscribeBase: `${opts.baseUrl.replace(/\/$/, '')}${unsubscribePath}`,
      key: unsubscribeKey(),
      ratePerSecond: config.mailSendRate,
    });
    await releaseSavepoint(db, 'automation_run');
    await finishRun(db, run.id, { matched: counts.matched, queued: counts.queued, skipped: counts.skipped, repeated: counts.matched - counts.queued - counts.skipped, errors: 0, error_detail: null });
  } catch (err) {
    await rollbackToSavepoint(db, 'automation_run');
    await finishRun(db, run.id, { matched: 0, queued: 0, skipped: 0, repeated: 0, errors: 1, error_detail: ((err as Error).message ?? 'error').slice(0, 500) });
  }
  return selectRun(db, run.id);
}

/** `POST /automations/{id}/execute`: the automation's current matches, now (also when it is inactive: a clinic tries one out before enabling it). */
export async function executeAutomation(db: Db, actor: Actor | null, id: number, baseUrl: string): Promise<RunRecord> {
  const reflexoId = clinicOf(actor);
  const automation = await automationRow(db, reflexoId, id, true);
  const run = await runAutomation(db, reflexoId, automation, { origin: 'manual', baseUrl });
  await recordAudit(db, { action: 'execute', entity: 'automations', entityId: id, reflexoId });
  return run;
}

export interface SchedulerReport {
  clinics: number;
  runs: number;
  queued: number;
  skipped: number;
  errors: number;
  campaignsSent: number;
  /** Clinics left for the next run because the time budget ran out. */
  deferred: number;
}

export interface SchedulerOptions {
  /** The instant every run judges by (default: the database's now() at each clinic). */
  now?: Date | null;
  /** Only these clinics (a manual invocation, a test); default: every active clinic with work. */
  clinics?: number[];
  /** Stop starting clinics after this many milliseconds. */
  budgetMs?: number;
  baseUrl?: string;
}

/**
 * The scheduled run: every active clinic with work, each in its own tenant transaction (that
 * clinic's scope, so row-level security walls it in), its active automations and its due campaigns.
 * A clinic that fails is logged and retried on the next run; the others go on.
 */
export async function runScheduledAutomations(opts: SchedulerOptions = {}, onClinicError?: (reflexoId: number, err: unknown) => void): Promise<SchedulerReport> {
  const deadline = Date.now() + (opts.budgetMs ?? 600_000);
  const baseUrl = opts.baseUrl ?? config.publicBaseUrl ?? 'http://localhost:8000';
  const clinics = await withSystem((db) => clinicsWithWork(db, opts.clinics));
  const report: SchedulerReport = { clinics: 0, runs: 0, queued: 0, skipped: 0, errors: 0, campaignsSent: 0, deferred: 0 };
  for (const [i, reflexoId] of clinics.entries()) {
    if (Date.now() > deadline) {
      report.deferred = clinics.length - i;
      break;
    }
    try {
      await withTenant({ reflexoId, global: false, userId: null }, async (db) => {
        for (const a of await activeAutomations(db, reflexoId)) {
          const run = await runAutomation(db, reflexoId, a, { origin: 'programada', now: opts.now, baseUrl });
          report.runs++;
          report.queued += run.queued;
          report.skipped += run.skipped;
          report.errors += run.errors;
        }
        report.campaignsSent += (await runDueCampaigns(db, reflexoId, baseUrl, opts.now)).length;
      });
      report.clinics++;
    } catch (err) {
      report.errors++;
      onClinicError?.(reflexoId, err);
    }
  }
  return report;
}
