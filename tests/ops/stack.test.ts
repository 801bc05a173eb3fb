import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { ROOT } from '../helpers/functions';
import { cfnLint, packagedTemplate, stageParams, type Template } from './stack';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { connectionBudget } = require('../../lib/ops/budget') as typeof import('../../lib/ops/budget');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { REQUEST_5XX_PATTERN } = require('../../lib/ops/observability') as typeof import('../../lib/ops/observability');

/*
 * The functions stack as `serverless package --stage prod` generates it (tests/ops/stack.ts), read as
 * CloudFormation: what ops rely on is in the template, for every function, whatever function was
 * added last.
 */
jest.setTimeout(240_000);

let prod: Template;
const resourcesOf = (t: Template, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
const lambdas = (t: Template) => resourcesOf(t, 'AWS::Lambda::Function');
const functionName = (r: Template['Resources'][string]) => r.Properties.FunctionName as string;
const params = stageParams('prod');

beforeAll(async () => {
  prod = await packagedTemplate('prod');
});

describe('serverless package --stage prod', () => {
  it('has the functions of serverless.yml, the migrate function among them', () => {
    const declared = Object.keys((yaml.load(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')) as any).functions);
    expect(lambdas(prod).map(([, r]) => functionName(r)).sort()).toEqual(declared.map((n) => `reflexo-clinic-api-prod-${n}`).sort());
  });

  it('passes cfn-lint (only the framework\'s redundant DependsOn warnings ignored)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reflexo-lint-'));
    try {
      const file = join(dir, 'functions-stack.json');
      writeFileSync(file, JSON.stringify(prod, null, 1));
      const lint = await cfnLint(file, ['W3005']);
      if (!lint) return console.log('SKIPPED cfn-lint of the functions stack: cfn-lint is not installed');
      expect(lint.output).toBe('');
      expect(lint.ok).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('media bucket: private, encrypted, CORS for presigned GETs, abandoned uploads cleaned, kept on stack delete', () => {
    const bucket = prod.Resources.MediaBucket;
    expect(bucket.Type).toBe('AWS::S3::Bucket');
    expect(bucket.Properties.BucketName).toBe('reflexo-media-prod');
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toMatch(/^(AES256|aws:kms)$/);
    const cors = bucket.Properties.CorsConfiguration.CorsRules[0];
    expect(cors.AllowedMethods).toContain('GET');
    expect(cors.AllowedOrigins).toEqual({ 'Fn::Split': [',', params.corsOrigins] });
    expect(bucket.Properties.LifecycleConfiguration.Rules.some((r: any) => r.Status === 'Enabled' && r.AbortIncompleteMultipartUpload?.DaysAfterInitiation >= 1)).toBe(true);
    expect(bucket.DeletionPolicy).toBe('Retain');
    const policy = resourcesOf(prod, 'AWS::S3::BucketPolicy').find(([, r]) => r.Properties.Bucket?.Ref === 'MediaBucket')?.[1];
    expect(policy?.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
  });

  it('the functions S3_BUCKET names are the bucket this stack makes', () => {
    for (const [, fn] of lambdas(prod)) expect(fn.Properties.Environment.Variables.S3_BUCKET).toBe(prod.Resources.MediaBucket.Properties.BucketName);
  });

  it('every function has reserved concurrency, and together they fit the connection budget', () => {
    const shares: Record<string, number> = {};
    for (const [, fn] of lambdas(prod)) {
      const n = fn.Properties.ReservedConcurrentExecutions;
      expect({ fn: functionName(fn), reserved: Number.isInteger(n) && n > 0 }).toEqual({ fn: functionName(fn), reserved: true });
      shares[functionName(fn)] = n;
    }
    expect(prod.Resources.MigrateLambdaFunction.Properties.ReservedConcurrentExecutions).toBe(1);
    const budget = connectionBudget(params as any, shares);
    expect(budget.problems).toEqual([]);
    expect(budget.reserved).toBeLessThanOrEqual(budget.proxyPool);
  });

  it('every log group has a retention', () => {
    const groups = resourcesOf(prod, 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThan(lambdas(prod).length); // the functions' and the API's access log
    for (const [id, g] of groups) expect({ id, days: g.Properties.RetentionInDays }).toEqual({ id, days: params.logRetentionDays });
  });

  it('the HTTP API throttles by default at the stage\'s rate and burst', () => {
    expect(prod.Resources.HttpApiStage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: params.apiRateLimit, ThrottlingBurstLimit: params.apiBurstLimit });
  });

  it('alarms on errors, throttles and p99 duration watch every function (≤ 10 per metric-math alarm), to the alarm topic', () => {
    const alarms = resourcesOf(prod, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    type Query = { Id: string; Expression?: string; ReturnData: boolean; MetricStat?: { Stat: string; Metric: { Namespace: string; MetricName: string; Dimensions: { Value: string }[] } } };
    const math = alarms.filter((a) => Array.isArray(a.Metrics));
    for (const a of math) {
      const stats = (a.Metrics as Query[]).filter((q) => q.MetricStat);
      expect(stats.length).toBeLessThanOrEqual(10);
      expect((a.Metrics as Query[]).filter((q) => q.ReturnData)).toHaveLength(1);
    }
    const watching = (name: string) =>
      math.flatMap((a) => (a.Metrics as Query[]).filter((q) => q.MetricStat?.Metric.Namespace === 'AWS/Lambda' && q.MetricStat.Metric.Dimensions[0].Value === name).map((q) => ({ a, q })));
    for (const [, fn] of lambdas(prod)) {
      const name = functionName(fn);
      const mine = watching(name);
      expect({ name, metrics: mine.map(({ q }) => `${q.MetricStat!.Metric.MetricName}:${q.MetricStat!.Stat}`).sort() }).toEqual({ name, metrics: ['Duration:p99', 'Errors:Sum', 'Throttles:Sum'] });
      const p99 = mine.find(({ q }) => q.MetricStat!.Metric.MetricName === 'Duration')!;
      expect(p99.a.Threshold).toBeLessThan(fn.Properties.Timeout * 1000);
      expect(p99.a.AlarmDescription).toContain(name);
    }
    expect(resourcesOf(prod, 'AWS::CloudFormation::Stack')).toEqual([]);
    expect(Object.keys(prod.Resources).length).toBeLessThan(400);
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
    expect(prod.Resources.AlarmEmailSubscription.Properties).toMatchObject({ Protocol: 'email', Endpoint: params.alarmEmail, TopicArn: { Ref: 'AlarmTopic' } });
  });

  it('and the stage-wide alarms: API 5xx rate, dead letters, proxy saturation, SES bounce and complaint rates', () => {
    const byName = Object.fromEntries(resourcesOf(prod, 'AWS::CloudWatch::Alarm').map(([, a]) => [a.Properties.AlarmName, a.Properties]));
    const api = byName['reflexo-clinic-api-prod-api-5xx-rate'];
    expect(api.Metrics.map((m: any) => m.MetricStat?.Metric.MetricName ?? m.Expression)).toEqual(['5xx', 'Count', expect.stringContaining('errors / requests')]);
    expect(api.Threshold).toBe(params.api5xxAlarmPercent);
    expect(byName['reflexo-clinic-api-prod-scheduled-dead-letters']).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
    const proxy = byName['reflexo-clinic-api-prod-proxy-connections'];
    expect(proxy).toMatchObject({ Namespace: 'AWS/RDS', MetricName: 'DatabaseConnections', Dimensions: [{ Name: 'ProxyName', Value: { 'Fn::ImportValue': 'reflexo-prod-ProxyName' } }] });
    expect(proxy.Threshold).toBe(Math.ceil(connectionBudget(params as any, {}).proxyPool * 0.8));
    expect(byName['reflexo-clinic-api-prod-mail-bounce-rate']).toMatchObject({ Namespace: 'AWS/SES', MetricName: 'Reputation.BounceRate' });
    expect(byName['reflexo-clinic-api-prod-mail-complaint-rate']).toMatchObject({ Namespace: 'AWS/SES', MetricName: 'Reputation.ComplaintRate' });
    expect(prod.Resources.ScheduledDeadLetterQueue.Type).toBe('AWS::SQS::Queue');
    expect(prod.Resources.MailConfigurationSet.Properties.Name).toBe('reflexo-clinic-api-prod');
  });

  it('every function behind the API counts its 5xx responses with the request-line metric filter', () => {
    const filters = resourcesOf(prod, 'AWS::Logs::MetricFilter').map(([, f]) => f.Properties);
    const http = lambdas(prod).filter(([id]) => resourcesOf(prod, 'AWS::ApiGatewayV2::Integration').some(([, i]) => JSON.stringify(i.Properties.IntegrationUri).includes(`"${id}"`)));
    expect(http.length).toBe(lambdas(prod).length - 3); // all but migrate and the two scheduled jobs
    for (const [id] of http) {
      const group = id.replace(/LambdaFunction$/, 'LogGroup');
      expect(filters.filter((f) => f.LogGroupName.Ref === group).map((f) => f.FilterPattern)).toEqual([REQUEST_5XX_PATTERN]);
    }
  });

  it('no IAM statement allows S3 or SES actions on "*" (nor s3:* / ses:* actions)', () => {
    const statements: { where: string; s: any }[] = [];
    for (const [id, r] of Object.entries(prod.Resources)) {
      if (r.Type === 'AWS::IAM::Role') for (const p of r.Properties.Policies ?? []) for (const s of p.PolicyDocument.Statement) statements.push({ where: id, s });
      if (r.Type === 'AWS::IAM::Policy') for (const s of r.Properties.PolicyDocument.Statement) statements.push({ where: id, s });
    }
    expect(statements.length).toBeGreaterThan(0);
    const bad = statements.filter(({ s }) => {
      const actions = [s.Action].flat();
      const resources = [s.Resource].flat();
      const storage = actions.some((a: string) => /^(s3|ses):/.test(a) || a === '*');
      return s.Effect === 'Allow' && storage && (resources.includes('*') || actions.some((a: string) => /^(s3|ses):\*$/.test(a) || a === '*'));
    });
    expect(bad.map(({ where, s }) => `${where}: ${JSON.stringify(s)}`)).toEqual([]);
  });

  it('every function can read the JWT key and the API credentials; only migrate the owner\'s', () => {
    const roleOf = (fn: Template['Resources'][string]) => prod.Resources[fn.Properties.Role['Fn::GetAtt'][0]];
    for (const [id, fn] of lambdas(prod)) {
      const text = JSON.stringify(roleOf(fn).Properties.Policies);
      expect({ id, jwt: text.includes('reflexo-prod-JwtSecretArn'), api: text.includes('reflexo-prod-ApiSecretArn'), owner: text.includes('reflexo-prod-OwnerSecretArn') }).toEqual({
        id,
        jwt: true,
        api: true,
        owner: id === 'MigrateLambdaFunction',
      });
    }
  });

  it('migrate: no HTTP event, no permission for anything to invoke it, the owner connection only in its own environment', () => {
    const text = (type: string) => JSON.stringify(resourcesOf(prod, type));
    expect(text('AWS::ApiGatewayV2::Integration')).not.toContain('MigrateLambdaFunction');
    expect(text('AWS::ApiGatewayV2::Route')).not.toContain('Migrate');
    expect(text('AWS::Lambda::Permission')).not.toContain('MigrateLambdaFunction');
    expect(text('AWS::Events::Rule')).not.toContain('MigrateLambdaFunction');
    const migrate = prod.Resources.MigrateLambdaFunction.Properties;
    expect(JSON.stringify(migrate.Environment.Variables.MIGRATE_DATABASE_URL)).toContain('postgres://reflexo_owner@');
    expect(migrate.Timeout).toBe(900);
    for (const [id, fn] of lambdas(prod)) if (id !== 'MigrateLambdaFunction') expect(fn.Properties.Environment.Variables.MIGRATE_DATABASE_URL).toBeUndefined();
  });

  it('the dashboard shows every function, the API, the proxy, the dead letters and mail, and every alarm', () => {
    const [body, vars] = prod.Resources.OpsDashboard.Properties.DashboardBody['Fn::Sub'];
    for (const v of [...body.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1])) {
      expect({ v, known: v.startsWith('AWS::') || v in vars || (v.endsWith('.Arn') && v.replace(/\.Arn$/, '') in prod.Resources) }).toEqual({ v, known: true });
    }
    const dashboard = JSON.parse(body.replace(/\$\{[^}]+\}/g, 'X'));
    const text = JSON.stringify(dashboard);
    for (const [, fn] of lambdas(prod)) expect(text).toContain(functionName(fn));
    for (const metric of ['5xx', 'DatabaseConnections', 'ApproximateNumberOfMessagesVisible', 'Reputation.BounceRate', 'ServerlessDatabaseCapacity']) expect(text).toContain(`"${metric}"`);
    const alarmIds = resourcesOf(prod, 'AWS::CloudWatch::Alarm').map(([id]) => id).filter((id) => body.includes(`\${${id}.Arn}`));
    expect(alarmIds.sort()).toEqual(resourcesOf(prod, 'AWS::CloudWatch::Alarm').map(([id]) => id).sort());
  });

  it('every import is exported by the data tier of the same stage', () => {
    const imports = [...JSON.stringify(prod).matchAll(/"Fn::ImportValue":"([^"]+)"/g)].map((m) => m[1]);
    const exported = Object.values<any>((yaml.load(readFileSync(join(ROOT, 'lib/ops/data-tier.yml'), 'utf8')) as any).Outputs)
      .filter((o) => o.Export)
      .map((o) => o.Export.Name['Fn::Sub'].replace('${Stage}', 'prod'));
    expect(imports.length).toBeGreaterThan(0);
    expect([...new Set(imports)].filter((i) => !exported.includes(i))).toEqual([]);
  });
});

describe('other stages and what the generation refuses', () => {
  it('dev packages too, with its smaller shares inside its smaller budget', async () => {
    const dev = await packagedTemplate('dev');
    const devParams = stageParams('dev');
    const shares = Object.fromEntries(lambdas(dev).map(([, fn]) => [functionName(fn), fn.Properties.ReservedConcurrentExecutions]));
    expect(Object.values(shares).every((n) => n >= 1 && n <= devParams.reservedConcurrency)).toBe(true);
    expect(connectionBudget(devParams as any, shares).problems).toEqual([]);
    expect(dev.Resources.HttpApiStage.Properties.DefaultRouteSettings.ThrottlingRateLimit).toBe(devParams.apiRateLimit);
  });

  it('the scheduled functions (outbox sender, automation runner) get the dead-letter queue: on-failure destination, rule target DLQ, the right to send', () => {
    const t = prod;
    const ruleIds: string[] = [];
    for (const id of ['JobsDashoutboxLambdaFunction', 'JobsDashautomationsLambdaFunction']) {
      const invoke = resourcesOf(t, 'AWS::Lambda::EventInvokeConfig').find(([, r]) => r.Properties.FunctionName.Ref === id)?.[1];
      expect(invoke?.Properties).toMatchObject({ MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['ScheduledDeadLetterQueue', 'Arn'] } } } });
      const [ruleId, rule] = resourcesOf(t, 'AWS::Events::Rule').find(([, r]) => JSON.stringify(r.Properties.Targets).includes(id))!;
      ruleIds.push(ruleId);
      expect(rule.Properties.ScheduleExpression).toBe(id.includes('outbox') ? params.outboxSchedule : params.automationsSchedule);
      expect(rule.Properties.Targets[0].DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': ['ScheduledDeadLetterQueue', 'Arn'] } });
      const role = t.Resources[id].Properties.Role['Fn::GetAtt'][0];
      const policies = resourcesOf(t, 'AWS::IAM::Policy').filter(([, p]) => p.Properties.Roles[0].Ref === role).flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
      expect(policies).toContainEqual({ Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: { 'Fn::GetAtt': ['ScheduledDeadLetterQueue', 'Arn'] } });
    }
    const queuePolicy = resourcesOf(t, 'AWS::SQS::QueuePolicy')[0][1];
    expect(queuePolicy.Properties.PolicyDocument.Statement[0]).toMatchObject({ Principal: { Service: 'events.amazonaws.com' } });
    const sources = queuePolicy.Properties.PolicyDocument.Statement[0].Condition.ArnEquals['aws:SourceArn'] as { 'Fn::GetAtt': string[] }[];
    expect(sources.map((x) => x['Fn::GetAtt'][0]).sort()).toEqual(ruleIds.sort());
    // the HTTP functions get none of it
    expect(resourcesOf(t, 'AWS::Lambda::EventInvokeConfig')).toHaveLength(2);
  });

  it('refuses to package shares that exceed the connection budget', async () => {
    await expect(packagedTemplate('prod', (doc) => void (doc.params.prod.reservedConcurrency = 200))).rejects.toThrow(/connection budget exceeded/);
  });

  it('refuses a rotation window that is not an ISO instant', async () => {
    await expect(packagedTemplate('prod', (doc) => void (doc.params.prod.jwtPreviousSecretUntil = 'next tuesday'))).rejects.toThrow(/jwtPreviousSecretUntil must be an ISO 8601 instant/);
  });
});
