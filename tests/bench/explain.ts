import type pg from 'pg';

/*
 * EXPLAIN (without ANALYZE: plans only, nothing executed, writes included) for a route's statements,
 * and the check the issue asks for: no sequential scan over a tenant table (one with reflexo_id)
 * holding more than 10,000 rows (pg_class.reltuples, fresh after the seed's ANALYZE).
 */
export const SEQ_SCAN_LIMIT = 10_000;

export interface PlanReport {
  sql: string;
  plan: string;
  /** Tenant tables scanned sequentially, with their row estimates. */
  seqScans: { table: string; rows: number }[];
  violation: boolean;
  error?: string;
}

let tenantTables: Map<string, number> | undefined;

async function tenantTableRows(client: pg.Client): Promise<Map<string, number>> {
  if (!tenantTables) {
    const { rows } = await client.query<{ table: string; rows: number }>(
      `SELECT c.relname AS table, c.reltuples::bigint AS rows FROM pg_class c
         JOIN information_schema.columns col ON col.table_name = c.relname AND col.table_schema = 'public' AND col.column_name = 'reflexo_id'
        WHERE c.relkind = 'r'`,
    );
    tenantTables = new Map(rows.map((r) => [r.table, Number(r.rows)]));
  }
  return tenantTables;
}

function seqScansIn(node: any, out: string[]) {
  if (node['Node Type'] === 'Seq Scan' && node['Relation Name']) out.push(node['Relation Name']);
  for (const child of node.Plans ?? []) seqScansIn(child, out);
}

export async function explainStatements(client: pg.Client, statements: { text: string; values?: unknown[] }[]): Promise<PlanReport[]> {
  const sizes = await tenantTableRows(client);
  const reports: PlanReport[] = [];
  for (const s of statements) {
    const sql = s.text.replace(/\s+/g, ' ').trim();
    // The transaction envelope (set_config, the auth probe glued to BEGIN) is not a data statement.
    if (!/^(SELECT|WITH|INSERT|UPDATE|DELETE)\b/i.test(sql) || /set_config\(/i.test(sql)) continue;
    try {
      const text = (await client.query(`EXPLAIN ${s.text}`, s.values as unknown[])).rows.map((r) => r['QUERY PLAN']).join('\n');
      const json = (await client.query(`EXPLAIN (FORMAT JSON) ${s.text}`, s.values as unknown[])).rows[0]['QUERY PLAN'][0];
      const scanned: string[] = [];
      seqScansIn(json.Plan, scanned);
      const seqScans = scanned.filter((t) => sizes.has(t)).map((t) => ({ table: t, rows: sizes.get(t)! }));
      reports.push({ sql, plan: text, seqScans, violation: seqScans.some((x) => x.rows > SEQ_SCAN_LIMIT) });
    } catch (err) {
      reports.push({ sql, plan: '', seqScans: [], violation: false, error: (err as Error).message });
    }
  }
  return reports;
}
