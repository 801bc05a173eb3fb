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

/** Starts the stand-ins, except for a service whose endpoint is already given (a real one, or another stand-in). */
export async function startStandIns(opts: { dataDir: string; s3Port: number; sesPort: number; bucket: string; s3Endpoint?: string; sesEndpoint?: string }): Promise<StandIns> {
  const stops: (() => Promise<void>)[] = [];
  if (!opts.s3Endpoint) {
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
    stops.push(() => s3.close());
  }
  if (!opts.sesEndpoint) {
    const { default: sesServer } = await import('aws-ses-v2-local');
    const ses = (await sesServer({ host: '127.0.0.1', port: opts.sesPort })) as unknown as Server;
    stops.push(() => new Promise<void>((resolve) => ses.close(() => resolve())));
  }
  return {
    s3Endpoint: opts.s3Endpoint ?? `http://127.0.0.1:${opts.s3Port}`,
    sesEndpoint: opts.sesEndpoint ?? `http://127.0.0.1:${opts.sesPort}`,
    stop: async () => {
      for (const stop of stops) await stop();
    },
  };
}
