import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './functions';

/* A repository script run as a child process through tsx, the way `npm run <script>` runs it. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** Runs `script` (a path from the repository root) with `args`; `env` overrides this process's variables (undefined removes one). */
export function runCli(script: string, args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const base: Record<string, string | undefined> = { ...process.env, ...env };
  for (const [k, v] of Object.entries(base)) if (v === undefined) delete base[k];
  return new Promise((resolve) => {
    execFile(TSX, [script, ...args], { cwd: ROOT, env: base as NodeJS.ProcessEnv, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
