import pg from 'pg';
import { config } from '../config';

/*
 * One pg Pool per Lambda container, created on first use and reused across invocations.
 * Type parsers are set once: int8 (counts, sums of integers) as numbers, `date` as the plain
 * 'YYYY-MM-DD' string it is (a JS Date would shift it by the server's time zone), numeric stays a
 * string so money never passes through a float.
 */
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1082, (v) => v);

let pool: pg.Pool | undefined;

/*
 * Production gives each Lambda container ONE connection. Code that asks for the pool while its
 * request already holds a connection (a second transaction, a stray query) would wait for itself
 * there, so it fails here, loudly, whatever the local pool size.
 */
export class SecondConnectionError extends Error {
  constructor() {
    super('a second database connection was requested while this request holds one (a Lambda container has exactly one)');
  }
}
let holding: () => boolean = () => false;
/** lib/db/tenant.ts tells the pool how to know whether the caller is inside a transaction. */
export const holdsConnection = (probe: () => boolean) => void (holding = probe);

export function getPool(): pg.Pool {
  if (holding()) throw new SecondConnectionError();
  if (!pool) {
    pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: config.dbPoolMax,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 5_000,
      statement_timeout: config.dbStatementTimeoutMs,
      idle_in_transaction_session_timeout: config.dbStatementTimeoutMs + 2_000,
      application_name: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'reflexo-api',
    });
    // A server restart or a killed backend ends idle connections; without a listener that would crash
    // the process. The next checkout simply opens a new connection.
    pool.on('error', () => {});
  }
  return pool;
}

export async function closePool(): Promise<void> {
  const p = pool;
  pool = undefined;
  if (p) await p.end();
}
