import { startGateway as start } from '../../lib/dev/gateway';
import { ROOT } from './functions';

/* The local API Gateway (what `npm start` serves) on a free port, for tests that need a real HTTP client. */
export async function startGateway(): Promise<{ url: string; close: () => Promise<void> }> {
  const gw = await start({ root: ROOT, port: 0 });
  return { url: gw.url, close: gw.close };
}
