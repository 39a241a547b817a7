import { expect } from 'chai';
import { sql } from 'drizzle-orm';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] shops, people and roles`, () => {
    let server: TestServer;
    let shop: TestShop;
    let owner: TestClient;

    before(async () => {
      server = await startServer(kind);
      shop = await makeShop(server.database);
      owner = await signedIn(server.url, shop.people.owner);
    });
    after(() => server.close());

    it('lets the owner change settings, validating origins and time zones, and audits the change', async () => {
      const bad = await owner.patch(`/api/shops/${shop.id}`, { allowedOrigins: ['https://shop.example.jp/path'], timezone: 'Mars/Olympus' });
      expect(bad.status).to.equal(400);
      expect(bad.body.error.details.map((d: { path: string }) => d.path)).to.include.members(['allowedOrigins.0', 'timezone']);
      const ok = await owner.patch(`/api/shops/${shop.id}`, { locale: 'en', allowedOrigins: ['https://shop.example.jp', 'http://localhost:8080'] });
      expect(ok.status).to.equal(200);
      expect(ok.body).to.include({ locale: 'en', timezone: 'Asia/Tokyo' });
      const audit = await owner.get(`/api/shops/${shop.id}/audit?action=shop.updated`);
      expect(audit.body.events[0].summary.locale).to.deep.equal({ from: 'ja', to: 'en' });
      expect(audit.body.events[0].summary).not.to.have.property('name');
    });

    it('keeps settings, people, keys and the audit trail to the owner: other roles get 403', async () => {
      for (const role of ['staff', 'agent', 'contractor'] as const) {
        const c = await signedIn(server.url, shop.people[role]);
        expect((await c.patch(`/api/shops/${shop.id}`, { name: 'taken over' })).status, role).to.equal(403);
        expect((await c.get(`/api/shops/${shop.id}/audit`)).status, role).to.equal(403);
        expect((await c.post(`/api/shops/${shop.id}/api-keys`, { name: 'k' })).status, role).to.equal(403);
        expect((await c.post(`/api/shops/${shop.id}/invitations`, { email: 'x@test.madoguchi.test', role: 'owner' })).status, role).to.equal(403);
        expect((await c.get(`/api/shops/${shop.id}`)).status, role).to.equal(200);
      }
    });

    it('lists and revokes API keys for the owner only: an agent or contractor gets 403 and the key stays active', async () => {
      const made = await owner.post(`/api/shops/${shop.id}/api-keys`, { name: 'owner only' });
      expect(made.status, made.text).to.equal(201);
      for (const role of ['agent', 'contractor'] as const) {
        const c = await signedIn(server.url, shop.people[role]);
        expect((await c.get(`/api/shops/${shop.id}/api-keys`)).status, role).to.equal(403);
        expect((await c.delete(`/api/shops/${shop.id}/api-keys/${made.body.id}`)).status, role).to.equal(403);
      }
      const listed = await owner.get(`/api/shops/${shop.id}/api-keys`);
      expect(listed.status).to.equal(200);
      expect(listed.body.find((k: { id: string }) => k.id === made.body.id).revokedAt).to.equal(null);
    });

    it('never leaves a shop without an owner', async () => {
      const solo = await makeShop(server.database);
      const soloOwner = await signedIn(server.url, solo.people.owner);
      const demote = await soloOwner.patch(`/api/shops/${solo.id}/members/${solo.people.owner.id}`, { role: 'staff' });
      expect(demote.status).to.equal(409);
      const remove = await soloOwner.delete(`/api/shops/${solo.id}/members/${solo.people.owner.id}`);
      expect(remove.status).to.equal(409);
      const promote = await soloOwner.patch(`/api/shops/${solo.id}/members/${solo.people.staff.id}`, { role: 'owner' });
      expect(promote.status).to.equal(200);
      expect((await soloOwner.patch(`/api/shops/${solo.id}/members/${solo.people.owner.id}`, { role: 'staff' })).status).to.equal(200);
    });

    it('when two owners demote each other at once, one wins and the shop keeps exactly one owner', async () => {
      const duo = await makeShop(server.database);
      const a = await signedIn(server.url, duo.people.owner);
      expect((await a.patch(`/api/shops/${duo.id}/members/${duo.people.staff.id}`, { role: 'owner' })).status).to.equal(200);
      const b = await signedIn(server.url, duo.people.staff);
      const [ra, rb] = await Promise.all([
        a.patch(`/api/shops/${duo.id}/members/${duo.people.staff.id}`, { role: 'staff' }),
        b.patch(`/api/shops/${duo.id}/members/${duo.people.owner.id}`, { role: 'staff' }),
      ]);
      // The loser gets 409 (last owner) or, when the winner committed before its request was
      // authorised, 403 (no longer an owner); never two successes.
      const statuses = [ra.status, rb.status].sort();
      expect(statuses[0]).to.equal(200);
      expect([403, 409]).to.include(statuses[1]);
      const members = await (ra.status === 200 ? a : b).get(`/api/shops/${duo.id}/members`);
      expect(members.body.filter((m: { role: string }) => m.role === 'owner')).to.have.length(1);
    });

    it('removes a person from the shop: their next request there is 404', async () => {
      const solo = await makeShop(server.database);
      const soloOwner = await signedIn(server.url, solo.people.owner);
      const agent = await signedIn(server.url, solo.people.agent);
      expect((await agent.get(`/api/shops/${solo.id}`)).status).to.equal(200);
      expect((await soloOwner.delete(`/api/shops/${solo.id}/members/${solo.people.agent.id}`)).status).to.equal(204);
      expect((await agent.get(`/api/shops/${solo.id}`)).status).to.equal(404);
      const audit = await soloOwner.get(`/api/shops/${solo.id}/audit?objectId=${solo.people.agent.id}`);
      expect(audit.body.events[0]).to.include({ action: 'member.removed', actorId: solo.people.owner.id });
    });

    it('lets only owners open shops: agents and contractors get 403', async () => {
      for (const role of ['staff', 'agent', 'contractor'] as const) {
        const c = await signedIn(server.url, shop.people[role]);
        expect((await c.post('/api/shops', { name: `${role} shop` })).status, role).to.equal(403);
      }
    });

    it('opens a new shop for an owner, who becomes its owner there too', async () => {
      const r = await owner.post('/api/shops', { name: '二号店', allowedOrigins: [] });
      expect(r.status).to.equal(201);
      expect(r.body).to.include({ name: '二号店', timezone: 'Asia/Tokyo', locale: 'ja' });
      const me = await owner.get('/api/auth/session');
      expect(me.body.memberships).to.deep.include({ shopId: r.body.id, shopName: '二号店', role: 'owner' });
    });
  });

  describe(`[${kind}] the audit trail`, () => {
    let server: TestServer;
    let shop: TestShop;
    let owner: TestClient;

    before(async () => {
      server = await startServer(kind);
      shop = await makeShop(server.database);
      owner = await signedIn(server.url, shop.people.owner);
      for (let i = 0; i < 5; i++) await owner.patch(`/api/shops/${shop.id}`, { name: `名前 ${i}` });
    });
    after(() => server.close());

    it('filters by action and actor, pages newest first, and validates its filters', async () => {
      const page1 = await owner.get(`/api/shops/${shop.id}/audit?action=shop.updated&limit=2`);
      expect(page1.body.events).to.have.length(2);
      expect(page1.body.events[0].summary.name.to).to.equal('名前 4');
      const page2 = await owner.get(`/api/shops/${shop.id}/audit?action=shop.updated&limit=2&before=${page1.body.nextBefore}`);
      expect(page2.body.events[0].summary.name.to).to.equal('名前 2');
      const byActor = await owner.get(`/api/shops/${shop.id}/audit?actorId=${shop.people.owner.id}&limit=200`);
      expect(byActor.body.events.every((e: { actorId: string }) => e.actorId === shop.people.owner.id)).to.equal(true);
      expect(byActor.body.events[0].requestId).to.be.a('string');
      expect((await owner.get(`/api/shops/${shop.id}/audit?limit=5000`)).status).to.equal(400);
      expect((await owner.get(`/api/shops/${shop.id}/audit?from=yesterday`)).status).to.equal(400);
      expect((await owner.get(`/api/shops/${shop.id}/audit?bogus=1`)).status).to.equal(400);
    });

    it('cannot be edited or deleted, not even with direct SQL', async () => {
      const db = server.database.db;
      let updateError: unknown;
      try {
        await db.execute(sql`update audit_events set action = 'forged' where shop_id = ${shop.id}`);
      } catch (e) {
        updateError = e;
      }
      expect(String((updateError as Error)?.message ?? (updateError as { cause?: Error })?.cause?.message)).to.match(/append-only|Failed query/);
      let deleteError: unknown;
      try {
        await db.execute(sql`delete from audit_events where shop_id = ${shop.id}`);
      } catch (e) {
        deleteError = e;
      }
      expect(deleteError).to.be.instanceOf(Error);
      const still = await owner.get(`/api/shops/${shop.id}/audit?action=shop.updated`);
      expect(still.body.events).to.have.length(5);
      const routes = server.app.specs.filter((s) => s.path.includes('/audit')).map((s) => s.method);
      expect(routes).to.deep.equal(['get']);
    });
  });
}
