import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildBundle, buildFunctionBundle, requiredExternals } from '../bench/bundles';
import { ROOT } from '../helpers/functions';
import { buildEvent } from '../helpers/http';

/*
 * serverless.yml custom.esbuild `external`: zxcvbn-ts and pdfkit stay out of every bundle and are
 * packed as node_modules into the zips of the functions that require them. Each bundle is built
 * with that config (tests/bench/bundles.ts reads it from serverless.yml) and run in a plain Node
 * process, as Lambda runs it; the output lies under the repository, so the externals resolve from
 * its node_modules as they do from the zip's. Requiring a bundle must load none of them; the first
 * password check or PDF loads them and works (pdfkit finding its font metrics outside a bundle).
 */

const OUT = join(ROOT, '.data', 'test', `bundles-${process.pid}`);
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

/**
 * In a fresh process: the files under node_modules matching `pattern` (paths below node_modules/)
 * loaded once the bundle is required, and once `use(bundle exports)` has resolved.
 */
async function loadedAround(bundle: string, pattern: RegExp, use: string): Promise<{ before: string[]; after: string[]; result: any }> {
  const script = `
    const loaded = () => Object.keys(require.cache).filter((f) => ${pattern}.test(f)).map((f) => f.slice(f.lastIndexOf('node_modules/') + 13)).sort();
    const mod = require(${JSON.stringify(bundle)});
    const before = loaded();
    Promise.resolve((${use})(mod)).then((result) => process.stdout.write(JSON.stringify({ before, after: loaded(), result })), (e) => { console.error(e); process.exit(1); });`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { cwd: OUT, env: process.env, maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout);
}

const bundledPackages = (inputs: Record<string, unknown>, pattern: RegExp) => Object.keys(inputs).filter((f) => pattern.test(f));
/** 'pdfkit/js/pdfkit.js' → 'pdfkit', '@zxcvbn-ts/core/dist/index.cjs' → '@zxcvbn-ts/core'. */
const packages = (files: string[]) => [...new Set(files.map((f) => f.split('/').slice(0, f.startsWith('@') ? 2 : 1).join('/')))].sort();

beforeAll(() => mkdirSync(OUT, { recursive: true }));

it('profiles-password: no zxcvbn-ts in the bundle or loaded by it until a strength check, which loads it from node_modules and scores', async () => {
  const { outfile, metafile } = await buildFunctionBundle(ROOT, 'profiles-password', { outDir: OUT });
  expect(bundledPackages(metafile.inputs, /node_modules\/@zxcvbn-ts\//)).toEqual([]);
  expect(requiredExternals(ROOT, metafile)).toEqual(['@zxcvbn-ts/core', '@zxcvbn-ts/language-common']);

  const event = buildEvent({ method: 'POST', path: '/api/profiles/password/strength/', json: { password: 'Tr0pical-Mango-Orbit-77' } });
  const r = await loadedAround(outfile, /node_modules\/@zxcvbn-ts\//, `(m) => m.handler(${JSON.stringify(event)}, { awsRequestId: 't', getRemainingTimeInMillis: () => 10000 })`);
  expect(r.before).toEqual([]);
  expect(packages(r.after)).toEqual(expect.arrayContaining(['@zxcvbn-ts/core', '@zxcvbn-ts/language-common']));
  expect(r.result.statusCode).toBe(200);
  const body = JSON.parse(r.result.body);
  expect(body).toMatchObject({ is_strong: true });
  expect(body.score).toBeGreaterThanOrEqual(8);
});

it('architect-auth (login): its bundle carries no password dictionaries and loading it loads none', async () => {
  const { outfile, metafile } = await buildFunctionBundle(ROOT, 'architect-auth', { outDir: OUT });
  expect(bundledPackages(metafile.inputs, /node_modules\/@zxcvbn-ts\//)).toEqual([]);
  const r = await loadedAround(outfile, /node_modules\/@zxcvbn-ts\//, '(m) => typeof m.handler');
  expect(r).toEqual({ before: [], after: [], result: 'function' });
});

it('company-exports: pdfkit (and fontkit) out of the bundle, required by it, and not loaded when the bundle is', async () => {
  const { outfile, metafile } = await buildFunctionBundle(ROOT, 'company-exports', { outDir: OUT });
  expect(bundledPackages(metafile.inputs, /node_modules\/(pdfkit|fontkit|brotli)\//)).toEqual([]);
  expect(requiredExternals(ROOT, metafile)).toEqual(['pdfkit']);
  const r = await loadedAround(outfile, /node_modules\/(pdfkit|fontkit)\//, '(m) => typeof m.handler');
  expect(r).toEqual({ before: [], after: [], result: 'function' });
});

it('a PDF built by the bundled exporter loads pdfkit and its Helvetica metrics from node_modules at first use', async () => {
  const entry = join(OUT, 'pdf-entry.ts');
  writeFileSync(entry, `export { buildPdf } from ${JSON.stringify(join(ROOT, 'lib/exports/pdf'))};\n`);
  const { outfile, metafile } = await buildBundle(ROOT, entry, join(OUT, 'pdf-entry.js'));
  expect(requiredExternals(ROOT, metafile)).toEqual(['pdfkit']);
  const report = {
    companyName: 'Clínica Año Nuevo',
    title: 'Caja chica',
    period: 'Fecha: 2025-08-25',
    generated: 'Generado el 2025-08-25 18:30',
    tables: [{ name: 'Pagos', columns: [{ key: 'p', header: 'Paciente', kind: 'text', width: 20 }, { key: 'm', header: 'Monto', kind: 'money', width: 10 }], rows: [{ p: 'Peña', m: '150.00' }], totals: { label: 'Total', values: { m: '150.00' } } }],
  };
  const r = await loadedAround(
    outfile,
    /node_modules\/pdfkit\/js\/(pdfkit\.js|standard-fonts\/)/,
    `(m) => m.buildPdf(${JSON.stringify(report)}).then((b) => b.toString('latin1'))`,
  );
  expect(r.before).toEqual([]);
  // pdfkit's CommonJS build, and the metrics it looked up through its package.json `imports`.
  expect(r.after).toEqual(expect.arrayContaining(['pdfkit/js/pdfkit.js', 'pdfkit/js/standard-fonts/Helvetica.cjs', 'pdfkit/js/standard-fonts/HelveticaBold.cjs']));
  expect(r.result.startsWith('%PDF-')).toBe(true);
  expect(r.result).toMatch(/\/BaseFont \/Helvetica-Bold/);
});
