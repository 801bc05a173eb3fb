/*
 * Money leaves PostgreSQL as an exact decimal string (numeric(12,2), never a float in arithmetic).
 * Each contract decides per field how it travels: a JSON number where its example shows one, a
 * "150.00" string where it shows a string. One helper each way, so no field formats it by hand.
 */
type Decimal = string | number | null | undefined;

/** `"150.5"` → `150.5`; null stays null. Only for output: sums and checks stay in SQL or in strings. */
export const moneyNumber = (v: Decimal): number | null => (v === null || v === undefined ? null : Math.round(Number(v) * 100) / 100);

/** `"150.5"` or `150.5` → `"150.50"`; null stays null. */
export function moneyString(v: Decimal): string | null {
  if (v === null || v === undefined) return null;
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(String(v).trim());
  if (!m) return Number(v).toFixed(2);
  const cents = `${(m[3] ?? '').padEnd(2, '0').slice(0, 2)}`;
  return `${m[1] ?? ''}${m[2]}.${cents}`;
}
