import pg from 'pg';

/*
 * The statements a call sends to PostgreSQL, for "constant queries per request" checks.
 * pg.Client.prototype.query is wrapped when a test file imports this, before its first request: the
 * pool's clients bind `query` when they are created, so a later wrapper would miss them.
 */
let counted: number | null = null;
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: any[]) {
  if (counted !== null) counted++;
  return (originalQuery as any).apply(this, args);
} as typeof originalQuery;
afterAll(() => {
  pg.Client.prototype.query = originalQuery;
});

export async function statementsOf(run: () => Promise<unknown>): Promise<number> {
  counted = 0;
  try {
    await run();
    return counted;
  } finally {
    counted = null;
  }
}
