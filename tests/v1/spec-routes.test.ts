import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { groups } from '../../functions/registry';
import { buildOpenApi } from '../../lib/http/openapi';

/*
 * The Consultorio contract's route list, read from the spec itself (every "METHOD /api/v1/..." line of
 * its code blocks): each method + path pair must be an operation of the served OpenAPI document, with
 * the spec's own parameter names.
 */
const SPEC = join(__dirname, '..', '..', '..', 'shared', 'spec', 'consultorio-api-v1.md');

function specPairs(): string[] {
  const text = readFileSync(SPEC, 'utf8');
  return [...text.matchAll(/^(GET|POST|PUT|PATCH|DELETE)\s+(\/api\/v1\/\S+)\s*$/gm)].map((m) => `${m[1]} ${m[2]}`);
}

it('the spec lists 128 routes, and every one is in /openapi.json', () => {
  const pairs = specPairs();
  expect(pairs).toHaveLength(128);
  const doc = buildOpenApi(groups) as { paths: Record<string, Record<string, unknown>> };
  const missing = pairs.filter((p) => {
    const [method, path] = p.split(' ');
    return !doc.paths[path]?.[method.toLowerCase()];
  });
  expect(missing).toEqual([]);
});
