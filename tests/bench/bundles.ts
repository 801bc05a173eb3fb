import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
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
 * The same bundle with `pg` left external, so the benchmark can count the statements a request sends
 * by wrapping pg.Client.prototype.query (a bundled copy of pg could not be reached from outside).
 */
export async function buildCountingBundle(root: string, name: string): Promise<string> {
  const fn = declaredFunctionFiles(root).find((f) => f.name === name);
  if (!fn) throw new Error(`no function ${name} in serverless.yml`);
  const outfile = join(__dirname, '.out', 'counting', `${name}.js`);
  await build({
    entryPoints: [join(root, `${fn.file}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: ['@aws-sdk/*', 'pg-native', 'pg'],
    logLevel: 'silent',
  });
  return outfile;
}

const OUT = join(__dirname, '.out', 'bundles');
export const bundlePath = (name: string) => join(OUT, `${name}.js`);

export async function measureBundles(root: string, runs = 5): Promise<BundleReport[]> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const reports: BundleReport[] = [];
  for (const fn of declaredFunctionFiles(root)) {
    const outfile = bundlePath(fn.name);
    const result = await build({
      entryPoints: [join(root, `${fn.file}.ts`)],
      outfile,
      bundle: true,
      minify: true,
      metafile: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      external: ['@aws-sdk/*', 'pg-native'],
      logLevel: 'silent',
    });
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const out = execFileSync(process.execPath, ['-e', `const t=process.hrtime.bigint();require(${JSON.stringify(outfile)});console.log(Number(process.hrtime.bigint()-t)/1e6)`], {
        cwd: OUT,
        env: { ...process.env, NODE_NO_WARNINGS: '1' },
      });
      times.push(Number(out.toString().trim()));
    }
    times.sort((a, b) => a - b);
    const usesSdk = Object.values(result.metafile.outputs).some((o) => o.imports.some((i) => i.external && i.path.startsWith('@aws-sdk/')));
    const heavy = usesSdk || Object.keys(result.metafile.inputs).some((f) => HEAVY.test(f));
    reports.push({ name: fn.name, bytes: statSync(outfile).size, loadMs: times[Math.floor(times.length / 2)], heavy });
  }
  return reports;
}
