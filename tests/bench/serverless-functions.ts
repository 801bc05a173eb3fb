import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';

/* Function name → handler file, read from serverless.yml (without loading the modules). */
export function declaredFunctionFiles(root: string): { name: string; file: string }[] {
  const doc = yaml.load(readFileSync(join(root, 'serverless.yml'), 'utf8')) as { functions: Record<string, { handler: string }> };
  return Object.entries(doc.functions).map(([name, fn]) => ({ name, file: fn.handler.replace(/\.handler$/, '') }));
}
