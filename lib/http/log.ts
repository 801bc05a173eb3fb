import { config } from '../config';

/** One JSON object per line on stdout: CloudWatch Logs Insights can query every field. */
export function logLine(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown>): void {
  const threshold = config.logLevel;
  if (threshold === 'silent') return;
  if (threshold === 'error' && level !== 'error') return;
  if (threshold === 'warn' && level === 'info') return;
  process.stdout.write(JSON.stringify({ level, msg, time: new Date().toISOString(), ...fields }) + '\n');
}
