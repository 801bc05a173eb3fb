import { totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { appUrlFor, prepareDatabase, startEmbeddedPostgres, withDatabase } from '../../lib/dev/postgres';

/*
 * Where the benchmark's data lives: one embedded PostgreSQL under .data/bench (port 16432 unless
 * BENCH_PG_PORT), one database per scale (reflexo_bench_s1, reflexo_bench_s10, reflexo_bench_s0_1),
 * so scale 1 and scale 10 can be measured side by side without re-seeding. BENCH_OWNER_URL points
 * everything at an existing server instead (its owner/superuser connection, any database).
 */
export const ROOT = join(__dirname, '..', '..');

export const databaseForScale = (scale: number) => `reflexo_bench_s${String(scale).replace('.', '_')}`;

export interface BenchServer {
  /** Owner (superuser) URL of the `postgres` maintenance database. */
  adminUrl: string;
  stop: () => Promise<void>;
}

export async function startBenchServer(log: (s: string) => void = () => {}): Promise<BenchServer> {
  if (process.env.BENCH_OWNER_URL) return { adminUrl: withDatabase(process.env.BENCH_OWNER_URL, 'postgres'), stop: async () => {} };
  const port = Number(process.env.BENCH_PG_PORT ?? 16432);
  // A bench server someone keeps running (e.g. to look at the data) is used as it is, and left running.
  const running = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  const probe = new pg.Client({ connectionString: running, connectionTimeoutMillis: 1000 });
  try {
    await probe.connect();
    await probe.end();
    return { adminUrl: running, stop: async () => {} };
  } catch {
    /* not running: start it */
  }
  // Sized like a database server rather than PostgreSQL's laptop defaults (shared_buffers 128 MB,
  // max_wal_size 1 GB): a quarter of this machine's memory for buffers, the usual first tuning step
  // (RDS/Aurora default to about the same share), and WAL room so a bulk seed is not checkpoint-bound.
  const buffersMb = Math.max(128, Math.min(8192, Math.floor(totalmem() / 4 / 2 ** 20)));
  const flags = ['-c', `shared_buffers=${buffersMb}MB`, '-c', `effective_cache_size=${buffersMb * 2}MB`, '-c', 'max_wal_size=8GB', '-c', 'checkpoint_timeout=30min', '-c', 'maintenance_work_mem=512MB'];
  const server = await startEmbeddedPostgres(join(ROOT, '.data', 'bench'), port, log, flags);
  return { adminUrl: server.ownerUrl, stop: server.stop };
}

export async function createScaleDatabase(server: BenchServer, scale: number): Promise<{ ownerUrl: string; appUrl: string }> {
  const ownerUrl = await prepareDatabase(server.adminUrl, databaseForScale(scale), { recreate: true });
  return { ownerUrl, appUrl: appUrlFor(ownerUrl) };
}

/** Scales whose seed finished (the generator writes bench_meta last), largest first. */
export async function seededScales(server: BenchServer): Promise<{ scale: number; ownerUrl: string; appUrl: string }[]> {
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  const names = (await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'reflexo_bench_s%'`)).rows.map((r) => r.datname);
  await admin.end();
  const found: { scale: number; ownerUrl: string; appUrl: string }[] = [];
  for (const name of names) {
    const ownerUrl = withDatabase(server.adminUrl, name);
    const c = new pg.Client({ connectionString: ownerUrl });
    await c.connect();
    try {
      const meta = await c.query<{ scale: string }>(`SELECT scale FROM bench_meta WHERE finished_at IS NOT NULL`);
      if (meta.rows[0]) found.push({ scale: Number(meta.rows[0].scale), ownerUrl, appUrl: appUrlFor(ownerUrl) });
    } catch {
      /* an interrupted seed: no bench_meta */
    } finally {
      await c.end();
    }
  }
  return found.sort((a, b) => b.scale - a.scale);
}
