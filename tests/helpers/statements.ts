import pg from 'pg';

/*
 * The statements a call sends to PostgreSQL, for "constant queries per request" checks.
 * pg.Client.prototype.query is wrapped when a test file imports this, before its first request: the
 * pool's clients bind `query` when they are created, so a later wrapper would miss them.
 * Every query() call is one round trip (a multi-statement simple query is still one).
 */
let captured: string[] | null = null;
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: any[]) {
  if (captured !== null) {
    const a = args[0];
    captured.push(String(typeof a === 'string' ? a : a?.text).replace(/\s+/g, ' ').trim());
  }
  return (originalQuery as any).apply(this, args);
} as typeof originalQuery;
afterAll(() => {
  pg.Client.prototype.query = originalQuery;
});

/** The text of every round trip `run` makes, in order. */
export async function statementTextsOf(run: () => Promise<unknown>): Promise<string[]> {
  captured = [];
  const mine = captured;
  try {
    await run();
    return mine;
  } finally {
    captured = null;
  }
}

export const statementsOf = async (run: () => Promise<unknown>): Promise<number> => (await statementTextsOf(run)).length;
