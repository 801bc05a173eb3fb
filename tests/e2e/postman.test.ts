import { startLocalStack, type LocalStack } from './local-stack';

/*
 * The Postman collections as a user downloads them (GET /postman/<surface>.json from the running
 * stack), run with newman against a fresh `npm start`: the login stores the token, and every request
 * must answer one of the statuses the OpenAPI document declares for it.
 */
// One fresh stack per collection: the Reflexo collection edits and signs out the demo users, and the
// v1 collection must meet them as a new user would.
let stack: LocalStack;
afterEach(() => stack?.stop());

interface Failure {
  error: { message: string };
  source?: { name?: string };
}

async function runCollection(collection: unknown): Promise<{ requests: number; failures: Failure[]; statuses: Record<string, number> }> {
  const newman = await import('newman');
  return new Promise((resolve, reject) => {
    const statuses: Record<string, number> = {};
    newman
      .run({ collection: collection as never, envVar: [{ key: 'baseUrl', value: stack.url }], timeoutRequest: 20_000, reporters: [] }, (err, summary) => {
        if (err) return reject(err);
        resolve({ requests: summary.run.stats.requests.total ?? 0, failures: summary.run.failures as unknown as Failure[], statuses });
      })
      .on('request', (_err: unknown, args: { response?: { code: number }; item?: { name: string } }) => {
        const code = String(args.response?.code ?? 'none');
        statuses[code] = (statuses[code] ?? 0) + 1;
        if (process.env.POSTMAN_TRACE) console.log(code, args.item?.name);
      });
  });
}

it.each(['reflexo', 'v1'] as const)('%s: every request of the served collection answers a documented status', async (surface) => {
  stack = await startLocalStack();
  const res = await fetch(`${stack.url}/postman/${surface}.json`);
  expect(res.status).toBe(200);
  const collection = await res.json();
  const run = await runCollection(collection);
  console.log(`newman ${surface}: ${run.requests} requests, statuses ${JSON.stringify(run.statuses)}, failures ${run.failures.length}`);
  expect(run.failures.map((f) => `${f.source?.name}: ${f.error.message}`)).toEqual([]);
  expect(run.requests).toBeGreaterThan(20);
  expect(run.statuses['500'] ?? 0).toBe(0);
}, 600_000);
