import { join } from 'node:path';
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import { migrateUp, ownerDb } from '../../lib/db/migrate';
import { LOCAL_JWT_SECRET, localDatabase } from '../../lib/dev/local-env';
import { bundlePath, measureBundles } from './bundles';
import { measure, ms } from './stats';

/*
 * `npm run bench`: in-process latency of hot routes (the handler invoked as API Gateway would,
 * warm) next to the raw SQL the route needs, plus every bundle's size and module-load time.
 * A script run on demand, never a timed test. Uses its own database under .data/bench
 * (or DATABASE_URL / MIGRATE_DATABASE_URL).
 */
const ROOT = join(__dirname, '..', '..');

async function main() {
  const calls = Number(process.env.BENCH_CALLS ?? 2000);
  const db = await localDatabase({ dataDir: join(ROOT, '.data', 'bench'), port: Number(process.env.BENCH_PG_PORT ?? 16432), database: 'reflexo_bench' });
  try {
    await migrateUp(db.ownerUrl);
    Object.assign(process.env, { DATABASE_URL: db.appUrl, JWT_SECRET: process.env.JWT_SECRET ?? LOCAL_JWT_SECRET, LOG_LEVEL: 'silent', STAGE: 'bench' });

    // A user to call as (created through the owner connection, like the demo seed).
    const owner = ownerDb(db.ownerUrl);
    const email = 'bench@bench.reflexo.pe';
    await owner
      .insertInto('users')
      .values({ email, user_name: 'bench', password_hash: 'x', reflexo_id: null })
      .onConflict((oc) => oc.column('email').doNothing())
      .execute();
    const { id } = await owner.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
    await owner.destroy();

    const { signToken } = await import('../../lib/auth/tokens');
    const { buildEvent } = await import('../helpers/http');
    // The bundled artifact (what Lambda runs), built the way serverless-esbuild builds it.
    const bundles = await measureBundles(ROOT);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require(bundlePath('locations'));
    const { districtsQuery } = await import('../../lib/queries/locations');
    const token = (await signToken('access', { id, reflexoId: null, isSuperuser: false })).token;

    const path = '/api/locations/districts/';
    const invoke = async () => {
      const res = (await handler(buildEvent({ path, query: { province: 1501 }, token }), {} as never)) as { statusCode: number };
      if (res.statusCode !== 200) throw new Error(`unexpected ${res.statusCode}`);
    };

    // The very same SQL, through a plain pg pool: the floor the handler is compared with.
    const rawPool = new pg.Pool({ connectionString: db.appUrl, max: 1 });
    const compiled = districtsQuery(new Kysely<any>({ dialect: new PostgresDialect({ pool: rawPool }) }), { provinceId: 1501 }).compile();
    const raw = async () => {
      await rawPool.query(compiled.sql, compiled.parameters as unknown[]);
    };

    console.log(`GET ${path}?province=1501, ${calls} calls, in-process, concurrency 1`);
    const h = await measure(invoke, calls);
    const r = await measure(raw, calls);
    console.log(`  handler  p50 ${ms(h.p50)}  p99 ${ms(h.p99)}  ${h.rps.toFixed(0)} req/s`);
    console.log(`  raw SQL  p50 ${ms(r.p50)}  p99 ${ms(r.p99)}`);
    console.log(`  ratio handler/raw (p50): ${(h.p50 / r.p50).toFixed(2)}× (target ≤ 1.5×)`);
    await rawPool.end();

    console.log('\nBundles (esbuild as in serverless.yml; AWS SDK provided by the runtime)');
    for (const b of bundles) {
      const kb = b.bytes / 1024;
      console.log(`  ${b.name.padEnd(36)} ${kb.toFixed(0).padStart(6)} KB   load ${ms(b.loadMs).padStart(10)}${b.loadMs > 150 ? '  ✖ > 150 ms' : ''}`);
    }
  } finally {
    await db.stop();
  }
}

main().then(
  () => process.exit(0), // the bundled handler's pg pool would otherwise keep the process alive
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
