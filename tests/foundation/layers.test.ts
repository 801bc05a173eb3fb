import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from '../helpers/functions';

/*
 * The layers of ARCHITECTURE.md, checked on every import: route tables (functions/) know HTTP and
 * the surfaces' JSON; the domain (lib/domain) knows the clinic and nothing of HTTP or of either
 * surface; queries (lib/queries) know SQL and nothing above them. One route is then found in one hop:
 * route table → domain function → query.
 */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  return [...src.matchAll(/from '(\.[^']+)'/g)].map((m) => relative(ROOT, resolve(dirname(file), m[1])));
}

const RULES: [string, string[]][] = [
  ['lib/domain', ['lib/http', 'functions']],
  ['lib/queries', ['lib/http', 'lib/domain', 'functions']],
  ['lib/db', ['lib/http', 'lib/domain', 'lib/queries', 'functions']],
  ['lib/auth', ['lib/http', 'lib/domain', 'functions']],
  ['lib/mail', ['lib/http', 'lib/domain', 'functions']],
  ['lib/storage', ['lib/http', 'lib/domain', 'functions']],
  ['lib/exports', ['lib/http', 'lib/domain', 'functions']],
];

it.each(RULES)('%s imports nothing from %j', (layer, forbidden) => {
  const offending = files(join(ROOT, layer)).flatMap((f) =>
    importsOf(f)
      .filter((i) => forbidden.some((x) => i === x || i.startsWith(`${x}/`)))
      .map((i) => `${relative(ROOT, f)} → ${i}`),
  );
  expect(offending).toEqual([]);
});

it('route tables never write SQL: no import of lib/queries or kysely in functions/', () => {
  const offending = files(join(ROOT, 'functions')).flatMap((f) => {
    const src = readFileSync(f, 'utf8');
    const bad = [...importsOf(f).filter((i) => i.startsWith('lib/queries')), ...(/from 'kysely'/.test(src) ? ['kysely'] : [])];
    return bad.map((i) => `${relative(ROOT, f)} → ${i}`);
  });
  expect(offending).toEqual([]);
});
