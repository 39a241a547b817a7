import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import type { TestServer } from '../../helpers/app.ts';
import { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { attachments } from '../../../server/domains/attachments/attachments.tables.ts';
import { fakeExe, makeChat, minimalPdf, tinyPng, type TestChat } from './chat.fixtures.ts';
import { download, filesOf, serverWithFiles, upload } from './files.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] chat attachments: upload and download`, () => {
    let server: TestServer & { dataDir: string };
    let shop: TestShop;
    let agent: TestClient;
    let chat: TestChat;
    let customer: TestClient;

    before(async () => {
      server = await serverWithFiles(kind);
      shop = await makeShop(server.database);
      agent = await signedIn(server.url, shop.people.agent);
      chat = await makeChat(server.database.db, shop.id);
      customer = new TestClient(server.url).withKey(chat.token);
    });
    after(() => server.close());

    const agentPath = (c = chat, s = shop) => `/api/shops/${s.id}/conversations/${c.conversationId}/attachments`;
    const widgetPath = (c = chat, s = shop) => `/api/public/shops/${s.id}/widget/conversations/${c.conversationId}/attachments`;
    const rowsOf = (conversationId: string) => server.database.db.select().from(attachments).where(eq(attachments.conversationId, conversationId));

    it('stores an agent’s PNG with its sniffed type, size and SHA-256, and serves it back byte for byte with safe headers', async () => {
      const png = tinyPng();
      const r = await upload(agent, agentPath(), png, 'image/png', 'スクリーンショット 2026-01-05.png');
      expect(r.status).to.equal(201);
      expect(r.body).to.include({ filename: 'スクリーンショット 2026-01-05.png', contentType: 'image/png', size: png.length });
      expect(r.body.url).to.equal(`/api/shops/${shop.id}/attachments/${r.body.id}`);
      const [row] = (await rowsOf(chat.conversationId)).filter((a) => a.id === r.body.id);
      expect(row!.sha256).to.equal(createHash('sha256').update(png).digest('hex'));
      expect(row!.storageKey).to.match(new RegExp(`^${shop.id}/[0-9a-f-]{36}$`));
      expect(row).to.include({ uploadedByKind: 'agent', uploadedById: shop.people.agent.id, messageId: null });

      const d = await download(agent, r.body.url);
      expect(d.status).to.equal(200);
      expect(d.bytes.equals(png)).to.equal(true);
      expect(d.headers.get('content-type')).to.equal('image/png');
      expect(d.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(d.headers.get('content-security-policy')).to.match(/^sandbox\b/);
      expect(d.headers.get('content-disposition')).to.match(/^inline;/);
      expect(d.headers.get('content-disposition')).to.include(`filename*=UTF-8''${encodeURIComponent('スクリーンショット 2026-01-05.png')}`);
    });

    it('takes a customer’s PDF with the widget token and serves PDFs as downloads, never inline', async () => {
      const r = await upload(customer, widgetPath(), minimalPdf, 'application/pdf', 'C:\\Users\\hanako\\領収書.pdf');
      expect(r.status).to.equal(201);
      expect(r.body.filename).to.equal('領収書.pdf');
      expect(r.body.url).to.equal(`/api/public/shops/${shop.id}/widget/attachments/${r.body.id}`);
      const mine = await download(customer, r.body.url);
      expect(mine.status).to.equal(200);
      expect(mine.bytes.equals(minimalPdf)).to.equal(true);
      expect(mine.headers.get('content-type')).to.equal('application/pdf');
      expect(mine.headers.get('content-disposition')).to.match(/^attachment;/);
      expect(mine.headers.get('content-security-policy')).to.match(/^sandbox\b/);
      // The agents of the shop see it too, at their own URL.
      expect((await download(agent, `/api/shops/${shop.id}/attachments/${r.body.id}`)).status).to.equal(200);
    });

    it('audits every download by a person of the shop, contractors included, without the filename', async () => {
      const r = await upload(agent, agentPath(), tinyPng(), 'image/png', '田中様_免許証.png');
      const contractor = await signedIn(server.url, shop.people.contractor);
      expect((await download(contractor, r.body.url)).status).to.equal(200);
      const owner = await signedIn(server.url, shop.people.owner);
      const trail = await owner.get(`/api/shops/${shop.id}/audit?objectId=${r.body.id}`);
      expect(trail.body.events).to.have.length(1);
      expect(trail.body.events[0]).to.include({ action: 'attachment.downloaded', actorId: shop.people.contractor.id });
      expect(JSON.stringify(trail.body.events[0])).not.to.include('免許証');
    });

    it('refuses files that lie about their type with 415, storing neither bytes nor a row', async () => {
      const other = await makeChat(server.database.db, shop.id);
      const storedBefore = await filesOf(server.dataDir, shop.id);
      const liars: [Buffer, string][] = [
        [Buffer.from('<html><script>alert(document.cookie)</script></html>'), 'image/png'],
        [fakeExe, 'image/png'],
        [tinyPng(), 'image/jpeg'],
        [minimalPdf, 'image/gif'],
        [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'image/svg+xml'],
        [fakeExe, 'application/octet-stream'],
      ];
      for (const [bytes, type] of liars) {
        const r = await upload(agent, agentPath(other), bytes, type, 'x.png');
        expect(r.status, type).to.equal(415);
        expect(r.body.error.code).to.equal('unsupported_media_type');
        expect(r.body.error.message, 'names what was declared').to.include(type);
      }
      const mismatch = await upload(customer, widgetPath(), tinyPng(), 'image/jpeg');
      expect(mismatch.body.error.details).to.deep.equal({ declared: 'image/jpeg', detected: 'image/png' });
      expect(await rowsOf(other.conversationId)).to.have.length(0);
      expect(await filesOf(server.dataDir, shop.id)).to.have.members(storedBefore);
    });

    it('answers an empty file with 400 and one over ATTACHMENT_LIMIT_MB with 413, storing nothing', async () => {
      const fresh = await makeShop(server.database);
      const owner = await signedIn(server.url, fresh.people.owner);
      const c = await makeChat(server.database.db, fresh.id);
      const empty = await upload(owner, agentPath(c, fresh), Buffer.alloc(0), 'image/png');
      expect(empty.status).to.equal(400);
      const big = Buffer.concat([tinyPng(), Buffer.alloc(300 * 1024)]);
      const r = await upload(owner, agentPath(c, fresh), big, 'image/png');
      expect(r.status).to.equal(413);
      expect(r.body.error.code).to.equal('payload_too_large');
      expect(await rowsOf(c.conversationId)).to.have.length(0);
      expect(await filesOf(server.dataDir, fresh.id)).to.deep.equal([]);
    });

    it('cleans the filename: no path, no control or bidi characters, capped length, an extension of the real type', async () => {
      const r1 = await upload(agent, agentPath(), tinyPng(), 'image/png', '../../etc/passwd\u0000');
      expect(r1.status).to.equal(400); // NUL is refused outright by the query schema
      const r2 = await upload(agent, agentPath(), tinyPng(), 'image/png', '../../etc/写真\u202egnp.exe');
      expect(r2.body.filename).to.equal('写真gnp.exe.png');
      const r3 = await upload(agent, agentPath(), tinyPng(), 'image/png', `${'長'.repeat(300)}.png`);
      expect([...r3.body.filename]).to.have.length(120);
      expect(r3.body.filename.endsWith('.png')).to.equal(true);
      const r4 = await upload(agent, agentPath(), tinyPng(), 'image/png');
      expect(r4.body.filename).to.equal('file.png');
    });

    it('answers 404 for a conversation of another shop and for a file of another shop', async () => {
      const other = await makeShop(server.database);
      const otherAgent = await signedIn(server.url, other.people.agent);
      const otherChat = await makeChat(server.database.db, other.id);
      // Another shop's conversation under our shop's path, and our conversation under theirs.
      expect((await upload(agent, agentPath(otherChat), tinyPng(), 'image/png')).status).to.equal(404);
      expect((await upload(otherAgent, agentPath(chat, other), tinyPng(), 'image/png')).status).to.equal(404);
      // A shop the agent is not a member of.
      expect((await upload(agent, agentPath(otherChat, other), tinyPng(), 'image/png')).status).to.equal(404);
      const mine = await upload(agent, agentPath(), tinyPng(), 'image/png');
      expect((await download(otherAgent, `/api/shops/${other.id}/attachments/${mine.body.id}`)).status).to.equal(404);
      expect((await download(otherAgent, mine.body.url)).status).to.equal(404);
      expect(await filesOf(server.dataDir, other.id)).to.deep.equal([]);
    });

    it('answers a customer with 404 for another customer’s conversation or file, and 401 without a valid token', async () => {
      const neighbour = await makeChat(server.database.db, shop.id);
      const theirs = new TestClient(server.url).withKey(neighbour.token);
      expect((await upload(theirs, widgetPath(chat), tinyPng(), 'image/png')).status).to.equal(404);
      const mine = await upload(customer, widgetPath(), tinyPng(), 'image/png');
      expect((await download(theirs, mine.body.url)).status).to.equal(404);
      // The same token in another shop is no token at all.
      const other = await makeShop(server.database);
      expect((await download(customer, `/api/public/shops/${other.id}/widget/attachments/${mine.body.id}`)).status).to.equal(401);
      expect((await upload(new TestClient(server.url), widgetPath(), tinyPng(), 'image/png')).status).to.equal(401);
      expect((await download(new TestClient(server.url).withKey('not-a-session'), mine.body.url)).status).to.equal(401);
    });

    it('does not let the customer fetch an agent’s upload before a message sends it', async () => {
      const r = await upload(agent, agentPath(), tinyPng(), 'image/png');
      expect((await download(customer, `/api/public/shops/${shop.id}/widget/attachments/${r.body.id}`)).status).to.equal(404);
    });
  });
}
