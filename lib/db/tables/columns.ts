import type { ColumnType } from 'kysely';

/*
 * Shared column types. Timestamps read as Date; `date` columns read as 'YYYY-MM-DD' strings
 * (see pool.ts); numeric reads as a decimal string.
 */
export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
export type CreatedAt = ColumnType<Date, never, never>;
export type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
