import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { buildBundle } from '../bench/bundles';
import { ROOT } from './functions';
import type { CallResult } from './http';

/*
 * A function as Lambda runs it: bundled the way serverless.yml bundles it (its esbuild settings and
 * externals: the AWS SDK, the packed password dictionaries and pdfkit), in a plain Node process with
 * AWS_LAMBDA_FUNCTION_NAME set, so lib/config picks what a deployed container gets (one database
 * connection). Events go in one at a time over stdin, as a container serves one request at a time.
 */
const RUNTIME = `
const { handler } = require(process.argv[2]);
const rl = require('node:readline').createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  const res = await handler(JSON.parse(line), { awsRequestId: 'container', getRemainingTimeInMillis: () => 10000 });
  process.stdout.write(JSON.stringify(res) + '\\n');
});
`;

export interface Container {
  invoke(event: APIGatewayProxyEventV2): Promise<CallResult>;
  stop(): Promise<void>;
}

export async function startContainer(handlerFile: string, env: Record<string, string> = {}): Promise<Container> {
  const dir = join(ROOT, '.data', 'test', `containers-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const bundle = join(dir, `${handlerFile.replace(/\W+/g, '_')}.js`);
  await buildBundle(ROOT, join(ROOT, `${handlerFile}.ts`), bundle);
  const runtime = join(dir, 'runtime.js');
  writeFileSync(runtime, RUNTIME);
  const childEnv: Record<string, string> = { ...(process.env as Record<string, string>), AWS_LAMBDA_FUNCTION_NAME: handlerFile.split('/').pop()!, ...env };
  delete childEnv.DB_POOL_MAX;
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [runtime, bundle], { env: childEnv, stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  return {
    invoke: (event) =>
      new Promise((resolve, reject) => {
        const onExit = () => reject(new Error(`container exited: ${stderr}`));
        child.once('exit', onExit);
        waiting.push((line) => {
          child.off('exit', onExit);
          const res = JSON.parse(line) as { statusCode: number; headers?: Record<string, string>; body?: string };
          const headers = Object.fromEntries(Object.entries(res.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
          const raw = Buffer.from(res.body ?? '', 'utf8');
          const body = headers['content-type']?.includes('json') && raw.length ? JSON.parse(raw.toString()) : raw.toString();
          resolve({ status: res.statusCode, headers, body, raw });
        });
        child.stdin.write(`${JSON.stringify(event)}\n`);
      }),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}
