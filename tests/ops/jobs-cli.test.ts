import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { migrateUp } from '../../lib/db/migrate';
import { appUrlFor, prepareDatabase } from '../../lib/dev/postgres';
import { runCli } from '../helpers/cli';
import { ROOT } from '../helpers/functions';
import { dropDatabases, withClient } from '../helpers/scratch-db';
import { freePort } from '../helpers/ports';

/*
 * `npm run jobs -- <name>` (lib/dev/jobs-cli.ts), run as a child process the way a developer or an
 * operator runs it. The outbox run works on a database of its own (migrated here), so the sender it
 * starts cannot take mail that other test files queue in the shared test database.
 */
jest.setTimeout(120_000);

const jobs = (args: string[], env: Record<string, string | undefined>) => runCli('lib/dev/jobs-cli.ts', args, env);

const database = `reflexo_jobs_cli_${process.pid}`;
let ownerUrl: string;

beforeAll(async () => {
  ownerUrl = await prepareDatabase(process.env.TEST_SERVER_URL!, database, { recreate: true });
  await migrateUp(ownerUrl);
});

afterAll(() => dropDatabases(database));

const owner = <T>(run: (c: pg.Client) => Promise<T>) => withClient(ownerUrl, run);

const delivered = async (to: string) => {
  const { emails } = (await (await fetch(`${process.env.SES_ENDPOINT}/store`)).json()) as { emails: { destination: { to: string[] }; subject: string }[] };
  return emails.filter((e) => e.destination.to.includes(to));
};

describe('npm run jobs', () => {
  it('outbox: sends what is queued through SES once, prints its report, and a second run sends nothing', async () => {
    const to = `jobs-cli-${process.pid}@example.pe`;
    await owner((c) =>
      c.query(`INSERT INTO mail_outbox (idempotency_key, purpose, to_address, subject, text_body, html_body) VALUES ($1, 'test', $2, 'Prueba del CLI', 'hola', '<p>hola</p>')`, [`jobs-cli-${process.pid}`, to]),
    );
    const env = { DATABASE_URL: appUrlFor(ownerUrl), SES_ENDPOINT: process.env.SES_ENDPOINT };
    const first = await jobs(['outbox'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toMatch(/^jobs-outbox: \{.*\}$/);
    expect(JSON.parse(first.stdout.trim().replace(/^jobs-outbox: /, ''))).toMatchObject({ claimed: 1, sent: 1, retried: 0, failed: 0 });
    expect((await delivered(to)).map((m) => m.subject)).toEqual(['Prueba del CLI']);
    expect((await owner((c) => c.query(`SELECT status, attempts FROM mail_outbox WHERE to_address = $1`, [to]))).rows).toEqual([{ status: 'enviado', attempts: 1 }]);

    const again = await jobs(['jobs-outbox'], env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout.trim().replace(/^jobs-outbox: /, ''))).toMatchObject({ claimed: 0, sent: 0 });
    expect(await delivered(to)).toHaveLength(1);
  });

  it('an unknown job exits 1 naming the scheduled ones', async () => {
    const run = await jobs(['nightly'], { DATABASE_URL: appUrlFor(ownerUrl) });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('unknown job "nightly"; scheduled jobs: outbox, automations');
  });

  it('without DATABASE_URL and with a local stack never started: exits 1 saying to run npm start first, and leaves no server running', async () => {
    const dir = join(ROOT, '.data', 'test', `jobs-cli-${process.pid}`); // not made here: the embedded server creates it for its own user
    const port = await freePort();
    try {
      const run = await jobs(['outbox'], { DATABASE_URL: undefined, DATA_DIR: dir, PG_PORT: String(port) });
      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toBe(`the local database under ${dir} has no schema yet: run \`npm start\` once (or \`npm run db:migrate\`) first`);
      const probe = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`, connectionTimeoutMillis: 1_000 });
      probe.on('error', () => {});
      await expect(probe.connect()).rejects.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
