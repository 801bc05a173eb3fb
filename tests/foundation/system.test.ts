import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { groups } from '../../functions/registry';
import { handler } from '../../functions/system/system';
import { call } from '../helpers/http';
import { startGateway } from '../helpers/local-gateway';

describe('health', () => {
  it('reports status, database reachability and version', async () => {
    const res = await call(handler, { path: '/api/health' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: 'ok', version: expect.any(String), stage: 'test' });
    expect((await call(handler, { path: '/api/health/' })).status).toBe(200);
  });
});

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and lists every declared route, with security on authenticated ones', async () => {
    const res = await call(handler, { path: '/openapi.json' });
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    for (const g of groups) {
      for (const r of g.routes) {
        const op = doc.paths[r.path]?.[r.method.toLowerCase()];
        expect(op ? `${r.method} ${r.path}` : `missing ${r.method} ${r.path}`).toBe(`${r.method} ${r.path}`);
        expect(op.security).toEqual(r.access === 'public' ? [] : [{ bearerAuth: [] }]);
      }
    }
    const districts = doc.paths['/api/locations/districts/'].get;
    expect(districts.parameters).toEqual([expect.objectContaining({ name: 'province', in: 'query', required: false })]);
    const ok = districts.responses['200'].$ref ? doc.components.responses[districts.responses['200'].$ref.split('/').pop()] : districts.responses['200'];
    expect(ok.content['application/json'].schema.type).toBe('array');
  });
});

describe('compressed, revalidated docs files', () => {
  const documentBytes = () => readFileSync(join(__dirname, '..', '..', 'functions', 'system', 'openapi.json'));
  const bundleBytes = () => readFileSync(join(__dirname, '..', '..', 'node_modules', 'swagger-ui-dist', 'swagger-ui-bundle.js'));
  const unzip: Record<string, (b: Buffer) => Buffer> = { br: brotliDecompressSync, gzip: gunzipSync };

  it.each([
    ['br', 'gzip, deflate, br'],
    ['gzip', 'gzip, deflate'],
    ['gzip', 'br;q=0, gzip'],
  ])('/openapi.json in %s for Accept-Encoding "%s" decodes to the served document', async (coding, accept) => {
    const res = await call(handler, { path: '/openapi.json', headers: { 'accept-encoding': accept } });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe(coding);
    expect(res.headers.vary.split(/,\s*/)).toEqual(expect.arrayContaining(['Accept-Encoding', 'Origin']));
    expect(res.headers['cache-control']).toMatch(/^public, max-age=\d+, must-revalidate$/);
    expect(res.headers.etag).toMatch(new RegExp(`^"[A-Za-z0-9_-]{32}-${coding}"$`));
    expect(unzip[coding](res.raw).equals(documentBytes())).toBe(true);
    expect(res.raw.length).toBeLessThan(documentBytes().length / 5);
  });

  it('without an acceptable coding the document goes as is, with its own tag', async () => {
    for (const accept of [undefined, 'identity', 'br;q=0, gzip;q=0']) {
      const res = await call(handler, { path: '/openapi.json', headers: accept ? { 'accept-encoding': accept } : {} });
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.raw.equals(documentBytes())).toBe(true);
      expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    }
  });

  it('answers 304 to a current ETag of any coding, 200 to a stale one', async () => {
    const br = await call(handler, { path: '/openapi.json', headers: { 'accept-encoding': 'br' } });
    const same = await call(handler, { path: '/openapi.json', headers: { 'accept-encoding': 'br', 'if-none-match': br.headers.etag } });
    expect(same.status).toBe(304);
    expect(same.raw.length).toBe(0);
    expect(same.headers.etag).toBe(br.headers.etag);
    const otherCoding = await call(handler, { path: '/openapi.json', headers: { 'accept-encoding': 'gzip', 'if-none-match': `"x", ${br.headers.etag}` } });
    expect(otherCoding.status).toBe(304);
    expect(otherCoding.headers.etag).toBe(br.headers.etag.replace('-br"', '-gzip"'));
    const stale = await call(handler, { path: '/openapi.json', headers: { 'accept-encoding': 'br', 'if-none-match': '"0000000000000000000000000000000-br"' } });
    expect(stale.status).toBe(200);
  });

  it('serves the Swagger UI bundle compressed and revalidates it too', async () => {
    const res = await call(handler, { path: '/docs/swagger-ui-bundle.js', headers: { 'accept-encoding': 'br' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/javascript');
    expect(brotliDecompressSync(res.raw).equals(bundleBytes())).toBe(true);
    const again = await call(handler, { path: '/docs/swagger-ui-bundle.js', headers: { 'accept-encoding': 'br', 'if-none-match': res.headers.etag } });
    expect(again.status).toBe(304);
    const css = await call(handler, { path: '/docs/swagger-ui.css', headers: { 'accept-encoding': 'gzip' } });
    expect(css.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(css.raw).toString('utf8')).toContain('.swagger-ui');
  });
});

describe('API reference page', () => {
  it('serves the page and its assets from the installed package, never a CDN', async () => {
    const page = await call(handler, { path: '/docs' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).not.toMatch(/https?:\/\//);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const js = await call(handler, { path: '/docs/swagger-ui-bundle.js' });
    expect(js.status).toBe(200);
    expect(js.raw.length).toBeGreaterThan(500_000);
    expect((await call(handler, { path: '/docs/../../etc/passwd' })).status).toBe(404);
  });

  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
  const run = chromium ? it : it.skip;
  if (!chromium) console.warn('SKIPPED: /docs browser render test — Debian chromium is not installed (apt-get install chromium)');
  run('renders in headless Chromium with the operations of the route tables, and reloads in under 3 s', async () => {
    const { chromium: browserType } = await import('playwright-core');
    const gw = await startGateway();
    const browser = await browserType.launch({
      executablePath: chromium,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      // Rendered = Swagger UI has read the document and drawn one section per tag.
      const load = async (go: () => Promise<unknown>) => {
        const t0 = Date.now();
        await go();
        await page.waitForSelector('.opblock-tag-section', { timeout: 60_000 });
        return Date.now() - t0;
      };
      const first = await load(() => page.goto(`${gw.url}/docs?api=reflexo`));
      const second = await load(() => page.reload());
      console.log(`/docs in headless Chromium: first load ${first} ms, second load ${second} ms`);
      expect(await page.title()).toContain('Reflexo API');
      const tags = await page.$$eval('.opblock-tag-section h3', (hs) => hs.map((h) => h.getAttribute('data-tag')));
      expect(new Set(tags)).toEqual(new Set(groups.filter((g) => !g.prefixes[0].startsWith('/api/v1')).map((g) => g.tag)));
      expect(second).toBeLessThan(3000);
    } finally {
      await browser.close();
      await gw.close();
    }
  }, 120_000);
});
