import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import { build, type Metafile } from 'esbuild';
import yaml from 'js-yaml';
import type { Handler } from '../helpers/http';
import { declaredFunctionFiles } from './serverless-functions';

/*
 * Each Lambda bundle built the way serverless-esbuild builds it (serverless.yml custom.esbuild, read
 * from there: one source), its size, and its module-load time in a fresh Node process (the
 * cold-init proxy). A function whose bundle requires one of the `external` packages gets them packed
 * as node_modules in its zip; for those the report also gives the size of the packed modules and
 * the time of their first (lazy) load, measured in a copy of the zip's layout outside the repository
 * (so a module missing from the packed set fails instead of being found in the repo's node_modules).
 */
export interface BundleReport {
  name: string;
  bytes: number;
  loadMs: number;
  /** Bundles an export library (exceljs, pdfkit) or a heavy helper: the 2.5 MB budget applies, not 1 MB. */
  heavy: boolean;
  /** The serverless.yml `external` packages the bundle requires (packed as node_modules in its zip). */
  externals: string[];
  /** Bytes on disk of those packages and everything they depend on, as the zip carries them. */
  externalBytes: number;
  /** Requiring all of `externals` after the bundle, in a fresh process: what their first use adds. */
  lazyLoadMs: number | null;
}

const HEAVY = /node_modules\/(exceljs|pdfkit|fontkit)\//;

/** serverless.yml custom.esbuild: what serverless-esbuild builds every function with. */
export interface EsbuildConfig {
  minify: boolean;
  target: string;
  platform: 'node';
  format: 'cjs' | 'esm';
  /** Left out and not packed (the runtime provides them, or they are never loaded). */
  exclude: string[];
  /** Left out of the bundle and packed as node_modules into the zips of the functions that require them. */
  external: string[];
}

export function esbuildConfig(root: string): EsbuildConfig {
  const doc = yaml.load(readFileSync(join(root, 'serverless.yml'), 'utf8')) as { custom: { esbuild: Partial<EsbuildConfig> & { bundle?: boolean } } };
  const c = doc.custom.esbuild;
  if (c.bundle !== true) throw new Error('serverless.yml custom.esbuild.bundle is not true: this module builds bundles');
  return { minify: !!c.minify, target: c.target ?? 'node22', platform: 'node', format: c.format ?? 'cjs', exclude: c.exclude ?? [], external: c.external ?? [] };
}

/** The package an import path names: '@scope/a/b' → '@scope/a', 'a/b' → 'a'. */
const packageOf = (path: string) => path.split('/').slice(0, path.startsWith('@') ? 2 : 1).join('/');

/** The serverless.yml `external` packages a built bundle requires (what serverless-esbuild packs into its zip). */
export function requiredExternals(root: string, metafile: Metafile): string[] {
  const { external } = esbuildConfig(root);
  const paths = Object.values(metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => packageOf(i.path)));
  return external.filter((e) => paths.includes(e));
}

/**
 * Bundles one entry file as serverless-esbuild does. `countQueries` leaves `pg` external (and the
 * output unminified), so the benchmark can count the statements a request sends by wrapping
 * pg.Client.prototype.query.
 */
export async function buildBundle(root: string, entry: string, outfile: string, opts: { countQueries?: boolean } = {}) {
  const c = esbuildConfig(root);
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: c.minify && !opts.countQueries,
    metafile: true,
    platform: c.platform,
    target: c.target,
    format: c.format,
    // serverless-esbuild hands esbuild external and exclude together (exclude is only not packed).
    external: [...c.external, ...c.exclude, ...(opts.countQueries ? ['pg'] : [])],
    logLevel: 'silent',
  });
  return { outfile, metafile: result.metafile };
}

/** Builds one function's handler the way serverless-esbuild does and returns the output file. */
export async function buildFunctionBundle(root: string, name: string, opts: { outDir?: string; countQueries?: boolean } = {}) {
  const fn = declaredFunctionFiles(root).find((f) => f.name === name);
  if (!fn) throw new Error(`no function ${name} in serverless.yml`);
  const outfile = join(opts.outDir ?? join(__dirname, '.out', opts.countQueries ? 'counting' : 'bundles'), `${name}.js`);
  return buildBundle(root, join(root, `${fn.file}.ts`), outfile, opts);
}

/**
 * The handler of a freshly built bundle (middy is ESM-only: scripts run the bundle, as Lambda does).
 * An outDir under the repository resolves the external packages from its node_modules.
 */
export async function bundledHandler(root: string, name: string, opts: { outDir?: string; countQueries?: boolean } = {}) {
  const { outfile } = await buildFunctionBundle(root, name, opts);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(outfile).handler as Handler;
}

export const buildCountingBundle = async (root: string, name: string) => (await buildFunctionBundle(root, name, { countQueries: true })).outfile;

const OUT = join(__dirname, '.out', 'bundles');
export const bundlePath = (name: string) => join(OUT, `${name}.js`);

/**
 * The installed package directories `names` need at run time, as Node resolves them from the
 * repository's node_modules: each package, its dependencies, the optional ones that are installed
 * and the non-optional peers (what npm installs for them in serverless-esbuild's packing step).
 */
export function externalClosure(root: string, names: string[]): string[] {
  const top = join(root, 'node_modules');
  const locate = (name: string, from: string): string | undefined => {
    for (let d = from; d.startsWith(root); d = dirname(d)) {
      if (basename(d) === 'node_modules') continue;
      const candidate = join(d, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return candidate;
      if (d === root) break;
    }
    return undefined;
  };
  const seen = new Set<string>();
  const visit = (name: string, from: string, optional: boolean) => {
    const dir = locate(name, from);
    if (!dir) {
      if (optional) return;
      throw new Error(`${name} (needed from ${relative(root, from) || '.'}) is not installed`);
    }
    if (seen.has(dir)) return;
    seen.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, unknown> | undefined>;
    for (const d of Object.keys(pkg.dependencies ?? {})) visit(d, dir, false);
    for (const d of Object.keys(pkg.optionalDependencies ?? {})) visit(d, dir, true);
    const optionalPeers = pkg.peerDependenciesMeta ?? {};
    for (const d of Object.keys(pkg.peerDependencies ?? {})) visit(d, dir, !!(optionalPeers[d] as { optional?: boolean } | undefined)?.optional);
  };
  for (const n of names) visit(n, root, false);
  if ([...seen].some((d) => !d.startsWith(top + sep))) throw new Error('a packed module resolved outside node_modules');
  return [...seen].sort();
}

/** Bytes of a package directory, without its nested node_modules (those are packages of their own). */
function packageBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' && e.isDirectory()) continue;
    const p = join(dir, e.name);
    n += e.isDirectory() ? packageBytes(p) : statSync(p).size;
  }
  return n;
}

/** The zip's layout for a set of externals: <dir>/node_modules with exactly their closure. */
function packExternals(root: string, names: string[], dir: string): number {
  let bytes = 0;
  for (const pkg of externalClosure(root, names)) {
    bytes += packageBytes(pkg);
    cpSync(pkg, join(dir, relative(root, pkg)), { recursive: true, dereference: true, filter: (src) => !relative(pkg, src).split(sep).includes('node_modules') });
  }
  return bytes;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeInFreshProcess(script: string, cwd: string, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['-e', script], { cwd, env: { ...process.env, NODE_NO_WARNINGS: '1' } });
    times.push(Number(out.toString().trim()));
  }
  return median(times);
}

const loadScript = (bundle: string) => `const t=process.hrtime.bigint();require(${JSON.stringify(bundle)});console.log(Number(process.hrtime.bigint()-t)/1e6)`;
const lazyLoadScript = (bundle: string, externals: string[]) =>
  `const r=require('node:module').createRequire(${JSON.stringify(bundle)});require(${JSON.stringify(bundle)});` +
  `const t=process.hrtime.bigint();for(const m of ${JSON.stringify(externals)})r(m);console.log(Number(process.hrtime.bigint()-t)/1e6)`;

export async function measureBundles(root: string, runs = 5): Promise<BundleReport[]> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const packRoot = join(tmpdir(), `reflexo-bundles-${process.pid}`);
  const packs = new Map<string, { dir: string; bytes: number }>();
  const reports: BundleReport[] = [];
  try {
    for (const fn of declaredFunctionFiles(root)) {
      const { outfile, metafile } = await buildFunctionBundle(root, fn.name, { outDir: OUT });
      const externals = requiredExternals(root, metafile);
      const usesSdk = Object.values(metafile.outputs).some((o) => o.imports.some((i) => i.external && i.path.startsWith('@aws-sdk/')));
      const heavy = usesSdk || Object.keys(metafile.inputs).some((f) => HEAVY.test(f));
      const report: BundleReport = { name: fn.name, bytes: statSync(outfile).size, loadMs: 0, heavy, externals, externalBytes: 0, lazyLoadMs: null };
      if (!externals.length) {
        report.loadMs = timeInFreshProcess(loadScript(outfile), OUT, runs);
      } else {
        // The zip's layout: the handler at its path, the packed modules in node_modules beside it.
        const key = externals.join('+');
        let pack = packs.get(key);
        if (!pack) {
          const dir = join(packRoot, key.replace(/[^\w+-]+/g, '_'));
          pack = { dir, bytes: packExternals(root, externals, dir) };
          packs.set(key, pack);
        }
        const bundle = join(pack.dir, `${fn.file}.js`);
        mkdirSync(dirname(bundle), { recursive: true });
        cpSync(outfile, bundle);
        report.loadMs = timeInFreshProcess(loadScript(bundle), pack.dir, runs);
        report.lazyLoadMs = timeInFreshProcess(lazyLoadScript(bundle, externals), pack.dir, runs);
        report.externalBytes = pack.bytes;
      }
      reports.push(report);
    }
  } finally {
    rmSync(packRoot, { recursive: true, force: true });
  }
  return reports;
}
