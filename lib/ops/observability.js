'use strict';
/*
 * What CloudWatch watches, per function, built from the functions list by lib/ops/serverless-ops.js
 * (so a function added to serverless.yml is watched the moment it is packaged). Plain data builders:
 * tests/ops read the same definitions.
 */

/**
 * The request log line (lib/http/middleware.ts logRequest) of every response the function answered
 * with a 5xx. CloudWatch's JSON filter syntax; tests/ops/log-filter.test.ts evaluates it against a
 * line the middleware really writes.
 */
const REQUEST_5XX_PATTERN = '{ ($.msg = "request") && ($.status >= 500) }';
const HTTP_5XX_METRIC = 'Http5xx';

/** A p99 this close to the function's timeout means requests are about to be cut. */
const DURATION_ALARM_FRACTION = 0.8;

function alarm(topic, props) {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      ActionsEnabled: true,
      AlarmActions: [{ Ref: topic }],
      OKActions: [{ Ref: topic }],
      TreatMissingData: 'notBreaching',
      ...props,
    },
  };
}

/** A metric-math alarm watches at most 10 metrics (a hard CloudWatch limit). */
const FUNCTIONS_PER_ALARM = 10;

/**
 * Errors, throttles and p99 duration of a group of at most 10 functions with the same timeout, one
 * metric-math alarm each (SUM of the errors, SUM of the throttles, MAX of the p99s): three alarms per
 * ten functions instead of three per function, which keeps the stack far below CloudFormation's 500
 * resources. The description names the functions; the dashboard shows each one's own graphs.
 */
function groupAlarms({ name, functionNames, timeoutSeconds, topic }) {
  if (!functionNames.length || functionNames.length > FUNCTIONS_PER_ALARM) throw new Error(`an alarm watches 1–${FUNCTIONS_PER_ALARM} functions (got ${functionNames.length})`);
  const metrics = (metricName, stat, expression, label) => [
    ...functionNames.map((fn, i) => ({
      Id: `m${i}`,
      MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: metricName, Dimensions: [{ Name: 'FunctionName', Value: fn }] }, Period: 300, Stat: stat },
      ReturnData: false,
    })),
    { Id: 'total', Expression: `${expression}([${functionNames.map((_, i) => `m${i}`).join(', ')}])`, Label: label, ReturnData: true },
  ];
  const list = functionNames.join(', ');
  const base = { EvaluationPeriods: 1, DatapointsToAlarm: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' };
  return {
    Errors: alarm(topic, {
      ...base,
      AlarmName: `${name}-errors`,
      AlarmDescription: `Invocations failed (crash, timeout, unhandled rejection) in the last 5 minutes, in one of: ${list}`,
      Metrics: metrics('Errors', 'Sum', 'SUM', 'errors'),
      Threshold: 1,
    }),
    Throttles: alarm(topic, {
      ...base,
      AlarmName: `${name}-throttles`,
      AlarmDescription: `Invocations refused because a function's reserved concurrency (its share of the connection budget) was in use, in one of: ${list}`,
      Metrics: metrics('Throttles', 'Sum', 'SUM', 'throttles'),
      Threshold: 1,
    }),
    DurationP99: alarm(topic, {
      ...base,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      AlarmName: `${name}-duration-p99`,
      AlarmDescription: `p99 duration above ${DURATION_ALARM_FRACTION * 100} % of the ${timeoutSeconds} s timeout for 15 minutes, in one of: ${list}`,
      Metrics: metrics('Duration', 'p99', 'MAX', 'worst p99 (ms)'),
      Threshold: Math.round(timeoutSeconds * 1000 * DURATION_ALARM_FRACTION),
    }),
  };
}

/** Functions → groups of ≤ 10 with one timeout each, in a stable order (by timeout, then name). */
function alarmGroups(functions) {
  const byTimeout = new Map();
  for (const f of [...functions].sort((a, b) => a.timeoutSeconds - b.timeoutSeconds || a.name.localeCompare(b.name))) {
    if (!byTimeout.has(f.timeoutSeconds)) byTimeout.set(f.timeoutSeconds, []);
    byTimeout.get(f.timeoutSeconds).push(f);
  }
  const groups = [];
  for (const [timeoutSeconds, fs] of byTimeout) {
    for (let i = 0; i < fs.length; i += FUNCTIONS_PER_ALARM) groups.push({ timeoutSeconds, functions: fs.slice(i, i + FUNCTIONS_PER_ALARM), index: i / FUNCTIONS_PER_ALARM + 1 });
  }
  return groups;
}

/** Counts the function's 5xx responses from its request log lines, per function name. */
function http5xxMetricFilter({ logGroupLogicalId, namespace }) {
  return {
    Type: 'AWS::Logs::MetricFilter',
    Properties: {
      LogGroupName: { Ref: logGroupLogicalId },
      FilterPattern: REQUEST_5XX_PATTERN,
      MetricTransformations: [
        {
          MetricNamespace: namespace,
          MetricName: HTTP_5XX_METRIC,
          MetricValue: '1',
          Unit: 'Count',
          Dimensions: [{ Key: 'Function', Value: '$.function' }],
        },
      ],
    },
    DependsOn: [logGroupLogicalId],
  };
}

/**
 * One dashboard for the stage: the API, every function, the proxy and database, the dead letters
 * and mail reputation, and the state of every alarm. `functions` = [{ name, functionName }].
 */
function dashboardBody({ functions, namespace, alarmLogicalIds, stage }) {
  const perFunction = (metric, stat, label) =>
    functions.map((f) => ['AWS/Lambda', metric, 'FunctionName', f.functionName, { stat, label: `${f.name} ${label}` }]);
  const graph = (title, metrics, extra = {}) => ({
    type: 'metric',
    width: 12,
    height: 6,
    properties: { title, view: 'timeSeries', region: '${AWS::Region}', period: 300, metrics, ...extra },
  });
  // A Logs Insights query reads at most 50 log groups.
  const sources = functions.slice(0, 50).map((f) => `SOURCE '/aws/lambda/${f.functionName}'`).join(' | ');
  const logTable = (title, query) => ({
    type: 'log',
    width: 24,
    height: 6,
    properties: { title, region: '${AWS::Region}', view: 'table', query: `${sources} | ${query}` },
  });
  const widgets = [
    graph('HTTP API: requests, 4xx, 5xx', [
      ['AWS/ApiGateway', 'Count', 'ApiId', '${ApiId}', { stat: 'Sum' }],
      ['AWS/ApiGateway', '4xx', 'ApiId', '${ApiId}', { stat: 'Sum' }],
      ['AWS/ApiGateway', '5xx', 'ApiId', '${ApiId}', { stat: 'Sum' }],
    ]),
    graph('HTTP API: latency p50 / p99 (ms)', [
      ['AWS/ApiGateway', 'Latency', 'ApiId', '${ApiId}', { stat: 'p50' }],
      ['AWS/ApiGateway', 'Latency', 'ApiId', '${ApiId}', { stat: 'p99' }],
    ]),
    graph('5xx responses per function (request log lines)', functions.map((f) => [namespace, HTTP_5XX_METRIC, 'Function', f.functionName, { stat: 'Sum', label: f.name }])),
    graph('Lambda errors per function', perFunction('Errors', 'Sum', 'errors')),
    graph('Lambda throttles per function', perFunction('Throttles', 'Sum', 'throttles')),
    graph('Lambda p99 duration per function (ms)', perFunction('Duration', 'p99', 'p99')),
    graph('Concurrent executions per function', perFunction('ConcurrentExecutions', 'Maximum', 'concurrent')),
    graph('RDS Proxy: connections', [
      ['AWS/RDS', 'DatabaseConnections', 'ProxyName', '${ProxyName}', { stat: 'Maximum', label: 'to the database' }],
      ['AWS/RDS', 'ClientConnections', 'ProxyName', '${ProxyName}', { stat: 'Maximum', label: 'from functions' }],
      ['AWS/RDS', 'DatabaseConnectionsCurrentlySessionPinned', 'ProxyName', '${ProxyName}', { stat: 'Maximum', label: 'pinned' }],
    ], { annotations: { horizontal: [{ label: 'proxy pool', value: '${ProxyPool}' }] } }),
    graph('RDS Proxy: borrow latency (µs)', [['AWS/RDS', 'DatabaseConnectionsBorrowLatency', 'ProxyName', '${ProxyName}', { stat: 'p99' }]]),
    graph('Aurora: capacity (ACU) and CPU', [
      ['AWS/RDS', 'ServerlessDatabaseCapacity', 'DBClusterIdentifier', '${ClusterId}', { stat: 'Maximum' }],
      ['AWS/RDS', 'CPUUtilization', 'DBClusterIdentifier', '${ClusterId}', { stat: 'Maximum', yAxis: 'right' }],
    ]),
    graph('Scheduled functions: dead letters', [['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', '${DeadLetterQueueName}', { stat: 'Maximum' }]]),
    graph('SES: bounce and complaint rate', [
      ['AWS/SES', 'Reputation.BounceRate', { stat: 'Maximum' }],
      ['AWS/SES', 'Reputation.ComplaintRate', { stat: 'Maximum', yAxis: 'right' }],
    ]),
    logTable('Routes answering 5xx (last hour)', 'filter msg = "request" and status >= 500 | stats count(*) as responses_5xx by function, route | sort responses_5xx desc | limit 50'),
    logTable('Slowest routes (last hour)', 'filter msg = "request" | stats pct(ms, 99) as p99_ms, count(*) as requests by function, route | sort p99_ms desc | limit 50'),
  ];
  // An alarm widget shows at most 100 alarms.
  for (let i = 0; i < alarmLogicalIds.length; i += 100) {
    widgets.push({
      type: 'alarm',
      width: 24,
      height: 6,
      properties: { title: `Alarms of ${stage}${i ? ` (${i / 100 + 1})` : ''}`, alarms: alarmLogicalIds.slice(i, i + 100).map((id) => `\${${id}.Arn}`) },
    });
  }
  return JSON.stringify({ widgets });
}

module.exports = { REQUEST_5XX_PATTERN, HTTP_5XX_METRIC, DURATION_ALARM_FRACTION, FUNCTIONS_PER_ALARM, alarm, groupAlarms, alarmGroups, http5xxMetricFilter, dashboardBody };
