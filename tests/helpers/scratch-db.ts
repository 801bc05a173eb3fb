import pg from 'pg';
import { withDatabase } from '../../lib/dev/postgres';

/*
 * Databases of a test file's own on the test run's server (TEST_SERVER_URL), for work that must not
 * touch the shared test database: a migration run, a whole local stack, a job that drains every mail.
 * Made with lib/dev/postgres.ts prepareDatabase; dropped here.
 */

/** A client on `url` for the length of `fn`. */
export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** The server's maintenance database, as the owner of the test run. */
export const onServer = <T>(fn: (c: pg.Client) => Promise<T>) => withClient(withDatabase(process.env.TEST_SERVER_URL!, 'postgres'), fn);

/** Drops the named scratch databases, closing whatever still holds them. */
export const dropDatabases = (...names: string[]) =>
  onServer(async (c) => {
    for (const name of names) await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
