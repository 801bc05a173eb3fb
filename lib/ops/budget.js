'use strict';
/*
 * The connection budget of a stage, written down once and used by the serverless plugin
 * (lib/ops/serverless-ops.js: it refuses to package a stage whose functions could hold more
 * connections than the budget), by the proxy-saturation alarm, and by tests/ops.
 *
 * Each Lambda container holds at most ONE database connection (DB_POOL_MAX is 1 on Lambda and no
 * request needs a second; lib/db refuses one). So the connections this stage's functions can open are
 * at most the number of containers that can run at once, which reserved concurrency bounds per
 * function. RDS Proxy multiplexes those client connections onto fewer database connections between
 * transactions, but a session it has to pin keeps one database connection per container; the budget
 * therefore assumes no multiplexing at all, so it holds even in the worst case.
 *
 *   database connections (Aurora Serverless v2: max_connections follows the MAXIMUM capacity)
 *     × proxyMaxConnectionsPercent (what RDS Proxy may open; the rest is left for the owner and psql)
 *     = the proxy's pool, which must be ≥ Σ reserved concurrency of the functions
 *   and Σ reserved concurrency ≤ the account's Lambda concurrency − 100 (Lambda keeps 100 unreserved).
 */

/*
 * max_connections of an Aurora PostgreSQL Serverless v2 instance by its capacity range, as AWS
 * documents it (Aurora User Guide, "Maximum connections for Aurora Serverless v2"). Only ranges whose
 * value is written here can be budgeted: add a row from AWS's table before using another range, and
 * check it after the first deploy (the `migrate` report prints the server's max_connections).
 */
const MAX_CONNECTIONS = [
  { minAcu: 0.5, maxAcu: 1, connections: 189 },
  { minAcu: 1, maxAcu: 16, connections: 3360 },
  { minAcu: 1, maxAcu: 32, connections: 5000 },
];

/** Lambda keeps this much of an account's concurrency unreserved. */
const UNRESERVED_MINIMUM = 100;

function maxConnections(minAcu, maxAcu) {
  const row = MAX_CONNECTIONS.find((r) => r.minAcu === Number(minAcu) && r.maxAcu === Number(maxAcu));
  if (!row) {
    throw new Error(`no documented max_connections for Aurora Serverless v2 at ${minAcu}–${maxAcu} ACU: add it to lib/ops/budget.js`);
  }
  return row.connections;
}

/**
 * The budget of one stage. `functions` maps each function name to its reserved concurrency (null:
 * not reserved, which only a function that never connects to the database may be).
 */
function connectionBudget({ dbMinAcu, dbMaxAcu, proxyMaxConnectionsPercent, lambdaAccountConcurrency }, functions) {
  const database = maxConnections(dbMinAcu, dbMaxAcu);
  const proxyPool = Math.floor((database * Number(proxyMaxConnectionsPercent)) / 100);
  const reserved = Object.values(functions).reduce((sum, n) => sum + (n ?? 0), 0);
  const reservable = Number(lambdaAccountConcurrency) - UNRESERVED_MINIMUM;
  const problems = [];
  if (reserved > proxyPool) problems.push(`the functions may hold ${reserved} connections, the proxy's pool is ${proxyPool} (${proxyMaxConnectionsPercent} % of ${database})`);
  if (reserved > reservable) problems.push(`the functions reserve ${reserved} concurrent executions, the account can reserve ${reservable} (${lambdaAccountConcurrency} − ${UNRESERVED_MINIMUM})`);
  return { database, proxyPool, reserved, reservable, problems };
}

module.exports = { MAX_CONNECTIONS, UNRESERVED_MINIMUM, maxConnections, connectionBudget };
