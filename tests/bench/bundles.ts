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
}

const OUT = join(__dirname, '.out', 'bundles');
export const bundlePath = (name: string) => join(OUT, `${name}.js`);

export async function measureBundles(root: string, runs = 5): Promise<BundleReport[]> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const reports: BundleReport[] = [];
  for (const fn of declaredFunctionFiles(root)) {
    const outfile = bundlePath(fn.name);
    await build({
      entryPoints: [join(root, `${fn.file}.ts`)],
      outfile,
      bundle: true,
      minify: true,
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
    reports.push({ name: fn.name, bytes: statSync(outfile).size, loadMs: times[Math.floor(times.length / 2)] });
  }
  return reports;
}
