import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/functions';
import { freePort } from '../helpers/ports';

/*
 * `npm start` on a fresh data folder: embedded PostgreSQL, stand-ins, migrations, demo seed and
 * serverless-offline, then health and docs over real HTTP, then Ctrl-C stops every child.
 * Runs on its own ports and folder so it never meets a developer's running copy.
 */
const dataDir = join(ROOT, '.data', `e2e-start-${process.pid}`);

it('npm start serves health and docs, and Ctrl-C stops everything', async () => {
  rmSync(dataDir, { recursive: true, force: true });
  const [PORT, LAMBDA_PORT, PG_PORT, S3_PORT, SES_PORT] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const env = { ...process.env, PORT: String(PORT), LAMBDA_PORT: String(LAMBDA_PORT), PG_PORT: String(PG_PORT), S3_PORT: String(S3_PORT), SES_PORT: String(SES_PORT), DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  delete (env as Record<string, string | undefined>).DATABASE_URL;
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['lib/dev/start.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start did not become ready:\n${output}`)), 240_000);
      const check = setInterval(() => {
        if (output.includes('Ctrl-C stops everything')) {
          clearInterval(check);
          clearTimeout(timer);
          resolve();
        }
      }, 200);
      child.once('exit', (code) => {
        clearInterval(check);
        clearTimeout(timer);
        reject(new Error(`npm start exited early (${code}):\n${output}`));
      });
    });
    expect(output).toContain('admin@demo.reflexo.pe');
    expect(output).toContain(`http://localhost:${PORT}/docs`);
    const health = await fetch(`http://127.0.0.1:${PORT}/api/health/`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', database: 'ok' });
    const docs = await fetch(`http://127.0.0.1:${PORT}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger-ui');
    const regions = await fetch(`http://127.0.0.1:${PORT}/api/locations/regions/`);
    expect(regions.status).toBe(401);
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      child.kill('SIGINT');
      // tsx reports an interrupted run as 130 (128 + SIGINT), like a shell does
      expect([0, 130]).toContain(await exited);
    }
  }
  // nothing is left listening: not the API, not PostgreSQL, not the stand-ins
  rmSync(dataDir, { recursive: true, force: true });
  for (const port of [PORT, PG_PORT, S3_PORT, SES_PORT]) await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
}, 300_000);
