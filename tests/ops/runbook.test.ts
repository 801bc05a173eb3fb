import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { MIGRATE_REQUEST_KEYS } from '../../lib/ops/migrate';
import { SECRET_SOURCES } from '../../lib/secrets';
import { ROOT } from '../helpers/functions';

/*
 * The runbook (README "Deploying") names functions, stage parameters, stacks, template parameters and
 * outputs, secrets and invocation fields: each must be what serverless.yml, the data tier and the code
 * use, so the page cannot drift from what it tells ops to type.
 */
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const start = readme.indexOf('## Deploying');
const section = readme.slice(start, readme.indexOf('\n## ', start + 5));
const sls = yaml.load(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')) as any;
const dataTier = yaml.load(readFileSync(join(ROOT, sls.custom.dataTier.template), 'utf8')) as any;
const all = (re: RegExp) => [...section.matchAll(re)].map((m) => m[1]);

it('the section exists and covers the five procedures', () => {
  for (const heading of ['### First deploy of a stage', '### Routine deploy', '### Rotating the JWT secret', '### Restoring the database', '### Onboarding a clinic']) {
    expect(section).toContain(heading);
  }
});

it('every function it invokes exists, and is the non-HTTP migrate function', () => {
  const invoked = all(/npx serverless (?:invoke|logs) -f (\S+)/g);
  expect(invoked.length).toBeGreaterThan(3);
  for (const f of invoked) expect(Object.keys(sls.functions)).toContain(f);
  expect(sls.functions.migrate.events).toBeUndefined();
});

it('every stage it deploys with --stage is $STAGE or a declared stage', () => {
  for (const s of all(/--stage ([\w$]+)/g)) expect(['$STAGE', ...Object.keys(sls.params).filter((k) => k !== 'default')]).toContain(s);
});

it('every --param it passes, and every parameter of its table, is a stage parameter; every operations parameter is in the table', () => {
  const passed = all(/--param="(\w+)=/g).filter((p) => p !== 'name'); // `--param="name=value"` is the generic form
  expect(passed).toContain('jwtPreviousSecretUntil');
  const table = section.slice(section.indexOf('| parameter | meaning |'));
  const rows = table.slice(0, table.indexOf('\n\n')).split('\n').slice(2);
  const documented = rows.flatMap((r) => [...(r.split('|')[1] ?? '').matchAll(/`(\w+)`/g)].map((m) => m[1]));
  for (const p of [...passed, ...documented]) expect(Object.keys(sls.params.default)).toContain(p);
  // what the functions read is the Configuration table's business; the rest is ops', documented here
  const forwarded = new Set([...JSON.stringify(sls.provider.environment).matchAll(/\$\{param:(\w+)\}/g)].map((m) => m[1]));
  const structural = new Set(['layers', 'vpc']);
  const opsParams = Object.keys(sls.params.default).filter((p) => !forwarded.has(p) && !structural.has(p));
  expect(opsParams.filter((p) => !documented.includes(p))).toEqual([]);
});

it('stack names, the template and its parameters and outputs are the data tier\'s', () => {
  const dataStack = sls.custom.dataTier.stack.replace('${sls:stage}', '$STAGE');
  for (const s of all(/--stack-name (\S+)/g)) expect(s).toBe(dataStack);
  for (const f of all(/--template-file (\S+)/g)) {
    expect(f).toBe(sls.custom.dataTier.template);
    expect(existsSync(join(ROOT, f))).toBe(true);
  }
  const overrides = all(/--parameter-overrides ([^\\\n]+)/g).flatMap((o) => o.trim().split(/\s+/).filter((w) => w.includes('=')).map((w) => w.split('=')[0]));
  expect(overrides.length).toBeGreaterThan(0);
  for (const k of overrides) expect(Object.keys(dataTier.Parameters)).toContain(k);
  const outputs = all(/OutputKey=='(\w+)'/g);
  const named = ['MailDkimRecords', 'ClusterId', 'WriterInstanceId', 'DatabaseSubnetGroup', 'DatabaseSecurityGroupId', 'DatabaseParameterGroup'];
  for (const o of [...outputs, ...named]) {
    expect(section).toContain(o);
    expect(Object.keys(dataTier.Outputs)).toContain(o);
  }
  expect(section).toContain(`MailConfigurationSet=${sls.service}-$STAGE`);
  expect(section).toContain(`--db-proxy-name ${dataTier.Resources.Proxy.Properties.DBProxyName['Fn::Sub'].replace('${Stage}', '$STAGE')}`);
});

it('the secrets it names exist, and the migrate requests it shows are ones the function accepts', () => {
  const secrets = new Set(SECRET_SOURCES.map((s) => s.secret));
  for (const s of all(/--secret-id reflexo\/\$STAGE\/(\S+)/g)) expect(secrets).toContain(s);
  const requests = all(/--data '(\{[^']*\})'/g).map((d) => JSON.parse(d));
  expect(requests.length).toBeGreaterThanOrEqual(3);
  for (const r of requests) for (const k of Object.keys(r)) expect(MIGRATE_REQUEST_KEYS).toContain(k);
  expect(requests).toContainEqual({ action: 'down', steps: 1, allowProdRollback: true });
});

it('the budget table shows what lib/ops/budget.js computes for each stage', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { connectionBudget } = require('../../lib/ops/budget') as typeof import('../../lib/ops/budget');
  for (const stage of ['dev', 'prod']) {
    const p = { ...sls.params.default, ...sls.params[stage] };
    const b = connectionBudget(p, {});
    const row = section.split('\n').find((l) => l.startsWith(`  | ${stage}`))!;
    expect(row).toBeDefined();
    const cells = row.split('|').map((c) => c.trim().replace(/,/g, ''));
    const fits = Math.floor(Math.min(b.proxyPool, 1000 - 100) / p.reservedConcurrency);
    expect(cells.slice(2, 7)).toEqual([`${p.dbMinAcu}–${p.dbMaxAcu}`, String(b.database), String(b.proxyPool), String(p.reservedConcurrency), String(fits)]);
  }
});
