import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { config } from '../../lib/config';
import { getPool } from '../../lib/db/pool';
import { createHandler } from '../../lib/http/app';
import { NotFound } from '../../lib/http/errors';
import { defineGroup, reply, route } from '../../lib/http/route';
import { presignedGetUrl } from '../../lib/storage/s3';

/*
 * Health, the OpenAPI document, the interactive reference (Swagger UI served from the installed
 * package: clinics run on closed networks) and the fallback for paths no other function claims.
 */

const Health = z.object({ status: z.enum(['ok', 'degraded']), database: z.enum(['ok', 'unreachable']), version: z.string(), stage: z.string() });

/*
 * The OpenAPI document is generated from the route tables into functions/system/openapi.json
 * (tests/foundation/openapi-document.test.ts regenerates it and fails until it is committed), so
 * this function never loads the other functions' code: small bundle, fast cold start.
 */
let openapi: Promise<string> | undefined;
const openApiJson = () => (openapi ??= readFile(join(process.cwd(), 'functions', 'system', 'openapi.json'), 'utf8'));

/** Swagger UI's files ship in the function package (serverless.yml `package.patterns`). */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
};
const assetCache = new Map<string, string>();
async function asset(name: string): Promise<string> {
  let body = assetCache.get(name);
  if (body === undefined) {
    body = await readFile(join(process.cwd(), 'node_modules', 'swagger-ui-dist', name), 'utf8');
    assetCache.set(name, body);
  }
  return body;
}

const DOCS_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";
const DOCS_HTML = `<!doctype html>
<html lang="es">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Reflexo API — referencia</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`;
// ~300 operations: tags start collapsed (and render quickly); a filter box finds any route.
const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: true, docExpansion: 'none', filter: true });`;

export const group = defineGroup({
  name: 'system',
  prefixes: ['/api/health', '/openapi.json', '/docs', '/media'],
  tag: 'System',
  catchAll: true,
  routes: [
    route({
      method: 'GET',
      path: '/api/health',
      access: 'public',
      summary: 'Estado del servicio y de la base de datos',
      db: false,
      response: Health,
      responses: { 503: { description: 'Base de datos inalcanzable', schema: Health } },
      handler: async () => {
        let database: 'ok' | 'unreachable' = 'ok';
        try {
          await getPool().query('SELECT 1');
        } catch {
          database = 'unreachable';
        }
        const body = { status: database === 'ok' ? 'ok' : 'degraded', database, version: config.version, stage: config.stage };
        return reply(database === 'ok' ? 200 : 503, body);
      },
    }),
    route({
      method: 'GET',
      path: '/openapi.json',
      access: 'public',
      summary: 'Documento OpenAPI 3.1 de ambas superficies',
      db: false,
      handler: async () => reply(200, await openApiJson(), { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300' }),
    }),
    route({
      method: 'GET',
      path: '/docs',
      access: 'public',
      summary: 'Referencia interactiva (Swagger UI)',
      db: false,
      handler: async () => reply(200, DOCS_HTML, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': DOCS_CSP, 'Cache-Control': 'no-cache' }),
    }),
    route({
      method: 'GET',
      path: '/docs/{asset}',
      access: 'public',
      summary: 'Archivos estáticos de la referencia',
      db: false,
      params: z.object({ asset: z.enum(['swagger-ui.css', 'swagger-ui-bundle.js', 'init.js']) }),
      handler: async ({ params }) => {
        if (params.asset === 'init.js') return reply(200, DOCS_INIT, { 'Content-Type': 'application/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=3600' });
        if (!ASSETS[params.asset]) throw new NotFound();
        return reply(200, await asset(params.asset), { 'Content-Type': ASSETS[params.asset], 'Cache-Control': 'public, max-age=86400' });
      },
    }),
    route({
      method: 'GET',
      path: '/media/{key+}',
      access: 'public',
      summary: 'Foto o logo almacenado: redirige a una URL firmada de corta duración',
      description:
        'Las claves son generadas por el servidor (prefijo del tenant + UUID) y no se pueden adivinar; la URL firmada caduca en 5 minutos.',
      db: false,
      params: z.object({ key: z.string().regex(/^tenants\/(\d+|global)\/(users|therapists|company)\/[0-9a-f-]{36}\.(jpg|png)$/) }),
      responses: { 302: { description: 'Redirección a la URL firmada' } },
      handler: async ({ params }) => reply(302, undefined, { Location: await presignedGetUrl(params.key), 'Cache-Control': 'private, max-age=240' }),
    }),
  ],
});

export const handler = createHandler(group);
