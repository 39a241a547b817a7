import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import { sql } from 'drizzle-orm';
import { consoleDist } from '../../../server/core/console.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { TestClient } from '../../helpers/client.ts';
import { oneDbKind } from '../../helpers/env.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';

/** A GET whose Accept-Encoding is ours alone (fetch adds its own and decodes), answered as raw bytes. */
function rawGet(url: string, acceptEncoding?: string) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    get(url, { headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

// Answered in front of the database, alike on both drivers: one kind (README, Testing).
for (const kind of oneDbKind()) {
  describe(`[${kind}] HTTP conventions`, () => {
    let server: TestServer;
    let shop: TestShop;
    let owner: TestClient;

    before(async () => {
      server = await startServer(kind, { config: { BODY_LIMIT_KB: '4' } });
      shop = await makeShop(server.database);
      owner = await signedIn(server.url, shop.people.owner);
    });
    after(() => server.close());

    const raw = (body: string, type = 'application/json') =>
      owner.request('PATCH', `/api/shops/${shop.id}`, { body, headers: { 'content-type': type } });

    it('answers malformed JSON with 400 invalid_input in the error envelope, and changes nothing', async () => {
      const r = await raw('{"name": "half');
      expect(r.status).to.equal(400);
      expect(r.body).to.deep.equal({ error: { code: 'invalid_input', message: 'request body is not valid JSON' } });
      expect((await owner.get(`/api/shops/${shop.id}`)).body.name).to.equal(shop.name);
    });

    it('answers wrong types and unknown fields with 400 and details naming them', async () => {
      const wrongType = await owner.patch(`/api/shops/${shop.id}`, { name: 42 });
      expect(wrongType.status).to.equal(400);
      expect(wrongType.body.error.details[0]).to.include({ in: 'body', path: 'name' });
      const unknown = await owner.patch(`/api/shops/${shop.id}`, { name: 'ok', colour: 'red' });
      expect(unknown.status).to.equal(400);
      expect(unknown.body.error.details[0].keys).to.deep.equal(['colour']);
      expect((await owner.get(`/api/shops/${shop.id}`)).body.name).to.equal(shop.name);
    });

    it('answers an oversize body with 413 and a non-JSON body with 415', async () => {
      const big = await raw(JSON.stringify({ name: 'x'.repeat(8 * 1024) }));
      expect(big.status).to.equal(413);
      expect(big.body.error.code).to.equal('payload_too_large');
      const form = await raw('name=abc', 'application/x-www-form-urlencoded');
      expect(form.status).to.equal(415);
      expect(form.body.error.code).to.equal('unsupported_media_type');
    });

    it('refuses NUL characters anywhere in input with 400, never a 500', async () => {
      const anon = new TestClient(server.url);
      const signIn = await anon.post('/api/auth/sign-in', { email: 'a\u0000@x.jp', password: 'whatever' });
      expect(signIn.status).to.equal(400);
      const query = await owner.get(`/api/shops/${shop.id}/orders?q=a%00b`);
      expect(query.status).to.equal(400);
      expect(query.body.error.details[0]).to.include({ in: 'query', path: 'q', message: 'text may not contain NUL characters' });
      const body = await owner.patch(`/api/shops/${shop.id}`, { name: 'x\u0000' });
      expect(body.status).to.equal(400);
      const audit = await owner.get(`/api/shops/${shop.id}/audit?objectId=%00`);
      expect(audit.status).to.equal(400);
    });

    it('answers a body that claims gzip but is not with 400', async () => {
      const r = await owner.request('PATCH', `/api/shops/${shop.id}`, { body: '{"name":"x"}', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
      expect(r.status).to.equal(400);
    });

    it('does not tell whether files outside the console exist', async () => {
      const anon = new TestClient(server.url);
      const outside = await anon.request('GET', '/console/%2e%2e/%2e%2e/package.json');
      const missing = await anon.request('GET', '/console/%2e%2e/%2e%2e/no-such-file.json');
      expect(outside.status).to.equal(missing.status);
      expect(outside.text).not.to.include('"dependencies"');
    });

    it('sends the console build precompressed to those who accept it, plain to the rest, with Vary and the same cache rules', async () => {
      // The build (npm run build) writes .br and .gz beside each file.
      const html = readFileSync(join(consoleDist, 'index.html'), 'utf8');
      const entry = /src="\/console\/(assets\/[^"]+\.js)"/.exec(html)![1]!;
      const file = readFileSync(join(consoleDist, entry));
      const url = `${server.url}/console/${entry}`;
      const br = await rawGet(url, 'br, gzip');
      const gz = await rawGet(url, 'gzip');
      const plain = await rawGet(url);
      for (const r of [br, gz, plain]) {
        expect(r.status).to.equal(200);
        expect(r.headers['vary']).to.match(/accept-encoding/i);
        expect(r.headers['cache-control']).to.include('immutable');
        expect(r.headers['content-type']).to.match(/javascript/);
      }
      expect(br.headers['content-encoding']).to.equal('br');
      expect(brotliDecompressSync(br.body).equals(file)).to.equal(true);
      expect(gz.headers['content-encoding']).to.equal('gzip');
      expect(gunzipSync(gz.body).equals(file)).to.equal(true);
      expect(plain.headers['content-encoding']).to.equal(undefined);
      expect(plain.body.equals(file)).to.equal(true);
      expect(br.body.length).to.be.lessThan(file.length);

      const page = await rawGet(`${server.url}/console/inbox`, 'br');
      expect(page.headers['content-encoding']).to.equal('br');
      expect(page.headers['cache-control']).to.equal('no-cache');
      expect(brotliDecompressSync(page.body).toString()).to.equal(html);
    });

    it('changes only the settings a PATCH names', async () => {
      const before = await owner.get(`/api/shops/${shop.id}`);
      expect(before.body.allowedOrigins).to.deep.equal(['https://shop.example.jp']);
      const r = await owner.patch(`/api/shops/${shop.id}`, { name: '名前だけ変更' });
      expect(r.body).to.include({ name: '名前だけ変更', timezone: before.body.timezone, locale: before.body.locale });
      expect(r.body.allowedOrigins).to.deep.equal(['https://shop.example.jp']);
      expect((await owner.patch(`/api/shops/${shop.id}`, {})).status).to.equal(400);
      await owner.patch(`/api/shops/${shop.id}`, { name: shop.name });
    });

    it('answers unknown and malformed shop ids with 404 and 400', async () => {
      const unknown = await owner.get('/api/shops/2b1e6a52-8c1f-4e0e-9d43-6c1f0c7e0a11');
      expect(unknown.status).to.equal(404);
      expect(unknown.body.error.code).to.equal('not_found');
      const malformed = await owner.get('/api/shops/not-a-uuid');
      expect(malformed.status).to.equal(400);
    });

    it("answers a member of shop A asking for shop B's settings, people, keys or audit with 404", async () => {
      const other = await makeShop(server.database);
      for (const p of ['', '/members', '/api-keys', '/audit', '/orders']) {
        const r = await owner.get(`/api/shops/${other.id}${p}`);
        expect(r.status, p).to.equal(404);
        expect(r.body.error.code, p).to.equal('not_found');
      }
    });

    it('answers an unknown route with 404 in the same envelope', async () => {
      const r = await owner.get('/api/no-such-thing');
      expect(r.status).to.equal(404);
      expect(r.body.error.code).to.equal('not_found');
    });

    it('needs a sign-in for shop routes: 401 without a cookie', async () => {
      const r = await new TestClient(server.url).get(`/api/shops/${shop.id}`);
      expect(r.status).to.equal(401);
      expect(r.body.error.code).to.equal('unauthenticated');
    });

    it('asks for a sign-in before it judges the shop id: 401 without a cookie even for a malformed one', async () => {
      const r = await new TestClient(server.url).get('/api/shops/not-a-uuid/conversations');
      expect(r.status).to.equal(401);
      expect(r.body.error.code).to.equal('unauthenticated');
    });

    it("reads the person's role in the shop on every request: a role changed or a membership removed counts at the next one", async () => {
      const other = await makeShop(server.database);
      const staff = await signedIn(server.url, other.people.staff);
      expect((await staff.get(`/api/shops/${other.id}/api-keys`)).status).to.equal(403);
      await server.database.db.execute(sql`update memberships set role = 'owner' where shop_id = ${other.id} and user_id = ${other.people.staff.id}`);
      expect((await staff.get(`/api/shops/${other.id}/api-keys`)).status).to.equal(200);
      await server.database.db.execute(sql`delete from memberships where shop_id = ${other.id} and user_id = ${other.people.staff.id}`);
      const gone = await staff.get(`/api/shops/${other.id}/api-keys`);
      expect(gone.status).to.equal(404);
      expect(gone.body.error.code).to.equal('not_found');
      // The session itself still holds: routes outside the shop answer.
      expect((await staff.get('/api/auth/session')).status).to.equal(200);
    });

    it('puts a request id on every response, keeping a well-formed one the caller sent', async () => {
      const mine = await owner.get('/healthz', { headers: { 'x-request-id': 'req-abc-123' } });
      expect(mine.headers.get('x-request-id')).to.equal('req-abc-123');
      const junk = await owner.get('/healthz', { headers: { 'x-request-id': 'bad id with spaces <script>' } });
      expect(junk.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
      const err = await owner.get('/api/no-such-thing');
      expect(err.headers.get('x-request-id')).to.be.a('string');
    });

    it('sends security headers', async () => {
      const r = await owner.get('/healthz');
      expect(r.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(r.headers.get('content-security-policy')).to.include("script-src 'self'");
      expect(r.headers.get('x-frame-options')).to.equal('SAMEORIGIN');
      expect(r.headers.get('content-security-policy')).not.to.include('upgrade-insecure-requests');
      expect(r.headers.get('strict-transport-security'), 'HSTS only when PUBLIC_URL is https').to.equal(null);
    });

    it("allows CORS on the public shop routes only for origins the shop lists", async () => {
      const anon = new TestClient(server.url);
      const ok = await anon.get(`/api/public/shops/${shop.id}`, { headers: { origin: 'https://shop.example.jp' } });
      expect(ok.status).to.equal(200);
      expect(ok.headers.get('access-control-allow-origin')).to.equal('https://shop.example.jp');
      expect(ok.body).to.include({ name: shop.name, locale: 'ja', timezone: 'Asia/Tokyo' });
      const evil = await anon.get(`/api/public/shops/${shop.id}`, { headers: { origin: 'https://evil.example' } });
      expect(evil.headers.get('access-control-allow-origin')).to.equal(null);
      const preflight = await anon.request('OPTIONS', `/api/public/shops/${shop.id}`, {
        headers: { origin: 'https://shop.example.jp', 'access-control-request-method': 'GET' },
      });
      expect(preflight.status).to.equal(204);
      expect(preflight.headers.get('access-control-allow-origin')).to.equal('https://shop.example.jp');
      const api = await owner.get(`/api/shops/${shop.id}`, { headers: { origin: 'https://shop.example.jp' } });
      expect(api.headers.get('access-control-allow-origin')).to.equal(null);
    });

    it('reports health, readiness with both stores, and Prometheus metrics by route pattern', async () => {
      const anon = new TestClient(server.url);
      expect((await anon.get('/healthz')).body.status).to.equal('ok');
      const ready = await anon.get('/readyz');
      expect(ready.status).to.equal(200);
      expect(ready.body).to.include({ status: 'ready', db: 'ok', redis: 'ok', database: kind });
      await owner.get(`/api/shops/${shop.id}/orders/SOME-ORDER-NUMBER`);
      const metrics = await anon.get('/metrics');
      expect(metrics.headers.get('content-type')).to.include('text/plain');
      expect(metrics.text).to.include('http_request_duration_seconds_bucket');
      expect(metrics.text).to.include('route="/api/shops/:shopId/orders/:orderNumber"');
      expect(metrics.text).not.to.include('SOME-ORDER-NUMBER');
      expect(metrics.text).to.include('process_resident_memory_bytes');
    });

    it('serves an OpenAPI 3.1 document generated from the route schemas, and a readable reference page', async () => {
      const anon = new TestClient(server.url);
      const doc = await anon.get('/openapi.json');
      expect(doc.body.openapi).to.equal('3.1.0');
      const put = doc.body.paths['/api/shops/{shopId}/orders/{orderNumber}'].put;
      expect(put.requestBody.content['application/json'].schema.properties).to.have.keys(
        'orderedAt', 'customer', 'lines', 'shippingFee', 'codFee', 'coupon', 'paymentMethod', 'carrier', 'trackingNumber', 'shippedAt', 'deliveredAt', 'originPrefecture', 'cancelledAt',
      );
      expect(put.requestBody.content['application/json'].schema.additionalProperties).to.equal(false);
      expect(put.parameters.map((p: { name: string }) => p.name)).to.deep.equal(['shopId', 'orderNumber', 'dryRun']);
      expect(put.security).to.deep.equal([{ session: [] }, { apiKey: [] }]);
      expect(doc.body.paths['/api/shops/{shopId}/orders/import'].post.requestBody.content).to.have.key('text/csv');
      // The inbox answers a page (200, the conversations and the next cursor), not "no content".
      const inbox = doc.body.paths['/api/shops/{shopId}/conversations'].get.responses;
      expect(inbox).not.to.have.key('204');
      expect(inbox['200'].content['application/json'].schema.properties).to.have.keys('conversations', 'next');
      // Every page, file and list a GET answers is documented (a schema for JSON, a media type
      // for the rest, a redirect as one), never as "no content": a new GET route must come with one.
      const gets = Object.entries(doc.body.paths as Record<string, { get?: { responses: Record<string, { content?: Record<string, unknown> }> } }>).filter(([, ops]) => ops.get);
      const redirects = gets.filter(([, ops]) => ops.get!.responses['302']).map(([path]) => path);
      expect(redirects.sort()).to.deep.equal(['/api/shops/{shopId}/stores/base/install', '/api/shops/{shopId}/stores/shopify/install']);
      const noContent = gets.filter(([path, ops]) => !redirects.includes(path) && !ops.get!.responses['200']?.content).map(([path]) => `GET ${path}`);
      expect(noContent).to.deep.equal([]);
      const csv = doc.body.paths['/api/shops/{shopId}/returns/reasons.csv'].get.responses['200'];
      expect(csv.content).to.have.key('text/csv');
      expect(doc.body.paths['/api/shops/{shopId}/mentions'].get.responses['200'].content['application/json'].schema.items.properties).to.have.keys(
        'id', 'conversationId', 'number', 'messageId', 'by', 'excerpt', 'readAt', 'createdAt',
      );
      const page = await anon.get('/docs');
      expect(page.headers.get('content-type')).to.include('text/html');
      expect(page.text).to.include('/api/shops/{shopId}/orders/{orderNumber}');
      expect(page.text).to.include('API リファレンス');
    });
  });
}
