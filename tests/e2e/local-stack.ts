import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/functions';
import { freePort } from '../helpers/ports';

/*
 * `npm start` as a developer runs it (tsx lib/dev/start.ts), on free ports and its own data folder
 * so it never meets a developer's running copy. Waits for the banner; `stop()` sends Ctrl-C.
 */
export interface LocalStack {
  url: string;
  /** The `tsx` process `npm start` runs (the gateway runs in its child). */
  pid: number;
  ports: { api: number; pg: number; s3: number; ses: number };
  /** Everything printed so far (stdout and stderr, in order). */
  output(): string;
  /** Lines printed before the banner's last line, and how long it took to get there. */
  readyAfter: { lines: number; ms: number };
  stop(): Promise<number | null>;
}

export const BANNER_END = 'Ctrl-C stops everything.';

export async function startLocalStack(extraEnv: Record<string, string | undefined> = {}, timeoutMs = 240_000): Promise<LocalStack> {
  const dataDir = join(ROOT, '.data', `e2e-${process.pid}-${Date.now()}`);
  rmSync(dataDir, { recursive: true, force: true });
  const ports = { api: await freePort(), pg: await freePort(), s3: await freePort(), ses: await freePort() };
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: String(ports.api),
    PG_PORT: String(ports.pg),
    S3_PORT: String(ports.s3),
    SES_PORT: String(ports.ses),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    // What the jest harness sets for itself must not leak into the stack under test.
    DATABASE_URL: undefined,
    JWT_SECRET: undefined,
    S3_ENDPOINT: undefined,
    SES_ENDPOINT: undefined,
    S3_BUCKET: undefined,
    STAGE: undefined,
    DB_POOL_MAX: undefined,
    PASSWORD_SCRYPT_N: undefined,
    VALIDATE_RESPONSES: undefined,
    ...extraEnv,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const started = Date.now();
  const child: ChildProcess = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['lib/dev/start.ts'], { cwd: ROOT, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  const readyAfter = await new Promise<{ lines: number; ms: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not become ready:\n${output}`)), timeoutMs);
    const check = setInterval(() => {
      const at = output.indexOf(BANNER_END);
      if (at >= 0) {
        clearInterval(check);
        clearTimeout(timer);
        resolve({ lines: output.slice(0, at).split('\n').length, ms: Date.now() - started });
      }
    }, 100);
    child.once('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`npm start exited early (${code}):\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${ports.api}`,
    pid: child.pid!,
    ports,
    output: () => output,
    readyAfter,
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      child.kill('SIGINT');
      const code = await exited;
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
