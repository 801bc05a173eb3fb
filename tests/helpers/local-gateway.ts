import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { declaredFunctions } from './functions';
import { buildEvent } from './http';

/*
 * A minimal in-process API Gateway for tests that need a real HTTP client (a browser): each request
 * goes to the function whose prefix matches, like the httpApi routes in serverless.yml.
 */
export async function startGateway(): Promise<{ url: string; close: () => Promise<void> }> {
  const functions = declaredFunctions();
  const pick = (path: string) =>
    (functions.find((f) => f.group.prefixes.some((p) => path === p || path.startsWith(`${p}/`))) ?? functions.find((f) => f.group.catchAll)!).handler;
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]));
    const body = Buffer.concat(chunks);
    const event = buildEvent({ method: req.method, path: url.pathname, query: url.search.slice(1), headers, raw: body.length ? { body, contentType: headers['content-type'] } : undefined });
    const out = (await pick(url.pathname)(event, {} as never)) as { statusCode: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean };
    res.writeHead(out.statusCode, out.headers ?? {});
    res.end(out.isBase64Encoded ? Buffer.from(out.body ?? '', 'base64') : (out.body ?? ''));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}
