import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Handler } from '../helpers/http';
import { declaredFunctionFiles } from './serverless-functions';

/*
 * Each Lambda bundle built the way serverless-esbuild builds it (serverless.yml custom.esbuild),
 * its size, and its module-load time in a fresh Node process (the cold-init proxy).
 */
export interface BundleReport {
  name: string;
  bytes: number;
  loadMs: number;
  /** Bundles an export library (exceljs, pdfkit) or a heavy helper: the 2.5 MB budget applies, not 1 MB. */
  heavy: boolean;
}

const HEAVY = /node_modules\/(exceljs|pdfkit|fontkit)\//;

/**
 * Builds one function's handler the way serverless-esbuild does (serverless.yml custom.esbuild) and
 * returns the output file. `countQueries` leaves `pg` external (and unminified), so the benchmark can
 * count the statements a request sends by wrapping pg.Client.prototype.query.
 */
export async function buildFunctionBundle(root: string, name: string, opts: { outDir?: string; countQueries?: boolean } = {}) {
  const fn = declaredFunctionFiles(root).find((f) => f.name === name);
  if (!fn) throw new Error(`no function ${name} in serverless.yml`);
  const outfile = join(opts.outDir ?? join(__dirname, '.out', opts.countQueries ? 'counting' : 'bundles'), `${name}.js`);
  const result = await build({
    entryPoints: [join(root, `${fn.file}.ts`)],
    outfile,
    bundle: true,
    minify: !opts.countQueries,
    metafile: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: ['@aws-sdk/*', 'pg-native', ...(opts.countQueries ? ['pg'] : [])],
    logLevel: 'silent',
  });
  return { outfile, metafile: result.metafile };
}

/** The handler of a freshly built bundle (middy is ESM-only: scripts run the bundle, as Lambda does). */
export async function bundledHandler(root: string, name: string, opts: { outDir?: string; countQueries?: boolean } = {}) {
  const { outfile } = await buildFunctionBundle(root, name, opts);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(outfile).handler as Handler;
}

export const buildCountingBundle = async (root: string, name: string) => (await buildFunctionBundle(root, name, { countQueries: true })).outfile;

const OUT = join(__dirname, '.out', 'bundles');
export const bundlePath = (name: string) => join(OUT, `${name}.js`);

export async function measureBundles(root: string, runs = 5): Promise<BundleReport[]> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const reports: BundleReport[] = [];
  for (const fn of declaredFunctionFiles(root)) {
    const { outfile, metafile } = await buildFunctionBundle(root, fn.name, { outDir: OUT });
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const out = execFileSync(process.execPath, ['-e', `const t=process.hrtime.bigint();require(${JSON.stringify(outfile)});console.log(Number(process.hrtime.bigint()-t)/1e6)`], {
        cwd: OUT,
        env: { ...process.env, NODE_NO_WARNINGS: '1' },
      });
      times.push(Number(out.toString().trim()));
    }
    times.sort((a, b) => a - b);
    const usesSdk = Object.values(metafile.outputs).some((o) => o.imports.some((i) => i.external && i.path.startsWith('@aws-sdk/')));
    const heavy = usesSdk || Object.keys(metafile.inputs).some((f) => HEAVY.test(f));
    reports.push({ name: fn.name, bytes: statSync(outfile).size, loadMs: times[Math.floor(times.length / 2)], heavy });
  }
  return reports;
}
