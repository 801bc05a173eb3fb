import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { config } from '../config';
import { runWithContext } from '../context';
import { closePool } from '../db/pool';
import { withSystem } from '../db/tenant';
import { AppError, ValidationError } from '../errors';
import { editTenant, listTenants, OPERATOR, onboardTenant, type OnboardedTenant, type TenantRecord } from '../domain/tenants';

/*
 * Onboarding clinics from an operator's shell, against any database it reaches (a deployed stage's
 * through a tunnel, or the local stack's), running the same domain functions as
 * /api/architect/tenants inside one global-scope transaction:
 *
 *   npm run tenant:create -- --name "Clínica X" [--time-zone America/Lima] [--inactive]
 *                            [--admin-email a@b.pe [--admin-name N] [--admin-paternal-lastname P]
 *                             [--admin-maternal-lastname M] [--admin-user-name U]] [--json]
 *   npx tsx lib/ops/tenant-cli.ts list [--active | --inactive] [--search TEXT] [--json]
 *   npx tsx lib/ops/tenant-cli.ts deactivate ID | activate ID [--json]
 *
 * Connection: MIGRATE_DATABASE_URL (the owner), else DATABASE_URL; with neither, the local stack's
 * database at npm start's default port (a running `npm start`'s, else the embedded one under .data/dev,
 * started for the command), its SES stand-in and its development JWT key. The first administrator's code is keyed
 * with JWT_SECRET, so against a deployed stage JWT_SECRET must be that stage's key (Secrets Manager
 * `reflexo/<stage>/jwt-secret`), or the code would open nothing; mail goes through SES (SES_ENDPOINT
 * when set). Exit codes: 0 done, 1 refused (bad input, duplicate, unknown clinic: nothing written),
 * 2 failed (database or SES unreachable: nothing written either, the transaction rolled back).
 */

const USAGE = `usage:
  npm run tenant:create -- --name NAME [--time-zone ZONE] [--inactive] [--admin-email EMAIL
                           [--admin-name N] [--admin-paternal-lastname P] [--admin-maternal-lastname M]
                           [--admin-user-name U]] [--json]
  npx tsx lib/ops/tenant-cli.ts list [--active | --inactive] [--search TEXT] [--json]
  npx tsx lib/ops/tenant-cli.ts deactivate ID | activate ID [--json]`;

class Refused extends Error {}

const OPTIONS = {
  name: { type: 'string' },
  'time-zone': { type: 'string' },
  inactive: { type: 'boolean' },
  active: { type: 'boolean' },
  'admin-email': { type: 'string' },
  'admin-user-name': { type: 'string' },
  'admin-name': { type: 'string' },
  'admin-paternal-lastname': { type: 'string' },
  'admin-maternal-lastname': { type: 'string' },
  search: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

const COMMAND_OPTIONS: Record<string, (keyof typeof OPTIONS)[]> = {
  create: ['name', 'time-zone', 'inactive', 'admin-email', 'admin-user-name', 'admin-name', 'admin-paternal-lastname', 'admin-maternal-lastname', 'json'],
  list: ['active', 'inactive', 'search', 'json'],
  deactivate: ['json'],
  activate: ['json'],
};

function parse(argv: string[]): { command: string; id?: number; values: Values } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new Refused((err as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help) throw new Refused('');
  if (!command || !(command in COMMAND_OPTIONS)) throw new Refused(command ? `unknown command "${command}" (create | list | deactivate | activate)` : 'missing command (create | list | deactivate | activate)');
  const stray = (Object.keys(values) as (keyof typeof OPTIONS)[]).filter((k) => k !== 'help' && !COMMAND_OPTIONS[command].includes(k));
  if (stray.length) throw new Refused(`${command} does not take ${stray.map((k) => `--${k}`).join(', ')}`);
  if (command === 'deactivate' || command === 'activate') {
    if (rest.length !== 1 || !/^\d{1,9}$/.test(rest[0]) || Number(rest[0]) < 1) throw new Refused(`${command} takes one clinic id (a positive integer)`);
    return { command, id: Number(rest[0]), values };
  }
  if (rest.length) throw new Refused(`unexpected argument(s): ${rest.join(' ')}`);
  if (command === 'create' && values.name === undefined) throw new Refused('create needs --name');
  if (command === 'list' && values.active && values.inactive) throw new Refused('list takes --active or --inactive, not both');
  return { command, values };
}

/** A setting's value through lib/config, or undefined where config refuses an unset one. */
function optional<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/* npm start's defaults: a stack moved to other ports is reached by passing its URLs instead. */
const LOCAL = { pgPort: 15432, dataDir: '.data/dev', sesEndpoint: 'http://127.0.0.1:18005' };

/**
 * Points lib/db (and the mailer) at what to work on, as a launcher does: by setting the environment
 * lib/config reads. Returns how to let go of a local server it started.
 */
async function connect(needsSecret: boolean): Promise<() => Promise<void>> {
  const given = config.migrateDatabaseUrl ?? optional(() => config.databaseUrl);
  if (given) {
    Object.assign(process.env, { DATABASE_URL: given });
    if (needsSecret && !optional(() => config.jwtSecret)) {
      throw new Refused("JWT_SECRET is not set (or shorter than 32 bytes): the administrator's code is keyed with it, so it must be the target stage's signing key (Secrets Manager reflexo/<stage>/jwt-secret)");
    }
    return async () => {};
  }
  // The local stack: npm start's database when it runs, else the embedded server (started and stopped here).
  const { LOCAL_JWT_SECRET, localStackDatabase } = await import('../dev/local-env');
  const db = await localStackDatabase({ dataDir: LOCAL.dataDir, port: LOCAL.pgPort });
  Object.assign(process.env, {
    DATABASE_URL: db.ownerUrl,
    JWT_SECRET: optional(() => config.jwtSecret) ?? LOCAL_JWT_SECRET,
    SES_ENDPOINT: config.sesEndpoint ?? LOCAL.sesEndpoint,
  });
  process.env.AWS_ACCESS_KEY_ID ||= 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY ||= 'S3RVER';
  return db.stop;
}

function operatorName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

const describeTenant = (t: TenantRecord) => `clinic ${t.id} "${t.name}" (${t.time_zone}, ${t.is_active ? 'active' : 'inactive'})`;

function createdLines(o: OnboardedTenant): string[] {
  const lines = [`created ${describeTenant(o.tenant)}`, `  company ${o.companyId}`, `  counters: tickets, histories, live counts`];
  if (o.admin) {
    lines.push(`  admin user ${o.admin.id} ${o.admin.email} (user name ${o.admin.user_name}, role ${o.admin.role_id})`);
    lines.push(`  a password-set code was mailed to ${o.admin.email}, valid until ${o.admin.code.expiresAt.toISOString()}${o.admin.code.code ? ` (code ${o.admin.code.code})` : ''}`);
  } else lines.push('  no users yet (none was asked for)');
  return lines;
}

const createdJson = (o: OnboardedTenant) => ({
  tenant: o.tenant,
  company_id: o.companyId,
  admin: o.admin && { id: o.admin.id, email: o.admin.email, user_name: o.admin.user_name, role_id: o.admin.role_id, code_expires_at: o.admin.code.expiresAt, ...(o.admin.code.code ? { code: o.admin.code.code } : {}) },
});

async function run(command: string, id: number | undefined, v: Values): Promise<{ json: unknown; lines: string[] }> {
  const inTransaction = <T>(fn: Parameters<typeof withSystem<T>>[0]) =>
    runWithContext({ requestId: randomUUID(), sourceIp: '', userAgent: `tenant-cli (${operatorName()})`, actor: null }, () => withSystem(fn));
  switch (command) {
    case 'create': {
      const created = await inTransaction((db) =>
        onboardTenant(db, OPERATOR, {
          name: v.name!,
          time_zone: v['time-zone'],
          is_active: v.inactive ? false : undefined,
          admin_email: v['admin-email'],
          admin_user_name: v['admin-user-name'],
          admin_name: v['admin-name'],
          admin_paternal_lastname: v['admin-paternal-lastname'],
          admin_maternal_lastname: v['admin-maternal-lastname'],
        }),
      );
      return { json: createdJson(created), lines: createdLines(created) };
    }
    case 'list': {
      const filter = { isActive: v.active ? true : v.inactive ? false : undefined, search: v.search };
      const all: TenantRecord[] = [];
      // Every clinic, a page at a time (an operator's list is short; the page keeps each query bounded).
      for (let page = 1; ; page++) {
        const p = await inTransaction((db) => listTenants(db, OPERATOR, filter, page, 100));
        all.push(...p.rows);
        if (all.length >= p.count || !p.rows.length) break;
      }
      return { json: all, lines: all.length ? all.map(describeTenant) : ['no clinics'] };
    }
    default: {
      const t = await inTransaction((db) => editTenant(db, OPERATOR, id!, { is_active: command === 'activate' }));
      return { json: t, lines: [`${command}d ${describeTenant(t)}`] };
    }
  }
}

/** Field errors under the flag that carries each field (`time_zone` → --time-zone). */
const flagOf = (field: string) => (field === 'is_active' ? '--inactive' : `--${field.replace(/_/g, '-')}`);

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parse(process.argv.slice(2));
  } catch (err) {
    const msg = (err as Error).message;
    console.error(msg ? `tenant: ${msg}\n\n${USAGE}` : USAGE);
    return msg ? 1 : 0;
  }
  let stop = async () => {};
  try {
    stop = await connect(parsed.command === 'create' && parsed.values['admin-email'] !== undefined);
    const out = await run(parsed.command, parsed.id, parsed.values);
    console.log(parsed.values.json ? JSON.stringify(out.json, null, 2) : out.lines.join('\n'));
    return 0;
  } catch (err) {
    if (err instanceof Refused) {
      console.error(`tenant: refused: ${err.message}`);
      return 1;
    }
    if (err instanceof ValidationError) {
      console.error(['tenant: refused, nothing was written:', ...err.issues.map((i) => `  ${flagOf(String(i.loc[i.loc.length - 1]))}: ${i.msg}`)].join('\n'));
      return 1;
    }
    if (err instanceof AppError && err.status < 500) {
      const fields = Object.entries(err.fields ?? {}).map(([f, msgs]) => `  ${flagOf(f)}: ${msgs.join(' ')}`);
      console.error([`tenant: refused, nothing was written: ${err.message}`, ...fields].join('\n'));
      return 1;
    }
    const code = (err as { code?: string }).code;
    const hint = code === '42P01' ? ' (is the database migrated? npm run db:migrate, or the migrate function in a deployed stage)' : '';
    console.error(`tenant: failed, nothing was written: ${(err as Error).message}${hint}`);
    return 2;
  } finally {
    await closePool().catch(() => {});
    await stop().catch(() => {});
  }
}

main().then((code) => process.exit(code));
