'use strict';
/*
 * Everything per function that the stack needs, generated from the functions list when serverless
 * packages (so a function added to serverless.yml gets it without anyone writing it by hand):
 *
 * - reserved concurrency: each function's share of the connection budget (lib/ops/budget.js), the
 *   stage's `reservedConcurrency` unless the function sets its own; packaging fails when the shares
 *   add up to more than the budget or the account can reserve;
 * - alarms on its errors, throttles and p99 duration, to the stage's alarm topic;
 * - for functions behind the HTTP API, a metric filter counting the 5xx responses in its request
 *   log lines;
 * - for functions with `schedule` events, the dead-letter queue: failed asynchronous invocations go
 *   to it (EventInvokeConfig on-failure destination, after 2 retries), and so do events EventBridge
 *   could not deliver (the rule target's DeadLetterConfig), with the permissions both need. Not
 *   `onError` as well: the function's own dead-letter config would receive the same failures a second
 *   time, without the request/response context a destination record carries;
 * - the stage's CloudWatch dashboard.
 *
 * It runs before `package:finalize`, after serverless-iam-roles-per-function has made the roles
 * (list this plugin after it), and before the `resources` of serverless.yml are merged in, so the
 * logical ids it refers to there (the alarm topic, the dead-letter queue) are resolved by CloudFormation.
 * Settings come from `custom.ops`.
 */
const { connectionBudget } = require('./budget');
const { alarm, alarmGroups, groupAlarms, http5xxMetricFilter, dashboardBody } = require('./observability');

/** The proxy is called saturated when it holds this share of its pool for 5 minutes. */
const PROXY_SATURATION = 0.8;

/** CloudFormation refuses a stack above 500 resources; stop well before, with a reason. */
const MAX_RESOURCES = 470;

class ServerlessOps {
  constructor(serverless) {
    this.serverless = serverless;
    this.provider = serverless.getProvider('aws');
    this.hooks = {
      'before:package:finalize': () => this.generate(),
    };
  }

  fail(message) {
    throw new this.serverless.classes.Error(`ops: ${message}`);
  }

  settings() {
    const ops = this.serverless.service.custom?.ops;
    if (!ops) this.fail('custom.ops is missing in serverless.yml');
    for (const key of ['namespace', 'alarmTopic', 'deadLetterQueue', 'budget', 'dashboardVariables']) {
      if (ops[key] === undefined) this.fail(`custom.ops.${key} is missing`);
    }
    return ops;
  }

  /** Functions as the stack knows them: logical ids, deployed name, events, role. */
  functions() {
    const { naming } = this.provider;
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources;
    return this.serverless.service.getAllFunctions().map((name) => {
      const fn = this.serverless.service.getFunction(name);
      const logicalId = naming.getLambdaLogicalId(name);
      const resource = resources[logicalId];
      if (!resource) this.fail(`no compiled resource for function ${name}`);
      const events = fn.events ?? [];
      return {
        name,
        fn,
        logicalId,
        base: naming.getNormalizedFunctionName(name),
        resource,
        functionName: resource.Properties.FunctionName,
        logGroupLogicalId: naming.getLogGroupLogicalId(name),
        timeoutSeconds: Number(resource.Properties.Timeout ?? this.serverless.service.provider.timeout ?? 6),
        http: events.some((e) => e.httpApi),
        scheduled: events.some((e) => e.schedule),
        roleLogicalId: resource.Properties.Role?.['Fn::GetAtt']?.[0],
      };
    });
  }

  generate() {
    const ops = this.settings();
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    const resources = template.Resources;
    const add = (id, resource) => {
      if (resources[id]) this.fail(`${id} already exists in the stack`);
      resources[id] = resource;
    };
    const functions = this.functions();
    const prefix = `${this.serverless.service.service}-${this.provider.getStage()}`;

    this.validateRotationWindow();

    // Reserved concurrency = each function's share of the connection budget.
    const defaultShare = ops.reservedConcurrency === '' || ops.reservedConcurrency == null ? null : Number(ops.reservedConcurrency);
    const shares = {};
    for (const f of functions) {
      const own = f.fn.reservedConcurrency;
      const share = own ?? defaultShare;
      if (share !== null && !(Number.isInteger(share) && share > 0)) this.fail(`${f.name}: reserved concurrency must be a positive integer (got ${share})`);
      shares[f.name] = share;
      if (share !== null) f.resource.Properties.ReservedConcurrentExecutions = share;
    }
    if (defaultShare !== null) {
      const budget = connectionBudget(ops.budget, shares);
      if (budget.problems.length) this.fail(`connection budget exceeded: ${budget.problems.join('; ')} (README "Deploying", connection budget)`);
    }

    // Alarms and the 5xx metric filter.
    const alarmIds = [];
    for (const g of alarmGroups(functions)) {
      const alarms = groupAlarms({ name: `${prefix}-functions-${g.timeoutSeconds}s-${g.index}`, functionNames: g.functions.map((f) => f.functionName), timeoutSeconds: g.timeoutSeconds, topic: ops.alarmTopic });
      for (const [kind, a] of Object.entries(alarms)) {
        const id = `Functions${g.timeoutSeconds}s${g.index}${kind}Alarm`;
        add(id, a);
        alarmIds.push(id);
      }
    }
    for (const f of functions) {
      if (f.http) {
        if (!resources[f.logGroupLogicalId]) this.fail(`${f.name}: no log group ${f.logGroupLogicalId} to filter`);
        add(`${f.base}Http5xxMetricFilter`, http5xxMetricFilter({ logGroupLogicalId: f.logGroupLogicalId, namespace: ops.namespace }));
      }
    }

    // Scheduled functions: their failures end in the dead-letter queue.
    const queue = ops.deadLetterQueue;
    const ruleArns = [];
    for (const f of functions.filter((x) => x.scheduled)) {
      if (!f.roleLogicalId) this.fail(`${f.name}: cannot find its execution role`);
      const policyId = `${f.base}DeadLetterPolicy`;
      add(policyId, {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: `${prefix}-${f.name}-dead-letters`,
          Roles: [{ Ref: f.roleLogicalId }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: { 'Fn::GetAtt': [queue, 'Arn'] } }],
          },
        },
      });
      const invokeConfigId = this.provider.naming.getLambdaEventConfigLogicalId(f.name);
      if (resources[invokeConfigId]) this.fail(`${f.name}: set no destinations/maximumRetryAttempts of its own; scheduled functions get the dead-letter queue`);
      add(invokeConfigId, {
        Type: 'AWS::Lambda::EventInvokeConfig',
        Properties: {
          FunctionName: { Ref: f.logicalId },
          Qualifier: '$LATEST',
          MaximumRetryAttempts: 2,
          DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
        },
        DependsOn: [policyId],
      });
      let found = 0;
      for (const [id, r] of Object.entries(resources)) {
        if (r.Type === 'AWS::Scheduler::Schedule' && JSON.stringify(r.Properties?.Target ?? {}).includes(`"${f.logicalId}"`)) {
          this.fail(`${f.name}: schedule events with method "scheduler" get no dead-letter queue yet; use the default EventBridge rule`);
        }
        if (r.Type !== 'AWS::Events::Rule') continue;
        for (const target of r.Properties?.Targets ?? []) {
          if (target.Arn?.['Fn::GetAtt']?.[0] !== f.logicalId) continue;
          target.DeadLetterConfig = { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } };
          target.RetryPolicy = { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 3600 };
          found++;
          ruleArns.push({ 'Fn::GetAtt': [id, 'Arn'] });
        }
      }
      if (!found) this.fail(`${f.name}: has schedule events but no EventBridge rule targets it`);
    }
    if (ruleArns.length) {
      add(`${queue}Policy`, {
        Type: 'AWS::SQS::QueuePolicy',
        Properties: {
          Queues: [{ Ref: queue }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'UndeliveredScheduleEvents',
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: { 'Fn::GetAtt': [queue, 'Arn'] },
                Condition: { ArnEquals: { 'aws:SourceArn': ruleArns } },
              },
            ],
          },
        },
      });
    }

    // Proxy saturation: database connections close to the pool the budget gives the proxy.
    const { proxyPool } = connectionBudget(ops.budget, {});
    add('ProxyConnectionsAlarm', alarm(ops.alarmTopic, {
      AlarmName: `${prefix}-proxy-connections`,
      AlarmDescription: `RDS Proxy holds ${PROXY_SATURATION * 100} % or more of its ${proxyPool} database connections for 5 minutes (README "Deploying", connection budget)`,
      Namespace: 'AWS/RDS',
      MetricName: 'DatabaseConnections',
      Dimensions: [{ Name: 'ProxyName', Value: ops.dashboardVariables.ProxyName }],
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      Threshold: Math.ceil(proxyPool * PROXY_SATURATION),
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    }));
    alarmIds.push('ProxyConnectionsAlarm');

    // The dashboard's alarm view lists the alarms written in lib/ops/stack/ too (merged after this runs).
    for (const [id, r] of Object.entries(this.serverless.service.resources?.Resources ?? {})) {
      if (r.Type === 'AWS::CloudWatch::Alarm') alarmIds.push(id);
    }

    add('OpsDashboard', {
      Type: 'AWS::CloudWatch::Dashboard',
      Properties: {
        DashboardName: prefix,
        DashboardBody: {
          'Fn::Sub': [
            dashboardBody({ functions, namespace: ops.namespace, alarmLogicalIds: alarmIds, stage: this.provider.getStage() }),
            {
              ApiId: { Ref: 'HttpApi' },
              DeadLetterQueueName: { 'Fn::GetAtt': [queue, 'QueueName'] },
              ProxyPool: String(proxyPool),
              ...ops.dashboardVariables,
            },
          ],
        },
      },
    });

    const count = Object.keys(resources).length + Object.keys(this.serverless.service.resources?.Resources ?? {}).length;
    if (count > MAX_RESOURCES) this.fail(`the stack would have ${count} resources (CloudFormation's limit is 500): split it before adding more`);
  }

  /** A rotation window that does not parse would refuse every token of the previous key at once. */
  validateRotationWindow() {
    const until = this.serverless.service.provider.environment?.JWT_PREVIOUS_SECRET_UNTIL;
    if (!until) return;
    if (!/^\d{4}-\d{2}-\d{2}T/.test(until) || Number.isNaN(new Date(until).getTime())) {
      this.fail(`jwtPreviousSecretUntil must be an ISO 8601 instant such as 2030-01-31T12:00:00Z (got ${JSON.stringify(until)})`);
    }
  }
}

module.exports = ServerlessOps;
