import { sql, type SelectQueryBuilder } from 'kysely';

/*
 * Page-number pagination for every list. The total comes from `count(*) OVER ()` in the same query
 * (one round trip on the common path); only a page past the end needs a second, counting query.
 */
export interface Page<T> {
  rows: T[];
  count: number;
  page: number;
  size: number;
}

export async function paginate<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  page: number,
  size: number,
): Promise<Page<O>> {
  const rows = (await qb
    .select(sql<number>`count(*) over ()`.as('__total'))
    .limit(size)
    .offset((page - 1) * size)
    .execute()) as (O & { __total: number })[];
  let count: number;
  if (rows.length) count = Number(rows[0].__total);
  else {
    const r = await qb
      .clearSelect()
      .clearOrderBy()
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirst();
    count = Number((r as { n?: number } | undefined)?.n ?? 0);
  }
  for (const r of rows) delete (r as { __total?: number }).__total;
  return { rows, count, page, size };
}

