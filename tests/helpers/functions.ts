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

type ServerlessEvent = { httpApi?: string } & Record<string, unknown>;
type ServerlessFunction = { handler: string; events?: ServerlessEvent[] };

function serverlessFunctions(): [string, ServerlessFunction][] {
  const doc = yaml.load(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')) as { functions: Record<string, ServerlessFunction> };
  return Object.entries(doc.functions);
}

const isHttp = (fn: ServerlessFunction) => (fn.events ?? []).some((e) => 'httpApi' in e);

/** The route groups: every function behind the HTTP API (each of its events is an httpApi route). */
export function declaredFunctions(): DeclaredFunction[] {
  return serverlessFunctions()
    .filter(([, fn]) => isHttp(fn))
    .map(([name, fn]) => {
      const file = fn.handler.replace(/\.handler$/, '');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(join(ROOT, `${file}.ts`));
      return { name, file, events: (fn.events ?? []).map((e) => e.httpApi as string), group: mod.group, handler: mod.handler };
    });
}

export interface NonHttpFunction {
  name: string;
  file: string;
  /** The kinds of its events (`schedule`, …); empty for a function that is only ever invoked. */
  eventKinds: string[];
}

/** Functions no HTTP route reaches: invoked by operators (migrate) or by a schedule. */
export function nonHttpFunctions(): NonHttpFunction[] {
  return serverlessFunctions()
    .filter(([, fn]) => !isHttp(fn))
    .map(([name, fn]) => ({ name, file: fn.handler.replace(/\.handler$/, ''), eventKinds: (fn.events ?? []).flatMap((e) => Object.keys(e)) }));
}
