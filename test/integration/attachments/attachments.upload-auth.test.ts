import { expect } from 'chai';
import type { TestServer } from '../../helpers/app.ts';
import { TestClient } from '../../helpers/client.ts';
import { oneDbKind } from '../../helpers/env.ts';
import { answeredBeforeBody as early } from '../../helpers/early.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';
import { makeChat, tinyPng, type TestChat } from './chat.fixtures.ts';
import { serverWithFiles, upload } from './files.ts';

/** A PNG's first bytes, then zeros: what a widget upload starts with. */
const answeredBeforeBody = (url: string, path: string, headers: Record<string, string>, length: number) =>
  early(url, path, headers, length, { first: Buffer.concat([tinyPng(), Buffer.alloc(64 * 1024)]) });

// Answered in front of the database, alike on both drivers: one kind (README, Testing).
for (const kind of oneDbKind()) {
  describe(`[${kind}] widget uploads: the caller is checked before the body is read`, () => {
    let server: TestServer & { dataDir: string };
    let shop: TestShop;
    let chat: TestChat;
    const FOUR_MB = 4 * 1024 * 1024;

    before(async () => {
      server = await serverWithFiles(kind, '8');
      shop = await makeShop(server.database);
      chat = await makeChat(server.database.db, shop.id);
    });
    after(() => server.close());

    const widgetPath = (shopId = shop.id, c = chat) => `/api/public/shops/${shopId}/widget/conversations/${c.conversationId}/attachments?filename=a.png`;

    it('answers an upload without a token, or with a wrong one, 401 while its body is still unsent', async () => {
      for (const authorization of [undefined, 'Bearer not-a-session-token', 'Basic dXNlcjpwYXNz']) {
        const r = await answeredBeforeBody(server.url, widgetPath(), { 'content-type': 'image/png', ...(authorization ? { authorization } : {}) }, FOUR_MB);
        expect(r.status, String(authorization)).to.equal(401);
        expect(r.body.error.code).to.equal('unauthenticated');
      }
    });

    it("answers a token of another shop's chat 401 the same way", async () => {
      const other = await makeShop(server.database);
      const theirs = await makeChat(server.database.db, other.id);
      const r = await answeredBeforeBody(server.url, widgetPath(shop.id, chat), { 'content-type': 'image/png', authorization: `Bearer ${theirs.token}` }, FOUR_MB);
      expect(r.status).to.equal(401);
    });

    it('answers a customer whose announced size is over ATTACHMENT_LIMIT_MB 413 before reading it', async () => {
      const r = await answeredBeforeBody(server.url, widgetPath(), { 'content-type': 'image/png', authorization: `Bearer ${chat.token}` }, 9 * 1024 * 1024);
      expect(r.status).to.equal(413);
      expect(r.body.error.code).to.equal('payload_too_large');
    });

    it('rates a conversation only with a token, also checked before the body', async () => {
      const r = await answeredBeforeBody(server.url, `/api/public/shops/${shop.id}/widget/conversations/${chat.conversationId}/csat`, { 'content-type': 'application/json' }, 200 * 1024);
      expect(r.status).to.equal(401);
    });

    it('still takes a whole upload from the customer with a valid token', async () => {
      const customer = new TestClient(server.url).withKey(chat.token);
      const r = await upload(customer, widgetPath(), tinyPng(), 'image/png', 'a.png');
      expect(r.status, r.text).to.equal(201);
      expect(r.body.url).to.equal(`/api/public/shops/${shop.id}/widget/attachments/${r.body.id}`);
      const download = await customer.get(r.body.url.replace(/\?.*$/, ''));
      expect(download.status).to.equal(200);
      expect((await new TestClient(server.url).get(r.body.url)).status).to.equal(401);
    });
  });
}
