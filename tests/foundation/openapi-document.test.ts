import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { groups } from '../../functions/registry';
import { buildOpenApi } from '../../lib/http/openapi';

/*
 * The served OpenAPI document is generated from the route tables. When they change, this test
 * rewrites functions/system/openapi.json and fails once, so the new document gets committed; in CI
 * (CI=true) it only compares.
 */
const FILE = join(__dirname, '..', '..', 'functions', 'system', 'openapi.json');

it('functions/system/openapi.json is the document the route tables describe', () => {
  const expected = `${JSON.stringify(buildOpenApi(groups), null, 1)}\n`;
  let committed = '';
  try {
    committed = readFileSync(FILE, 'utf8');
  } catch {
    /* first generation */
  }
  if (committed !== expected && !process.env.CI) writeFileSync(FILE, expected);
  expect(committed === expected ? 'up to date' : 'functions/system/openapi.json was stale: regenerated, commit it').toBe('up to date');
});
