import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { RouteGroup } from '../../lib/http/route';
import type { Handler } from './http';

/* The functions serverless.yml declares, with the module each handler points at. */
export const ROOT = join(__dirname, '..', '..');

export interface DeclaredFunction {
  name: string;
  file: string;
  events: string[];
  group: RouteGroup;
  handler: Handler;
}

export function declaredFunctions(): DeclaredFunction[] {
  const doc = yaml.load(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')) as {
    functions: Record<string, { handler: string; events: { httpApi: string }[] }>;
  };
  return Object.entries(doc.functions).map(([name, fn]) => {
    const file = fn.handler.replace(/\.handler$/, '');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(join(ROOT, `${file}.ts`));
    return { name, file, events: fn.events.map((e) => e.httpApi), group: mod.group, handler: mod.handler };
  });
}
