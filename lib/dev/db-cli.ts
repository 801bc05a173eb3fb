import { migrateDown, migrateUp, ownerDb } from '../db/migrate';
import { localDatabase } from './local-env';
import { seedDemo } from './seed-demo';

/* npm run db:migrate | db:rollback [-- --all | -- N] | db:seed */
async function main() {
  const [command, arg] = process.argv.slice(2);
  const log = (s: string) => console.log(s);
  const db = await localDatabase({ dataDir: process.env.DATA_DIR ?? '.data/dev', port: Number(process.env.PG_PORT ?? 15432), database: 'reflexo', log });
  try {
    if (command === 'migrate') await migrateUp(db.ownerUrl, log);
    else if (command === 'rollback') await migrateDown(db.ownerUrl, arg === '--all' ? 'all' : Number(arg ?? 1), log);
    else if (command === 'seed') {
      await migrateUp(db.ownerUrl, log);
      const k = ownerDb(db.ownerUrl);
      try {
        await seedDemo(k, log);
      } finally {
        await k.destroy();
      }
    } else throw new Error(`unknown command "${command}" (migrate | rollback | seed)`);
  } finally {
    await db.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
