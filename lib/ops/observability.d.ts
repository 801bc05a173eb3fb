/* Types of lib/ops/observability.js (plain JS: the serverless plugin requires it without a TypeScript step). */
type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
export const REQUEST_5XX_PATTERN: string;
export const HTTP_5XX_METRIC: string;
export const DURATION_ALARM_FRACTION: number;
export function alarm(topic: string, props: Record<string, unknown>): Resource;
export const FUNCTIONS_PER_ALARM: number;
export function groupAlarms(opts: { name: string; functionNames: string[]; timeoutSeconds: number; topic: string }): Record<'Errors' | 'Throttles' | 'DurationP99', Resource>;
export function alarmGroups<F extends { name: string; timeoutSeconds: number }>(functions: F[]): { timeoutSeconds: number; functions: F[]; index: number }[];
export function http5xxMetricFilter(opts: { logGroupLogicalId: string; namespace: string }): Resource;
export function dashboardBody(opts: { functions: { name: string; functionName: string }[]; namespace: string; alarmLogicalIds: string[]; stage: string }): string;
