import { randomUUID } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { signToken } from '../../lib/auth/tokens';
import { createTenant, createUser, type TestUser } from '../helpers/fixtures';
import type { FilePart } from '../helpers/http';
import { catalogIds, createRow, ownRows, routeTables } from './factories';
import { call, declaredRoutes, errorShapeProblem, idHints, newTally, pathFor, reportTally, type RouteCase, sampleBody, useCatalogIds } from './harness';
import { awsClientDefaults } from '../../lib/config';

/*
 * Uploads, over every multipart route of the tables: the file field is found by sending a real PNG
 * (the route must accept it), then hostile files must answer 400 with nothing new in the bucket:
 * a PHP script named .jpg, an SVG (script-capable), a PNG one byte over 2 MB, a valid PNG whose
 * name climbs directories, an empty file.
 */
// Generated over every declared route: the loop, not one request, is what the timeout bounds.
jest.setTimeout(300_000);
const tally = newTally('uploads');
const multipart = declaredRoutes().filter((r) => r.route.multipart);
let tenantId: number;
let admin: TestUser;
let superuser: TestUser;
const ownIds: Record<string, number> = {};
let tables = new Map<string, string | undefined>();

beforeAll(async () => {
  useCatalogIds(await catalogIds());
  tenantId = (await createTenant()).id;
  admin = await createUser({ reflexoId: tenantId, role: 'Admin', staff: true });
  superuser = await createUser({ superuser: true, staff: true });
  Object.assign(ownIds, await ownRows(tenantId, 'Up', multipart));
  tables = await routeTables(multipart);
});
afterAll(() => reportTally(tally));

/** A real 1×1 PNG (signature, IHDR, IDAT, IEND with correct CRCs), padded to `size` with a tEXt chunk if asked. */
function png(size?: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.from([0, 255, 0, 0])))];
  const end = chunk('IEND', Buffer.alloc(0));
  let out = Buffer.concat([...parts, end]);
  if (size && size > out.length) {
    const pad = size - out.length - 12;
    out = Buffer.concat([...parts, chunk('tEXt', Buffer.concat([Buffer.from('pad\0'), Buffer.alloc(pad - 4, 0x61)])), end]);
  }
  return out;
}

const TWO_MB = 2 * 1024 * 1024;
const HOSTILE: [string, (field: string) => FilePart][] = [
  ['a PHP script named .jpg', (field) => ({ field, filename: 'shell.jpg', contentType: 'image/jpeg', data: Buffer.from('<?php system($_GET["c"]); ?>') })],
  ['an SVG', (field) => ({ field, filename: 'logo.svg', contentType: 'image/svg+xml', data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') })],
  ['an SVG named .png', (field) => ({ field, filename: 'logo.png', contentType: 'image/png', data: Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>') })],
  ['a PNG of 2 MB + 1 byte', (field) => ({ field, filename: 'big.png', contentType: 'image/png', data: png(TWO_MB + 1) })],
  ['a PNG named ../../etc/passwd.png', (field) => ({ field, filename: '../../etc/passwd.png', contentType: 'image/png', data: png() })],
  ['a PNG named ..\\..\\win.png', (field) => ({ field, filename: '..\\..\\win.png', contentType: 'image/png', data: png() })],
  ['an empty file', (field) => ({ field, filename: 'empty.png', contentType: 'image/png', data: Buffer.alloc(0) })],
];

async function bucketKeys(): Promise<string[]> {
  const sdk = await import('@aws-sdk/client-s3');
  const s3 = new sdk.S3Client({ ...awsClientDefaults(), endpoint: process.env.S3_ENDPOINT, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new sdk.ListObjectsV2Command({ Bucket: process.env.S3_BUCKET, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.NextContinuationToken;
  } while (token);
  s3.destroy();
  return keys.sort();
}

function candidateFields(r: RouteCase): string[] {
  const text = `${r.route.summary} ${r.route.description ?? ''}`;
  const named = [...text.matchAll(/\b([a-z_]*(?:photo|logo|image|file|avatar|foto|imagen)[a-z_]*)\b/g)].map((m) => m[1]);
  return [...new Set([...named, 'photo_file', 'logo', 'logo_file', 'photo', 'image', 'file'])];
}

async function send(r: RouteCase, file: FilePart) {
  const u = r.route.access === 'superuser' ? superuser : admin;
  const token = (await signToken('access', { id: u.id, reflexoId: u.reflexoId, isSuperuser: r.route.access === 'superuser' })).token;
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(sampleBody(r.route, idHints(ownIds)) ?? {})) fields[k] = typeof v === 'string' ? v : JSON.stringify(v);
  const path = pathFor(r, ownIds, tables);
  return call(r.handler, { method: r.route.method, path, token, multipart: { fields, files: [file] } });
}

describe(`uploads (${multipart.length} multipart routes)`, () => {
  it('the PNG fixture is a real 1×1 image and the 2 MB + 1 one is exactly that size', () => {
    expect(png().subarray(1, 4).toString()).toBe('PNG');
    expect(png(TWO_MB + 1).length).toBe(TWO_MB + 1);
  });

  it('hostile files → 400 in the surface error shape, and nothing new is stored in S3', async () => {
    const failures: string[] = [];
    for (const r of multipart) {
      // A fresh row per route: an earlier route's upload must not change this one's preconditions.
      const table = tables.get(r.key);
      if (table) ownIds[table] = await createRow(table, tenantId, 'Up').catch(() => ownIds[table]);
      let field: string | undefined;
      for (const candidate of candidateFields(r)) {
        const before = await bucketKeys();
        const res = await send(r, { field: candidate, filename: `ok-${randomUUID().slice(0, 6)}.png`, contentType: 'image/png', data: png() });
        tally.cases++;
        const stored = (await bucketKeys()).some((k) => !before.includes(k));
        if (res.status < 300 && stored) {
          field = candidate;
          break;
        }
      }
      if (!field) {
        tally.exclusions.push(`${r.key}: multipart, but no file field accepted a valid PNG (JSON-only fields, or the generator's fields were refused)`);
        continue;
      }
      for (const [name, make] of HOSTILE) {
        const before = await bucketKeys();
        const res = await send(r, make(field));
        tally.cases++;
        const after = await bucketKeys();
        // The contract's one exception (company edit): the other fields are saved and the file is
        // refused with a 200 carrying a "warning". Safe as long as nothing reaches the bucket.
        const specWarning = res.status === 200 && typeof res.body?.warning === 'string';
        if (specWarning) tally.exclusions.push(`${r.key} with ${name}: 200 + warning, as the contract shows for edits`);
        else if (res.status !== 400) failures.push(`${r.key} with ${name} in "${field}": expected 400, got ${res.status} ${res.raw.toString('utf8').slice(0, 120)}`);
        const shape = specWarning ? null : errorShapeProblem(r.route.path, res);
        if (shape) failures.push(`${r.key} with ${name}: ${shape}`);
        const added = after.filter((k) => !before.includes(k));
        if (added.length) failures.push(`${r.key} with ${name}: stored ${added.join(', ')}`);
      }
      tally.covered.push(r.key);
    }
    tally.failures.push(...failures);
    expect(failures).toEqual([]);
  });
});
