import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { ROOT } from '../helpers/functions';

/*
 * The functions stack's CloudFormation, as `serverless package --stage <s>` generates it from
 * serverless.yml (plugins, resources, lib/ops/serverless-ops.js), offline.
 *
 * With STACK_TEMPLATE set (.ci/run, after its real `serverless package --stage prod`), that file is
 * read. Otherwise serverless packages a copy of serverless.yml without the esbuild plugin and with
 * nothing in the zips: the template is the same (only artifact keys differ), it takes seconds instead
 * of a minute of bundling, and it does not depend on every function compiling at that moment.
 */
export type Template = { Resources: Record<string, { Type: string; Properties?: any; Condition?: string; DeletionPolicy?: string; DependsOn?: unknown }>; Conditions?: Record<string, unknown>; Outputs?: Record<string, unknown> };

const run = promisify(execFile);

export async function packagedTemplate(stage: string, variant?: (doc: any) => void): Promise<Template> {
  if (process.env.STACK_TEMPLATE && stage === 'prod' && !variant) return JSON.parse(readFileSync(process.env.STACK_TEMPLATE, 'utf8'));
  const doc = yaml.load(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')) as any;
  doc.plugins = doc.plugins.filter((p: string) => p !== 'serverless-esbuild');
  delete doc.custom.esbuild;
  doc.package = { individually: false, patterns: ['!**', 'package.json'] };
  for (const fn of Object.values<any>(doc.functions)) delete fn.package;
  variant?.(doc);
  // serverless 3 takes a --config only from the service folder.
  const config = `.serverless-ops-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}.yml`;
  const out = mkdtempSync(join(tmpdir(), 'reflexo-stack-'));
  writeFileSync(join(ROOT, config), yaml.dump(doc, { lineWidth: -1, noRefs: true }));
  try {
    await run(process.execPath, [join(ROOT, 'node_modules/serverless/bin/serverless.js'), 'package', '--stage', stage, '--config', config, '--package', out], {
      cwd: ROOT,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', CI: 'true' },
      timeout: 180_000,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((err: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`serverless package --stage ${stage} failed:\n${err.stdout ?? ''}\n${err.stderr ?? ''}\n${err.message}`);
    });
    return JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
  } finally {
    rmSync(join(ROOT, config), { force: true });
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * cfn-lint (AWS's CloudFormation linter, offline: it ships the resource specifications) on a
 * template file. Returns null when it is not installed and this is not CI (the machine image CI runs
 * on has it; elsewhere the caller says SKIPPED).
 */
export async function cfnLint(file: string, ignoreChecks: string[] = []): Promise<{ ok: boolean; output: string } | null> {
  const args = [...(ignoreChecks.length ? ['--ignore-checks', ...ignoreChecks] : []), '--', file];
  try {
    const { stdout, stderr } = await run('cfn-lint', args, { maxBuffer: 16 * 1024 * 1024, timeout: 120_000 });
    return { ok: true, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: string | number; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') {
      if (process.env.CI) throw new Error('cfn-lint is not installed (pip install cfn-lint); CI validates the templates with it');
      return null;
    }
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** serverless.yml's params for a stage (default merged with the stage's own). */
export function stageParams(stage: string): Record<string, any> {
  const doc = yaml.load(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')) as { params: Record<string, Record<string, any>> };
  return { ...doc.params.default, ...(doc.params[stage] ?? {}) };
}
