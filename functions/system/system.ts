import { join } from 'node:path';
import { z } from 'zod';
import { config, effectiveSettings, isDeployed } from '../../lib/config';
import { getPool } from '../../lib/db/pool';
import { createHandler } from '../../lib/http/app';
import { NotFound } from '../../lib/errors';
import { defineGroup, reply, route } from '../../lib/http/route';
import { asOpenApi30, documentForSurface } from '../../lib/http/openapi';
import { postmanCollection } from '../../lib/http/postman';
import { serveStatic, staticBytes, staticFile } from '../../lib/http/static';
import { readFile } from 'node:fs/promises';
import { presignedGetUrl } from '../../lib/storage/s3';

/*
 * Health, the OpenAPI document, the interactive reference (Swagger UI served from the installed
 * package: clinics run on closed networks) and the fallback for paths no other function claims.
 */

const OpenApiDocument = z.looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) });
const notModified = { 304: { description: 'No modificado: el ETag enviado en If-None-Match sigue vigente' } };

const Health = z.object({ status: z.enum(['ok', 'degraded']), database: z.enum(['ok', 'unreachable']), version: z.string(), stage: z.string() });

/*
 * The OpenAPI document is generated from the route tables into functions/system/openapi.json
 * (tests/foundation/openapi-document.test.ts regenerates it and fails until it is committed), so
 * this function never loads the other functions' code: small bundle, fast cold start.
 */
const OPENAPI_FILE = join(process.cwd(), 'functions', 'system', 'openapi.json');
/** Swagger UI's files ship in the function package (serverless.yml `package.patterns`). */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
};
const assetFile = (name: string) => join(process.cwd(), 'node_modules', 'swagger-ui-dist', name);

const DOCUMENT_CACHE = 'public, max-age=300, must-revalidate';
const ASSET_CACHE = 'public, max-age=86400, must-revalidate';

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
  <nav style="font:14px sans-serif;padding:10px 20px;background:#1b1b1b">
    <a href="/docs?api=v1" style="color:#fff;margin-right:16px">Consultorio API v1 (/api/v1)</a>
    <a href="/docs?api=reflexo" style="color:#fff;margin-right:16px">Reflexo API (/api/…)</a>
    <a href="/openapi.json" style="color:#aaa">openapi.json (ambas)</a>
  </nav>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`;
/*
 * One contract at a time (?api=v1 or ?api=reflexo, v1 by default: what the React team reads), so
 * Swagger UI renders half the operations; tags start collapsed and a filter box finds any route.
 */
const DOCS_INIT = `var api = new URLSearchParams(location.search).get('api') === 'reflexo' ? 'reflexo' : 'v1';
window.ui = SwaggerUIBundle({ url: '/openapi.json?surface=' + api + '&openapi=3.0', dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: true, docExpansion: 'none', filter: true, defaultModelsExpandDepth: -1 });`;

/** The whole document, or one surface's part of it, as 3.1 or as the docs page's 3.0 (derived once per container). */
function openApiFor(surface: 'reflexo' | 'v1' | undefined, version: '3.1' | '3.0') {
  if (!surface && version === '3.1') return staticFile(OPENAPI_FILE, 'application/json', DOCUMENT_CACHE);
  const load = async () => {
    const full = JSON.parse(await readFile(OPENAPI_FILE, 'utf8'));
    const part = surface ? documentForSurface(full, surface) : full;
    return Buffer.from(JSON.stringify(version === '3.0' ? asOpenApi30(part) : part));
  };
  return staticBytes(`${OPENAPI_FILE}#${surface ?? 'all'}@${version}`, load, 'application/json', DOCUMENT_CACHE);
}

export const group = defineGroup({
  name: 'system',
  prefixes: ['/api/health', '/openapi.json', '/docs', '/media', '/postman'],
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
      path: '/api/health/config',
      access: 'public',
      summary: 'Configuración efectiva (solo en el entorno local; 404 en despliegues)',
      description: 'Lo que las funciones leen de cada variable del README (los secretos solo como "set"). Sirve para comprobar que `npm start` pasa cada ajuste.',
      db: false,
      response: z.object({ stage: z.string(), settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])) }),
      responses: { 404: { description: 'En un despliegue esta ruta no existe' } },
      handler: async () => {
        if (isDeployed()) throw new NotFound();
        return { stage: config.stage, settings: effectiveSettings() };
      },
    }),
    route({
      method: 'GET',
      path: '/openapi.json',
      access: 'public',
      summary: 'Documento OpenAPI 3.1 de ambas superficies (?surface=v1 | reflexo: solo una; ?openapi=3.0: la versión 3.0.3 que lee /docs)',
      description: 'Comprimido (br o gzip) según Accept-Encoding; ETag fuerte para revalidar con If-None-Match.',
      db: false,
      query: z.object({ surface: z.enum(['reflexo', 'v1']).optional(), openapi: z.enum(['3.1', '3.0']).default('3.1') }),
      response: OpenApiDocument,
      responses: notModified,
      handler: async ({ headers, query }) => serveStatic(await openApiFor(query.surface, query.openapi), headers),
    }),
    route({
      method: 'GET',
      path: '/postman/{surface}.json',
      access: 'public',
      summary: 'Colección de Postman de una superficie (login que guarda el token; cada petición comprueba un estado documentado)',
      db: false,
      params: z.object({ surface: z.enum(['reflexo', 'v1']) }),
      response: z.looseObject({ info: z.looseObject({ name: z.string() }), item: z.array(z.unknown()) }),
      responses: notModified,
      handler: async ({ params, headers, baseUrl }) => {
        const load = async () => Buffer.from(JSON.stringify(postmanCollection(documentForSurface(JSON.parse(await readFile(OPENAPI_FILE, 'utf8')), params.surface), params.surface, baseUrl)));
        return serveStatic(await staticBytes(`postman:${params.surface}:${baseUrl}`, load, 'application/json', DOCUMENT_CACHE), headers);
      },
    }),
    route({
      method: 'GET',
      path: '/docs',
      access: 'public',
      summary: 'Referencia interactiva (Swagger UI)',
      db: false,
      responses: { 200: { description: 'Página HTML de Swagger UI', contentTypes: ['text/html'] } },
      handler: async () => reply(200, DOCS_HTML, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': DOCS_CSP, 'Cache-Control': 'no-cache' }),
    }),
    route({
      method: 'GET',
      path: '/docs/{asset}',
      access: 'public',
      summary: 'Archivos estáticos de la referencia',
      db: false,
      params: z.object({ asset: z.enum(['swagger-ui.css', 'swagger-ui-bundle.js', 'init.js']) }),
      responses: { 200: { description: 'Hoja de estilos o script de Swagger UI', contentTypes: ['text/css', 'application/javascript'] }, ...notModified },
      handler: async ({ params, headers }) => {
        if (params.asset === 'init.js') return reply(200, DOCS_INIT, { 'Content-Type': 'application/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=3600' });
        if (!ASSETS[params.asset]) throw new NotFound();
        return serveStatic(await staticFile(assetFile(params.asset), ASSETS[params.asset], ASSET_CACHE), headers);
      },
    }),
    route({
      method: 'GET',
      // The key's segments are parameters of their own: OpenAPI has no parameter that spans a `/`.
      path: '/media/tenants/{tenant}/{kind}/{file}',
      access: 'public',
      summary: 'Foto o logo almacenado: redirige a una URL firmada de corta duración',
      description:
        'Las claves son generadas por el servidor (prefijo del tenant + UUID) y no se pueden adivinar; la URL firmada caduca en 5 minutos.',
      db: false,
      params: z.object({
        tenant: z.string().regex(/^(\d+|global)$/),
        kind: z.enum(['users', 'therapists', 'company']),
        file: z.string().regex(/^[0-9a-f-]{36}\.(jpg|png)$/),
      }),
      status: 302,
      responses: { 302: { description: 'Redirección a la URL firmada' } },
      handler: async ({ params }) => {
        const key = `tenants/${params.tenant}/${params.kind}/${params.file}`;
        return reply(302, undefined, { Location: await presignedGetUrl(key), 'Cache-Control': 'private, max-age=240' });
      },
    }),
  ],
});

export const handler = createHandler(group);
