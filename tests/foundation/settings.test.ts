import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { SETTINGS } from '../../lib/config';
import { ROOT } from '../helpers/functions';

/*
 * One list of settings (lib/config.ts SETTINGS), and two places that must agree with it: the
 * README's configuration table (what users are told) and serverless.yml's provider.environment (what
 * deployed functions receive). Locally the functions run inside `npm start`'s process and read its
 * environment; tests/e2e/configuration.test.ts checks that each one takes effect there.
 */
function readmeVariables(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5));
  const names = new Set<string>();
  for (const line of section.split('\n')) {
    const first = /^\|([^|]+)\|/.exec(line)?.[1] ?? '';
    for (const m of first.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) names.add(m[1]);
  }
  return [...names].sort();
}

const environment = () => (yaml.load(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')) as { provider: { environment: Record<string, unknown> } }).provider.environment;

it('the README documents exactly the settings lib/config.ts reads', () => {
  expect(readmeVariables()).toEqual(Object.keys(SETTINGS).sort());
});

it('serverless.yml forwards every setting the functions read to deployed functions', () => {
  const functionSettings = Object.entries(SETTINGS)
    .filter(([, scope]) => scope === 'function')
    .map(([name]) => name);
  const env = environment();
  expect(functionSettings.filter((name) => !(name in env))).toEqual([]);
  // and nothing there that the code does not read (a typo would silently do nothing)
  const known = new Set([...Object.keys(SETTINGS), 'STAGE', 'NODE_OPTIONS']);
  expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([]);
});

it('no code reads a setting outside lib/config.ts', () => {
  const { execSync } = require('node:child_process') as typeof import('node:child_process');
  const hits = execSync(`grep -rnoE "process\\.env\\.[A-Z_]+" lib functions --include=*.ts || true`, { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .filter((l) => !l.startsWith('lib/config.ts') && !l.startsWith('lib/dev/'))
    .map((l) => l.replace(/^([^:]+):\d+:process\.env\./, '$1 '))
    .filter((l) => Object.keys(SETTINGS).includes(l.split(' ')[1]));
  expect(hits).toEqual([]);
});
