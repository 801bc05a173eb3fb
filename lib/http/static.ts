import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { binary, reply, type Reply } from './route';

/*
 * Large files the docs page downloads on every visit (the ~1 MB OpenAPI document, ~1.7 MB of
 * Swagger UI): read and hashed once per container, compressed at most once per coding, and
 * revalidated by ETag so a reload costs a 304 instead of megabytes.
 */

type Coding = 'br' | 'gzip';

export interface StaticFile {
  contentType: string;
  cacheControl: string;
  /** Hash of the uncompressed bytes: every encoding of the same content shares it. */
  hash: string;
  identity: Buffer;
  encoded: Partial<Record<Coding, Buffer>>;
}

const encoders: Record<Coding, (data: Buffer) => Buffer> = {
  // Quality 5 keeps most of brotli's gain over gzip while compressing 1 MB in tens of ms, not seconds (11).
  br: (data) => brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } }),
  gzip: (data) => gzipSync(data, { level: 6 }),
};

const files = new Map<string, Promise<StaticFile>>();

/** The file at `path`, loaded on first use and kept for the container's lifetime. */
export const staticFile = (path: string, contentType: string, cacheControl: string): Promise<StaticFile> => staticBytes(path, () => readFile(path), contentType, cacheControl);

/** Bytes produced once per container under `key` (a file, or a document derived from one). */
export function staticBytes(key: string, load: () => Promise<Buffer>, contentType: string, cacheControl: string): Promise<StaticFile> {
  let file = files.get(key);
  if (!file) {
    file = load().then((identity) => ({ contentType, cacheControl, identity, hash: createHash('sha256').update(identity).digest('base64url').slice(0, 32), encoded: {} }));
    // A failed load is not cached: the next request tries again.
    file.catch(() => files.delete(key));
    files.set(key, file);
  }
  return file;
}

/** The coding the client prefers among those served (br over gzip), honouring `q=0` refusals. */
export function negotiate(acceptEncoding: string | undefined): Coding | 'identity' {
  const q = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').toLowerCase().split(',')) {
    const [name, ...params] = part.split(';').map((p) => p.trim());
    if (!name) continue;
    const weight = params.find((p) => p.startsWith('q='));
    q.set(name, weight ? Number(weight.slice(2)) || 0 : 1);
  }
  const accepts = (c: string) => (q.get(c) ?? q.get('*') ?? 0) > 0;
  return accepts('br') ? 'br' : accepts('gzip') ? 'gzip' : 'identity';
}

/*
 * Each encoding is its own representation, so each gets its own strong tag (`"<hash>-br"`); a tag of
 * any encoding of the current content still revalidates, whichever the client asks for now.
 */
const etagOf = (file: StaticFile, coding: Coding | 'identity') => (coding === 'identity' ? `"${file.hash}"` : `"${file.hash}-${coding}"`);
const stillFresh = (ifNoneMatch: string | undefined, file: StaticFile) =>
  !!ifNoneMatch &&
  ifNoneMatch.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag.replace(/-(br|gzip)"$/, '"') === `"${file.hash}"`;
  });

/** 304 for a matching If-None-Match, else the bytes in the best coding the client accepts. */
export function serveStatic(file: StaticFile, headers: Record<string, string>): Reply {
  const coding = negotiate(headers['accept-encoding']);
  const common = { ETag: etagOf(file, coding), 'Cache-Control': file.cacheControl, Vary: 'Accept-Encoding' };
  if (stillFresh(headers['if-none-match'], file)) return reply(304, undefined, common);
  if (coding === 'identity') return binary(file.identity, file.contentType, common);
  const data = (file.encoded[coding] ??= encoders[coding](file.identity));
  return binary(data, file.contentType, { ...common, 'Content-Encoding': coding });
}
