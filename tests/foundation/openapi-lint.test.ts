import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { groups } from '../../functions/registry';
import { asOpenApi30, buildOpenApi, documentForSurface } from '../../lib/http/openapi';

/*
 * Code generators and gateways read the document, not our tests: redocly's recommended rules (with
 * the exceptions and reasons in tests/openapi/redocly.yaml) must find no error in what the route
 * tables generate. Telemetry and the update check stay off, so this works offline.
 */
const ROOT = join(__dirname, '..', '..');
const CONFIG = join(ROOT, 'tests', 'openapi', 'redocly.yaml');
const REDOCLY = join(ROOT, 'node_modules', '.bin', 'redocly');

interface Problem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: { pointer: string }[];
}

async function lint(file: string): Promise<{ totals: { errors: number; warnings: number }; problems: Problem[] }> {
  const args = ['lint', file, '--config', CONFIG, '--format=json', '--max-problems=1000'];
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
  // redocly exits 1 when it finds errors; the JSON report on stdout is what this test reads either way.
  const stdout = await promisify(execFile)(REDOCLY, args, { env, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }).then(
    (r) => r.stdout,
    (err: { stdout?: string }) => err.stdout ?? '',
  );
  return JSON.parse(stdout);
}

const where = (p: Problem) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`;

describe('redocly lint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-lint-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds no error in the generated document', async () => {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(buildOpenApi(groups)));
    const report = await lint(file);
    expect(report.problems.filter((p) => p.severity === 'error').map(where)).toEqual([]);
    expect(report.totals.errors).toBe(0);
    if (report.totals.warnings) console.warn(`redocly: ${report.totals.warnings} warnings\n${report.problems.map(where).join('\n')}`);
  }, 90_000);

  it.each(['reflexo', 'v1'] as const)('finds no error in the 3.0.3 rendering /docs reads for %s', async (surface) => {
    const file = join(dir, `docs-${surface}.json`);
    writeFileSync(file, JSON.stringify(asOpenApi30(documentForSurface(buildOpenApi(groups), surface))));
    const report = await lint(file);
    expect(report.problems.filter((p) => p.severity === 'error').map(where)).toEqual([]);
  }, 90_000);

  it('fails a document that breaks a rule the config keeps', async () => {
    // Proves the lint can fail: two routes whose paths flatten to one operationId would break generated clients.
    const doc = buildOpenApi(groups) as { paths: Record<string, Record<string, { operationId: string }>> };
    doc.paths['/openapi.json'].get.operationId = doc.paths['/api/health'].get.operationId;
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify(doc));
    const report = await lint(file);
    expect(report.problems.filter((p) => p.severity === 'error').map((p) => p.ruleId)).toContain('operation-operationId-unique');
  }, 90_000);
});
