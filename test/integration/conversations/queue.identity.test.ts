import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { signIdentity, type IdentityClaims } from '../../../server/domains/conversations/widget.identity.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { ask, connected, widgetClient } from '../../helpers/sockets.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';

const now = () => Math.floor(Date.now() / 1000);

for (const kind of dbKinds) {
  describe(`[${kind}] verified chat with identity tokens signed by the shop`, () => {
    let server: TestServer;
    let shop: TestShop;
    let owner: TestClient;
    let secret: string;

    before(async () => {
      server = await startServer(kind);
      shop = await makeShop(server.database);
      owner = await signedIn(server.url, shop.people.owner);
      const r = await owner.post(`/api/shops/${shop.id}/widget-secret`);
      expect(r.status, r.text).to.equal(201);
      secret = r.body.secret;
    });
    after(() => server.close());

    const claims = (over: Partial<IdentityClaims> = {}): IdentityClaims => ({ sub: 'cust-42', email: 'Hanako@Example.jp', name: '山田 花子', iat: now(), jti: randomUUID(), ...over });
    const session = (identityToken: string, shopId = shop.id) =>
      fetch(`${server.url}/api/public/shops/${shopId}/widget/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identityToken }) }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as any,
      }));

    it('a token signed with the shop secret starts a verified session, and the same external id is the same customer', async () => {
      const a = await session(signIdentity(secret, claims()));
      expect(a.status, JSON.stringify(a.body)).to.equal(201);
      expect(a.body.customer).to.include({ name: '山田 花子', verified: true });
      const b = await session(signIdentity(secret, claims({ name: '山田 花子（新）' })));
      expect(b.body.customer.id).to.equal(a.body.customer.id);
      expect(b.body.customer.name).to.equal('山田 花子（新）');
      const w = widgetClient(server.url, shop.id, b.body.token);
      await connected(w);
      expect((await ask(w, 'conversation:open', {})).ok).to.equal(true);
      w.disconnect();
    });

    const refusals: Array<[string, () => string | Promise<string>, RegExp]> = [
      ['an expired token (issued 11 minutes ago)', () => signIdentity(secret, claims({ iat: now() - 11 * 60 })), /expired/],
      ['a token issued in the future', () => signIdentity(secret, claims({ iat: now() + 10 * 60 })), /future/],
      ['a token with a wrong signature', () => `${signIdentity(secret, claims()).split('.').slice(0, 2).join('.')}.${'A'.repeat(43)}`, /signature/],
      ['a token whose claims were changed after signing', () => {
        const [v, , sig] = signIdentity(secret, claims()).split('.');
        return `${v}.${Buffer.from(JSON.stringify(claims({ sub: 'someone-else' }))).toString('base64url')}.${sig}`;
      }, /signature/],
      ['a token signed with another secret', () => signIdentity('not-the-shop-secret-at-all', claims()), /signature/],
      ['a malformed token', () => 'v2.abc.def-ghi', /malformed/],
      ['a signed token without a subject', () => signIdentity(secret, { iat: now(), jti: randomUUID() } as IdentityClaims), /claims.*sub/],
      ['a signed token without a jti (it could be replayed for its whole life)', () => {
        const { jti: _, ...old } = claims();
        return signIdentity(secret, old as IdentityClaims);
      }, /claims.*jti/],
      ['a token past its own exp, though younger than 10 minutes', () => signIdentity(secret, claims({ iat: now() - 180, exp: now() - 61 })), /expired/],
      ['a token whose exp is more than 10 minutes after iat', () => signIdentity(secret, claims({ exp: now() + 3600 })), /at most 600 s/],
    ];
    for (const [what, token, message] of refusals) {
      it(`refuses ${what} with 401 and says why`, async () => {
        const r = await session(await token());
        expect(r.status).to.equal(401);
        expect(r.body.error.code).to.equal('unauthenticated');
        expect(r.body.error.message).to.match(message);
      });
    }

    it('starts one session per token: the same token again is refused (401), though still young and well signed', async () => {
      const token = signIdentity(secret, claims({ sub: `cust-${randomUUID().slice(0, 8)}` }));
      const first = await session(token);
      expect(first.status, JSON.stringify(first.body)).to.equal(201);
      const again = await Promise.all([session(token), session(token)]);
      for (const r of again) {
        expect(r.status).to.equal(401);
        expect(r.body.error.message).to.match(/used already/);
      }
      // A fresh token for the same customer (the next page load) is fine, and it is the same customer.
      const next = await session(signIdentity(secret, { ...claims(), sub: JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub }));
      expect(next.status).to.equal(201);
      expect(next.body.customer.id).to.equal(first.body.customer.id);
    });

    it('lets only one of several simultaneous uses of a token through', async () => {
      const token = signIdentity(secret, claims({ sub: `cust-${randomUUID().slice(0, 8)}` }));
      const answers = await Promise.all(Array.from({ length: 6 }, () => session(token)));
      expect(answers.map((a) => a.status).sort()).to.deep.equal([201, 401, 401, 401, 401, 401]);
    });

    it('takes a short-lived token with its own exp', async () => {
      const r = await session(signIdentity(secret, claims({ exp: now() + 60 })));
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
    });

    it("refuses a token signed with another shop's secret", async () => {
      const other = await makeShop(server.database);
      const otherSecret = (await (await signedIn(server.url, other.people.owner)).post(`/api/shops/${other.id}/widget-secret`)).body.secret;
      const r = await session(signIdentity(otherSecret, claims()));
      expect(r.status).to.equal(401);
      expect(r.body.error.message).to.match(/signature/);
    });

    it('refuses identity tokens for a shop that has no widget secret, saying so', async () => {
      const bare = await makeShop(server.database);
      const r = await session(signIdentity(secret, claims()), bare.id);
      expect(r.status).to.equal(401);
      expect(r.body.error.message).to.match(/no widget secret/);
    });

    it('rotating the secret stops tokens signed with the old one', async () => {
      const old = secret;
      const r = await owner.post(`/api/shops/${shop.id}/widget-secret`);
      secret = r.body.secret;
      expect(secret).not.to.equal(old);
      expect((await session(signIdentity(old, claims()))).status).to.equal(401);
      expect((await session(signIdentity(secret, claims()))).status).to.equal(201);
      const audit = await owner.get(`/api/shops/${shop.id}/audit?action=widget_secret.rotated`);
      expect(JSON.stringify(audit.body)).not.to.include(secret);
    });

    it('only the owner may rotate the secret (403 for everyone else)', async () => {
      for (const role of ['staff', 'agent', 'contractor'] as const) {
        const c = await signedIn(server.url, shop.people[role]);
        const r = await c.post(`/api/shops/${shop.id}/widget-secret`);
        expect(r.status, role).to.equal(403);
      }
      expect((await session(signIdentity(secret, claims()))).status).to.equal(201);
    });
  });
}
