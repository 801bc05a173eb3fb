import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { groups } from '../../functions/registry';
import { buildOpenApi, documentForSurface } from '../http/openapi';
import { postmanCollection } from '../http/postman';

/* `npm run postman [-- <baseUrl>]`: one Postman collection per surface in .data/postman/ (also served at /postman/<surface>.json). */
const baseUrl = process.argv[2] ?? 'http://localhost:8000';
const dir = join(process.cwd(), '.data', 'postman');
mkdirSync(dir, { recursive: true });
const doc = buildOpenApi(groups);
for (const surface of ['reflexo', 'v1'] as const) {
  const file = join(dir, `${surface}.json`);
  writeFileSync(file, `${JSON.stringify(postmanCollection(documentForSurface(doc, surface), surface, baseUrl), null, 2)}\n`);
  console.log(`${file}`);
}
