import { randomBytes } from 'node:crypto';
import { hashPassword } from '../auth/passwords';
import type { Actor } from '../auth/actor';
import { config } from '../config';
import { withGlobalScope, type Db } from '../db/tenant';
import { Conflict, Forbidden, NotFound, ValidationError, type FieldIssue } from '../errors';
import { isTimeZone } from '../time';
import { insertCompany } from '../queries/company';
import type { Page } from '../queries/paginate';
import {
  insertTenant,
  insertTenantCounters,
  isKnownTimeZone,
  selectRoleIdByCode,
  selectTenant,
  selectTenantPage,
  TENANT_NAME_CONSTRAINT,
  updateTenant,
  type TenantFilter,
  type TenantRow,
} from '../queries/tenants';
import { recordAudit } from './audit';
import { pgCode, pgConstraint, sentFields, underSavepoint } from './clinical-rules';
import { codeReceipt, issueCode, mailCode, type CodeReceipt } from './identity-security';
import { insertUserOrFieldError } from './identity-users';

/*
 * Onboarding clinics (beyond both contracts: before this, a second clinic needed SQL). A platform
 * operator creates a clinic with everything its first request needs, in one transaction: the tenant,
 * its company row (the name reports print), its ticket/history counters and live counts, and
 * optionally its first administrator, who gets the Admin role and a one-time code by mail to choose a
 * password. The code is a password-reset code: the reset confirm route sets the password, and when it
 * expires the administrator simply asks for a new one with "forgot password"; no route of its own.
 *
 * Deactivating a clinic keeps every row: its users are refused on every request (the caller probe,
 * the HTTP layer's app.ts) until it is reactivated.
 *
 * Callers: a superuser through the HTTP API, or OPERATOR, the tenant CLI (lib/ops/tenant-cli.ts),
 * which runs these same functions in a global-scope transaction of its own.
 */

/** The tenant CLI: an operator with the database's owner credentials, not an API caller. */
export const OPERATOR = Object.freeze({ operator: true as const });
export type TenantCaller = Actor | typeof OPERATOR;

export type TenantRecord = TenantRow;

/** What a write may set. Absent: unchanged. */
export interface TenantInput {
  name?: string;
  /** An IANA zone both the runtime and PostgreSQL know, e.g. `America/Lima`. */
  time_zone?: string;
  is_active?: boolean;
}

export interface NewTenantInput extends TenantInput {
  name: string;
  /** The first administrator's e-mail; absent: a clinic without users (add them later). */
  admin_email?: string | null;
  /** Defaults to the e-mail (login takes either). */
  admin_user_name?: string | null;
  admin_name?: string | null;
  admin_paternal_lastname?: string | null;
  admin_maternal_lastname?: string | null;
}

export interface FirstAdmin {
  id: number;
  email: string;
  user_name: string;
  role_id: number;
  /** The password-set code that was mailed (its value only with the development flag). */
  code: CodeReceipt;
}

export interface OnboardedTenant {
  tenant: TenantRecord;
  companyId: number;
  admin: FirstAdmin | null;
}

const ADMIN_FIELDS = ['admin_user_name', 'admin_name', 'admin_paternal_lastname', 'admin_maternal_lastname'] as const;
const MAX = { name: 255, time_zone: 64, admin_email: 254, admin_user_name: 150, admin_name: 150, admin_paternal_lastname: 150, admin_maternal_lastname: 150 } as const;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const notFound = () => new NotFound('Clínica no encontrada.');
const duplicateName = () => new Conflict('Ya existe una clínica con este nombre.', { code: 'tenant_exists', fields: { name: ['Ya existe una clínica con este nombre.'] } });

function assertOperator(caller: TenantCaller): void {
  if (caller !== OPERATOR && !(caller as Actor).isSuperuser) throw new Forbidden();
}

const issue = (field: string, msg: string, type: string, input?: unknown): FieldIssue => ({ loc: ['body', field], msg, type, ...(input === undefined ? {} : { input }) });

/** Trimmed text; blank becomes undefined for optional fields. Length against the column. */
function cleanText(issues: FieldIssue[], field: keyof typeof MAX, value: string | null | undefined, required: boolean): string | undefined {
  const v = typeof value === 'string' ? value.trim() : undefined;
  if (!v) {
    if (required) issues.push(issue(field, value === undefined ? 'Este campo es requerido.' : 'Este campo no puede estar en blanco.', value === undefined ? 'missing' : 'blank'));
    return undefined;
  }
  if (v.length > MAX[field]) issues.push(issue(field, `Asegúrese de que este campo no tenga más de ${MAX[field]} caracteres.`, 'max_length'));
  return v;
}

async function checkTimeZone(db: Db, issues: FieldIssue[], zone: string | undefined): Promise<void> {
  if (zone === undefined || issues.some((i) => i.loc[1] === 'time_zone')) return;
  if (!isTimeZone(zone) || !(await isKnownTimeZone(db, zone))) {
    issues.push(issue('time_zone', `"${zone}" no es una zona horaria IANA conocida (por ejemplo America/Lima, America/Bogota, Europe/Madrid).`, 'invalid', zone));
  }
}

/** The tenant columns a write sets, validated; every problem reported at once. */
async function tenantValues(db: Db, input: TenantInput, creating: boolean, issues: FieldIssue[]) {
  const values: { name?: string; time_zone?: string; is_active?: boolean } = {};
  if (creating || input.name !== undefined) values.name = cleanText(issues, 'name', input.name, true);
  if (input.time_zone !== undefined) values.time_zone = cleanText(issues, 'time_zone', input.time_zone, true);
  else if (creating) values.time_zone = config.defaultTimeZone;
  await checkTimeZone(db, issues, values.time_zone);
  if (input.is_active !== undefined) {
    if (typeof input.is_active !== 'boolean') issues.push(issue('is_active', 'Debe ser un valor booleano válido.', 'bool_type'));
    else values.is_active = input.is_active;
  } else if (creating) values.is_active = true;
  return values;
}

/** A unique-name violation is the operator's duplicate; anything else is not ours to explain. */
function writeError(error: unknown): unknown {
  return pgCode(error) === '23505' && pgConstraint(error) === TENANT_NAME_CONSTRAINT ? duplicateName() : error;
}

export async function listTenants(db: Db, caller: TenantCaller, filter: TenantFilter, page: number, size: number): Promise<Page<TenantRecord>> {
  assertOperator(caller);
  return selectTenantPage(db, filter, page, size);
}

export async function getTenant(db: Db, caller: TenantCaller, id: number): Promise<TenantRecord> {
  assertOperator(caller);
  const row = await selectTenant(db, id);
  if (!row) throw notFound();
  return row;
}

/** The first administrator, validated: null when no e-mail was given. */
function firstAdminValues(input: NewTenantInput, issues: FieldIssue[]) {
  const email = cleanText(issues, 'admin_email', input.admin_email, false);
  const names = Object.fromEntries(ADMIN_FIELDS.map((f) => [f, cleanText(issues, f, input[f], false)])) as Record<(typeof ADMIN_FIELDS)[number], string | undefined>;
  if (!email) {
    for (const f of ADMIN_FIELDS) if (names[f] !== undefined) issues.push(issue('admin_email', `Es requerido cuando se envía ${f}.`, 'missing'));
    return null;
  }
  if (!EMAIL.test(email)) issues.push(issue('admin_email', 'Introduzca una dirección de correo electrónico válida.', 'value_error', email));
  const userName = names.admin_user_name ?? email;
  if (userName.length > MAX.admin_user_name) issues.push(issue('admin_user_name', 'El e-mail es demasiado largo para servir de nombre de usuario: envíe admin_user_name.', 'missing'));
  return { email, userName, name: names.admin_name ?? null, paternal: names.admin_paternal_lastname ?? null, maternal: names.admin_maternal_lastname ?? null };
}

/** The user's own field errors under the names this input uses (`email` → `admin_email`). */
function asAdminFieldError(err: unknown): unknown {
  if (!(err instanceof ValidationError)) return err;
  return new ValidationError(err.issues.map((i) => ({ ...i, loc: i.loc.map((p) => (p === 'email' ? 'admin_email' : p === 'user_name' ? 'admin_user_name' : p)) })));
}

/**
 * Creates a clinic ready to work: tenant, company row, counters, and (with `admin_email`) its first
 * administrator with a password-set code by mail. All in the caller's transaction; the mail goes last,
 * so a clinic is never left behind by a mail that could not be sent (SES down → 503, nothing kept).
 */
export async function onboardTenant(db: Db, caller: TenantCaller, input: NewTenantInput): Promise<OnboardedTenant> {
  assertOperator(caller);
  const issues: FieldIssue[] = [];
  const values = await tenantValues(db, input, true, issues);
  const admin = firstAdminValues(input, issues);
  if (issues.length) throw new ValidationError(issues);

  // A clinic's rows belong to a tenant that does not exist yet: no tenant scope could admit them.
  return withGlobalScope(db, async () => {
    const res = await underSavepoint(db, 'tenant_write', () => insertTenant(db, values as Required<typeof values>));
    if (!res.ok) throw writeError(res.error);
    const tenant = res.value;
    const company = await insertCompany(db, { reflexo_id: tenant.id, company_name: tenant.name });
    await insertTenantCounters(db, tenant.id);
    await recordAudit(db, { action: 'create', entity: 'tenants', entityId: tenant.id, reflexoId: tenant.id, changedFields: sentFields(values) });

    let first: FirstAdmin | null = null;
    if (admin) {
      const roleId = await selectRoleIdByCode(db, 'admin');
      if (roleId === undefined) throw new Error('the clinic-administrator role (code "admin", migration 0012) is missing');
      const userId = await insertUserOrFieldError(db, {
        email: admin.email,
        user_name: admin.userName,
        name: admin.name,
        paternal_lastname: admin.paternal,
        maternal_lastname: admin.maternal,
        // Nobody knows this password: the administrator chooses one with the mailed code.
        password_hash: await hashPassword(randomBytes(32).toString('base64url')),
        reflexo_id: tenant.id,
        role_id: roleId,
        is_staff: true,
        is_superuser: false,
      }).catch((err) => {
        throw asAdminFieldError(err);
      });
      await recordAudit(db, { action: 'create', entity: 'users', entityId: userId, reflexoId: tenant.id, changedFields: ['email', 'user_name', 'role_id'] });
      const issued = await issueCode(db, userId, 'password_reset');
      await mailCode(
        db,
        {
          to: admin.email,
          subject: `Bienvenido a Reflexo: ${tenant.name}`,
          intro:
            `Se creó la clínica "${tenant.name}" en Reflexo y usted es su administrador (usuario: ${admin.email}). ` +
            'Para elegir su contraseña, use este código en "Restablecer contraseña" (POST /api/profiles/password/reset/confirm/). ' +
            'Si vence, pida otro con "¿Olvidó su contraseña?".',
          purpose: 'password_reset',
        },
        issued,
      );
      first = { id: userId, email: admin.email, user_name: admin.userName, role_id: roleId, code: codeReceipt(issued) };
    }
    return { tenant, companyId: company!.id, admin: first };
  });
}

/**
 * Renames, moves to another time zone, deactivates or reactivates a clinic. Its company row keeps its
 * own name (the clinic edits that one). A caller cannot deactivate the clinic they belong to: every
 * request of theirs would then be refused, the reactivation included.
 */
export async function editTenant(db: Db, caller: TenantCaller, id: number, input: TenantInput): Promise<TenantRecord> {
  assertOperator(caller);
  await getTenant(db, caller, id);
  const issues: FieldIssue[] = [];
  const values = await tenantValues(db, input, false, issues);
  if (values.is_active === false && caller !== OPERATOR && (caller as Actor).reflexoId === id) {
    issues.push(issue('is_active', 'No puede desactivar la clínica a la que usted pertenece.', 'invalid'));
  }
  if (issues.length) throw new ValidationError(issues);
  const changed = sentFields(values);
  if (!changed.length) return getTenant(db, caller, id);
  const res = await underSavepoint(db, 'tenant_write', () => updateTenant(db, id, values));
  if (!res.ok) throw writeError(res.error);
  if (!res.value) throw notFound();
  await recordAudit(db, { action: 'update', entity: 'tenants', entityId: id, reflexoId: id, changedFields: changed });
  return res.value;
}
