import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { outbox } from '../../../server/core/outbox.tables.ts';
import { unseal } from '../../../server/core/sealed.ts';
import { issueState, STATE_COOKIE, STATE_SECONDS } from '../../../server/domains/stores/base/base.oauth.ts';
import { STORE_SYNC_TOPIC } from '../../../server/domains/stores/stores.service.ts';
import { storeConnections } from '../../../server/domains/stores/stores.tables.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { forgetStoresSince } from './stores.cleanup.ts';
import { baseApiStandIn, type BaseApiStandIn } from '../../helpers/base-api.ts';
import type { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, signedIn } from '../../fixtures/builders.ts';

const CLIENT_ID = 'base-client-of-the-test-app';
const CLIENT_SECRET = 'base-secret-of-the-test-app';
const PUBLIC_URL = 'https://desk.example.jp';
const CALLBACK = `${PUBLIC_URL}/stores/base/callback`;

for (const kind of dbKinds) {
  describe(`[${kind}] "Connect BASE" (OAuth round trip with BASE)`, () => {
    let server: TestServer;
    let base: BaseApiStandIn;
    before(async () => {
      base = await baseApiStandIn({ shop: { shopId: 'kissa_mado', shopName: '喫茶まど' } });
      base.addClient(CLIENT_ID, CLIENT_SECRET, CALLBACK);
      server = await startServer(kind, { config: { JOBS: 'off', BASE_CLIENT_ID: CLIENT_ID, BASE_CLIENT_SECRET: CLIENT_SECRET, BASE_API_URL: base.url, PUBLIC_URL } });
    });
    const began = new Date();
    after(async () => {
      await forgetStoresSince(server.database.db, began);
      await server.close();
      await base.close();
    });
    beforeEach(() => void (base.consent = 'allow'));

    const db = () => server.database.db;
    const connectionsOf = (shopId: string) => db().select().from(storeConnections).where(eq(storeConnections.shopId, shopId));

    /** The console's "Connect BASE": the redirect to BASE, and the state cookie the browser keeps. */
    async function install(client: TestClient, shopId: string) {
      const r = await client.get(`/api/shops/${shopId}/stores/base/install`);
      expect(r.status, r.text).to.equal(302);
      const cookie = r.headers.getSetCookie().find((c) => c.startsWith(`${STATE_COOKIE}=`))!;
      return { location: new URL(r.headers.get('location')!), cookie: cookie.split(';')[0]!, setCookie: cookie };
    }
    /** The shop owner on BASE's page: BASE sends the browser back to our callback (its query). */
    async function atBase(location: URL): Promise<URLSearchParams> {
      const r = await fetch(location, { redirect: 'manual' });
      expect(r.status).to.equal(302);
      const back = new URL(r.headers.get('location')!);
      expect(back.origin + back.pathname).to.equal(CALLBACK);
      return back.searchParams;
    }
    /** The browser comes back to madoguchi with its cookies. */
    async function comeBack(client: TestClient | undefined, query: URLSearchParams | string, stateCookie?: string) {
      const res = await fetch(`${server.url}/stores/base/callback?${query}`, { headers: { cookie: [client?.cookie, stateCookie].filter(Boolean).join('; ') }, redirect: 'manual' });
      return { status: res.status, location: res.headers.get('location') };
    }

    it('connects: the owner is sent to BASE asking for read_users and read_orders, BASE’s code is exchanged, the shop named by users/me is stored with sealed tokens, and a backfill is queued', async () => {
      const shop = await makeShop(server.database, undefined, ['owner']);
      const owner = await signedIn(server.url, shop.people.owner);
      const { location, cookie, setCookie } = await install(owner, shop.id);
      expect(location.origin + location.pathname).to.equal(`${base.url}/1/oauth/authorize`);
      expect(Object.fromEntries([...location.searchParams].filter(([k]) => k !== 'state'))).to.deep.equal({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: CALLBACK, scope: 'read_users read_orders' });
      expect(setCookie.toLowerCase()).to.include('httponly').and.include('path=/stores/base').and.include('samesite=lax');

      const back = await comeBack(owner, await atBase(location), cookie);
      expect(back).to.deep.equal({ status: 302, location: `/console/shops/${shop.id}/settings/stores?connected=base` });
      const token = base.callsTo('/1/oauth/token').at(-1)!;
      expect(token.form).to.deep.include({ grant_type: 'authorization_code', client_id: CLIENT_ID, redirect_uri: CALLBACK });

      const [row] = await connectionsOf(shop.id);
      expect(row).to.deep.include({ platform: 'base', account: 'kissa_mado', accountName: '喫茶まど', via: 'oauth', status: 'ok', createdBy: shop.people.owner.id });
      expect(row!.scopes).to.deep.equal(['read_users', 'read_orders']);
      const access = unseal(server.app.stores.keyring, row!.accessSealed, `store:access:${row!.id}`);
      expect(base.callsTo('/1/users/me').at(-1)!.token).to.equal(access);
      expect(row!.accessSealed).to.not.include(access);
      expect(row!.refreshSealed).to.be.a('string');
      expect(row!.tokenExpiresAt!.getTime()).to.be.greaterThan(Date.now());
      const queued = await db().select().from(outbox).where(and(eq(outbox.shopId, shop.id), eq(outbox.topic, STORE_SYNC_TOPIC)));
      expect(queued.map((q) => q.payload)).to.deep.equal([{ connectionId: row!.id, trigger: 'backfill' }]);

      const list = await owner.get(`/api/shops/${shop.id}/stores`);
      expect(list.body.available.base).to.deep.equal({ oauth: true });
      expect(list.body.stores[0]).to.deep.include({ platform: 'base', account: 'kissa_mado', accountName: '喫茶まど', status: 'ok' });
      expect(list.text).to.not.include(access);
    });

    it('staff may connect; an agent or contractor may not (403), and a stranger’s shop is not found', async () => {
      const shop = await makeShop(server.database);
      const staff = await signedIn(server.url, shop.people.staff);
      expect((await staff.get(`/api/shops/${shop.id}/stores/base/install`)).status).to.equal(302);
      for (const role of ['agent', 'contractor'] as const) {
        const c = await signedIn(server.url, shop.people[role]);
        expect((await c.get(`/api/shops/${shop.id}/stores/base/install`)).status).to.equal(403);
      }
      const other = await makeShop(server.database, undefined, ['owner']);
      const stranger = await signedIn(server.url, other.people.owner);
      expect((await stranger.get(`/api/shops/${shop.id}/stores/base/install`)).status).to.equal(404);
    });

    it('a forged or edited state, a state without its browser cookie, and a state used twice are refused; nothing is stored', async () => {
      const shop = await makeShop(server.database, undefined, ['owner']);
      const owner = await signedIn(server.url, shop.people.owner);
      const { location, cookie } = await install(owner, shop.id);
      const query = await atBase(location);

      const forged = new URLSearchParams(query);
      forged.set('state', `${query.get('state')!.split('.')[0]}.AAAA`);
      expect((await comeBack(owner, forged, cookie)).location).to.equal('/console/settings/stores?error=invalid_state');
      expect((await comeBack(owner, query)).location).to.equal('/console/settings/stores?error=wrong_browser');
      expect(await connectionsOf(shop.id)).to.deep.equal([]);

      expect((await comeBack(owner, query, cookie)).location).to.equal(`/console/shops/${shop.id}/settings/stores?connected=base`);
      expect((await comeBack(owner, query, cookie)).location).to.equal(`/console/shops/${shop.id}/settings/stores?error=reused_state`);
      expect(await connectionsOf(shop.id)).to.have.length(1);
    });

    it('a state older than 10 minutes is refused as expired', async () => {
      const shop = await makeShop(server.database, undefined, ['owner']);
      const owner = await signedIn(server.url, shop.people.owner);
      const { state, nonce } = issueState(server.app.stores.keyring, shop.id, shop.people.owner.id, Date.now() - (STATE_SECONDS + 60) * 1000);
      const back = await comeBack(owner, new URLSearchParams({ code: 'whatever', state }), `${STATE_COOKIE}=${nonce}`);
      expect(back.location).to.equal('/console/settings/stores?error=expired_state');
      expect(await connectionsOf(shop.id)).to.deep.equal([]);
    });

    it('the shop owner declining on BASE’s page comes back as denied', async () => {
      const shop = await makeShop(server.database, undefined, ['owner']);
      const owner = await signedIn(server.url, shop.people.owner);
      const { location, cookie } = await install(owner, shop.id);
      base.consent = 'deny';
      const query = await atBase(location);
      expect(query.get('error')).to.equal('access_denied');
      expect((await comeBack(owner, query, cookie)).location).to.equal(`/console/shops/${shop.id}/settings/stores?error=denied`);
      expect(await connectionsOf(shop.id)).to.deep.equal([]);
    });

    it('BASE refusing the code (already exchanged, or made up) comes back as base_refused', async () => {
      const shop = await makeShop(server.database, undefined, ['owner']);
      const owner = await signedIn(server.url, shop.people.owner);
      const { location, cookie } = await install(owner, shop.id);
      const query = await atBase(location);
      query.set('code', 'not-a-code-base-gave');
      expect((await comeBack(owner, query, cookie)).location).to.equal(`/console/shops/${shop.id}/settings/stores?error=base_refused`);
      expect(await connectionsOf(shop.id)).to.deep.equal([]);
    });

    it('BASE down at the exchange comes back as base_unavailable', async () => {
      const shop = await makeShop(server.database, undefined, ['owner']);
      const owner = await signedIn(server.url, shop.people.owner);
      const { location, cookie } = await install(owner, shop.id);
      const query = await atBase(location);
      base.failNext('/1/oauth/token', { status: 503 });
      expect((await comeBack(owner, query, cookie)).location).to.equal(`/console/shops/${shop.id}/settings/stores?error=base_unavailable`);
    });

    it('the callback finished in another person’s session, or signed out, is refused', async () => {
      const shop = await makeShop(server.database, undefined, ['owner', 'staff']);
      const owner = await signedIn(server.url, shop.people.owner);
      const staff = await signedIn(server.url, shop.people.staff);
      const first = await install(owner, shop.id);
      expect((await comeBack(staff, await atBase(first.location), first.cookie)).location).to.equal(`/console/shops/${shop.id}/settings/stores?error=forbidden`);
      const second = await install(owner, shop.id);
      expect((await comeBack(undefined, await atBase(second.location), second.cookie)).location).to.equal(`/console/shops/${shop.id}/settings/stores?error=signed_out`);
      expect(await connectionsOf(shop.id)).to.deep.equal([]);
    });
  });

  describe(`[${kind}] "Connect BASE" on a deployment without a BASE app`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(kind, { config: { JOBS: 'off' } });
    });
    after(() => server.close());

    it('install answers 404 not_configured, the list says BASE is not available, and a stray callback says not_configured', async () => {
      const shop = await makeShop(server.database, undefined, ['owner']);
      const owner = await signedIn(server.url, shop.people.owner);
      const r = await owner.get(`/api/shops/${shop.id}/stores/base/install`);
      expect(r.status).to.equal(404);
      expect(r.body.error.details).to.deep.include({ reason: 'not_configured' });
      expect((await owner.get(`/api/shops/${shop.id}/stores`)).body.available.base).to.deep.equal({ oauth: false });
      const back = await fetch(`${server.url}/stores/base/callback?code=x&state=y`, { redirect: 'manual' });
      expect(back.headers.get('location')).to.equal('/console/settings/stores?error=not_configured');
    });
  });
}
