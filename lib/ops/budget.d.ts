/* Types of lib/ops/budget.js (plain JS: the serverless plugin requires it without a TypeScript step). */
export interface BudgetSettings {
  dbMinAcu: number | string;
  dbMaxAcu: number | string;
  proxyMaxConnectionsPercent: number | string;
  lambdaAccountConcurrency: number | string;
}
export interface ConnectionBudget {
  database: number;
  proxyPool: number;
  reserved: number;
  reservable: number;
  problems: string[];
}
export const MAX_CONNECTIONS: { minAcu: number; maxAcu: number; connections: number }[];
export const UNRESERVED_MINIMUM: number;
export function maxConnections(minAcu: number | string, maxAcu: number | string): number;
export function connectionBudget(settings: BudgetSettings, functions: Record<string, number | null>): ConnectionBudget;
