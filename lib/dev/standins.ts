import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';

/*
 * Local stand-ins that speak the real AWS protocols: s3rver for S3 (path-style) and
 * aws-ses-v2-local for SES (v1 and v2 APIs; captured mail at GET /store, viewer at /).
 */
export interface StandIns {
  s3Endpoint: string;
  sesEndpoint: string;
  stop: () => Promise<void>;
}

export async function startStandIns(opts: { dataDir: string; s3Port: number; sesPort: number; bucket: string }): Promise<StandIns> {
  const { default: S3rver } = await import('s3rver');
  mkdirSync(opts.dataDir, { recursive: true });
  const s3 = new S3rver({
    address: '127.0.0.1',
    port: opts.s3Port,
    directory: opts.dataDir,
    silent: true,
    configureBuckets: [{ name: opts.bucket, configs: [] }],
  } as never);
  await s3.run();
  const { default: sesServer } = await import('aws-ses-v2-local');
  const ses = (await sesServer({ host: '127.0.0.1', port: opts.sesPort })) as unknown as Server;
  return {
    s3Endpoint: `http://127.0.0.1:${opts.s3Port}`,
    sesEndpoint: `http://127.0.0.1:${opts.sesPort}`,
    stop: async () => {
      await s3.close();
      await new Promise<void>((resolve) => ses.close(() => resolve()));
    },
  };
}
