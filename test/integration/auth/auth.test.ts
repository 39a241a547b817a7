import { expect } from 'chai';
import { sql } from 'drizzle-orm';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] sign-in, sessions and CSRF`, () => {
    let server: TestServer;
    let shop: TestShop;

    before(async () => {
      server = await startServer(kind);
      shop = await makeShop(server.database);
    });
    after(() => server.close());

    it('signs in with the right password and sets an httpOnly SameSite cookie', async () => {
      const c = new TestClient(server.url);
      const r = await c.signIn(shop.people.owner.email, shop.people.owner.password);
      expect(r.status).to.equal(200);
      const cookie = r.headers.getSetCookie().find((h) => h.startsWith('mdg_session='))!;
      expect(cookie).to.match(/httponly/i).and.match(/samesite=lax/i).and.match(/path=\//i);
      expect(r.body.user.email).to.equal(shop.people.owner.email);
      expect(r.body.memberships).to.deep.include({ shopId: shop.id, shopName: shop.name, role: 'owner' });
      expect(r.body.csrfToken).to.be.a('string').with.length.greaterThan(20);
      const me = await c.get('/api/auth/session');
      expect(me.status).to.equal(200);
      expect(me.body.user.id).to.equal(shop.people.owner.id);
    });

    it('answers a wrong password and an unknown email with the same 401', async () => {
      const c = new TestClient(server.url);
      const wrong = await c.signIn(shop.people.staff.email, 'not the password');
      const unknown = await c.signIn('nobody@test.madoguchi.test', 'whatever it is');
      expect(wrong.status).to.equal(401);
      expect(unknown.status).to.equal(401);
      expect(wrong.body.error).to.deep.equal(unknown.body.error);
      expect(wrong.body.error.code).to.equal('unauthenticated');
      expect(c.cookie).to.equal(undefined);
    });

    it('accepts the email in any letter case', async () => {
      const c = new TestClient(server.url);
      const r = await c.signIn(shop.people.agent.email.toUpperCase(), shop.people.agent.password);
      expect(r.status).to.equal(200);
    });

    it('refuses a cookie-authenticated write without the CSRF token, with 403', async () => {
      const c = await signedIn(server.url, shop.people.owner);
      const r = await c.patch(`/api/shops/${shop.id}`, { name: 'CSRF attempt' }, { csrf: false });
      expect(r.status).to.equal(403);
      expect(r.body.error.details).to.deep.equal({ reason: 'csrf' });
      const wrong = await c.patch(`/api/shops/${shop.id}`, { name: 'CSRF attempt' }, { csrf: false, headers: { 'x-csrf-token': 'x'.repeat(32) } });
      expect(wrong.status).to.equal(403);
      const shopNow = await c.get(`/api/shops/${shop.id}`);
      expect(shopNow.body.name).to.equal(shop.name);
    });

    it('signs out: the cookie is cleared and the old token no longer works', async () => {
      const c = await signedIn(server.url, shop.people.staff);
      const token = c.cookie!;
      const out = await c.post('/api/auth/sign-out');
      expect(out.status).to.equal(204);
      expect(c.cookie).to.equal(undefined);
      const replay = new TestClient(server.url);
      replay.cookie = token;
      const r = await replay.get('/api/auth/session');
      expect(r.status).to.equal(401);
    });

    it('slides the cookie forward with the session when a request extends it', async () => {
      const c = await signedIn(server.url, shop.people.staff);
      const quiet = await c.get('/api/auth/session');
      expect(quiet.headers.getSetCookie()).to.deep.equal([]);
      await server.database.db.execute(sql`update sessions set last_seen_at = now() - interval '10 minutes' where user_id = ${shop.people.staff.id}`);
      const slid = await c.get('/api/auth/session');
      const cookie = slid.headers.getSetCookie().find((h) => h.startsWith('mdg_session='));
      expect(cookie).to.be.a('string');
      const expires = new Date(/expires=([^;]+)/i.exec(cookie!)![1]!);
      expect(Math.abs(expires.getTime() - Date.parse(slid.body.expiresAt))).to.be.lessThan(2000);
    });

    it('answers an expired session with 401 and reason "expired"', async () => {
      const c = await signedIn(server.url, shop.people.agent);
      await server.database.db.execute(sql`update sessions set expires_at = now() - interval '1 minute' where user_id = ${shop.people.agent.id}`);
      const r = await c.get('/api/auth/session');
      expect(r.status).to.equal(401);
      expect(r.body.error).to.include({ code: 'unauthenticated' });
      expect(r.body.error.details).to.deep.equal({ reason: 'expired' });
    });

    it('answers a made-up session cookie and a missing one with 401, saying which', async () => {
      const c = new TestClient(server.url);
      c.cookie = 'mdg_session=forged-token-value';
      const forged = await c.get('/api/auth/session');
      expect(forged.status).to.equal(401);
      expect(forged.body.error.details).to.deep.equal({ reason: 'ended' });
      const none = await new TestClient(server.url).get('/api/auth/session');
      expect(none.body.error.details).to.deep.equal({ reason: 'no_session' });
    });

    it('lets a person change their own name and console language, validated', async () => {
      const other = await makeShop(server.database);
      const c = await signedIn(server.url, other.people.agent);
      const r = await c.patch('/api/auth/me', { locale: 'en', name: 'Ichiro S.' });
      expect(r.status).to.equal(200);
      expect(r.body.user).to.include({ locale: 'en', name: 'Ichiro S.' });
      expect((await c.get('/api/auth/session')).body.user.locale).to.equal('en');
      expect((await c.patch('/api/auth/me', { locale: 'fr' })).status).to.equal(400);
      expect((await c.patch('/api/auth/me', {})).status).to.equal(400);
      expect((await c.patch('/api/auth/me', { email: 'someone@else.test' })).status).to.equal(400);
    });

    it('changes the password and ends the other sessions of that person', async () => {
      const other = await makeShop(server.database);
      const a = await signedIn(server.url, other.people.staff);
      const b = await signedIn(server.url, other.people.staff);
      const weak = await a.post('/api/auth/password', { current: other.people.staff.password, next: 'short' });
      expect(weak.status).to.equal(400);
      const bad = await a.post('/api/auth/password', { current: 'wrong password!', next: 'a much longer new password' });
      expect(bad.status).to.equal(403);
      const ok = await a.post('/api/auth/password', { current: other.people.staff.password, next: 'a much longer new password' });
      expect(ok.status).to.equal(204);
      expect((await a.get('/api/auth/session')).status).to.equal(200);
      expect((await b.get('/api/auth/session')).status).to.equal(401);
      const again = new TestClient(server.url);
      expect((await again.signIn(other.people.staff.email, 'a much longer new password')).status).to.equal(200);
    });
  });

  describe(`[${kind}] sign-in behind a TLS-terminating proxy`, () => {
    let server: TestServer;
    let shop: TestShop;
    before(async () => {
      server = await startServer(kind, { config: { PUBLIC_URL: 'https://desk.example.jp' } });
      shop = await makeShop(server.database);
    });
    after(() => server.close());

    it('sets a Secure cookie although the hop to the app is plain HTTP', async () => {
      const c = new TestClient(server.url);
      const r = await c.signIn(shop.people.owner.email, shop.people.owner.password);
      expect(r.status).to.equal(200);
      expect(r.headers.getSetCookie().find((h) => h.startsWith('mdg_session='))).to.match(/;\s*secure/i);
      expect(r.headers.get('strict-transport-security')).to.be.a('string');
    });
  });

  describe(`[${kind}] sign-in rate limits`, () => {
    let server: TestServer;
    let shop: TestShop;

    before(async () => {
      server = await startServer(kind, { signInLimits: { perAccount: 3, perAddress: 8, windowSeconds: 60 }, config: { TRUST_PROXY: 'true' } });
      shop = await makeShop(server.database);
    });
    after(() => server.close());

    it('locks an account after repeated wrong passwords, even for the right one, with 429 and Retry-After', async () => {
      const c = new TestClient(server.url);
      const from = { headers: { 'x-forwarded-for': '203.0.113.10' } };
      for (let i = 0; i < 3; i++) {
        const r = await c.post('/api/auth/sign-in', { email: shop.people.contractor.email, password: `wrong-${i}` }, from);
        expect(r.status).to.equal(401);
      }
      const locked = await c.post('/api/auth/sign-in', { email: shop.people.contractor.email, password: shop.people.contractor.password }, from);
      expect(locked.status).to.equal(429);
      expect(locked.body.error.code).to.equal('rate_limited');
      expect(Number(locked.headers.get('retry-after'))).to.be.greaterThan(0);
      const otherAccount = await c.post('/api/auth/sign-in', { email: shop.people.owner.email, password: shop.people.owner.password }, from);
      expect(otherAccount.status).to.equal(200);
    });

    it('counts attempts before checking the password, so parallel guesses cannot exceed the limit', async () => {
      const target = (await makeShop(server.database)).people.agent;
      const guesses = await Promise.all(
        Array.from({ length: 12 }, (_, i) => new TestClient(server.url).post('/api/auth/sign-in', { email: target.email, password: `guess-${i}` }, { headers: { 'x-forwarded-for': `192.0.2.${i}` } })),
      );
      expect(guesses.filter((g) => g.status === 401)).to.have.length(3);
      expect(guesses.filter((g) => g.status === 429)).to.have.length(9);
    });

    it('limits attempts per client address across accounts', async () => {
      const c = new TestClient(server.url);
      const from = { headers: { 'x-forwarded-for': '198.51.100.7' } };
      const statuses: number[] = [];
      for (let i = 0; i < 9; i++) {
        statuses.push((await c.post('/api/auth/sign-in', { email: `someone-${i}@test.madoguchi.test`, password: 'irrelevant' }, from)).status);
      }
      expect(statuses.slice(0, 8)).to.deep.equal(Array(8).fill(401));
      expect(statuses[8]).to.equal(429);
      const elsewhere = await c.post('/api/auth/sign-in', { email: shop.people.staff.email, password: shop.people.staff.password }, { headers: { 'x-forwarded-for': '198.51.100.8' } });
      expect(elsewhere.status).to.equal(200);
    });

    it('takes the address the trusted proxy appended, so a forged X-Forwarded-For does not reset the limit', async () => {
      const c = new TestClient(server.url);
      const statuses: number[] = [];
      for (let i = 0; i < 9; i++) {
        const r = await c.post('/api/auth/sign-in', { email: `nobody-${i}@test.madoguchi.test`, password: 'x' }, { headers: { 'x-forwarded-for': `10.0.0.${i}, 198.51.100.99` } });
        statuses.push(r.status);
      }
      expect(statuses[8]).to.equal(429);
    });
  });
}
