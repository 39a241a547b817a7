import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { expect } from 'chai';
import { eq, inArray } from 'drizzle-orm';
import type { TestServer } from '../../helpers/app.ts';
import { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import type { Db } from '../../../server/core/db/client.ts';
import { DomainError } from '../../../server/core/errors.ts';
import { LocalFileStorage } from '../../../server/core/storage.ts';
import { attachments } from '../../../server/domains/attachments/attachments.tables.ts';
import {
  attachmentsForMessages,
  claimAttachments,
  customerAttachmentUrl,
  purgeUnclaimedAttachments,
  storeAttachment,
  type Uploader,
} from '../../../server/domains/attachments/attachments.service.ts';
import { addMessage, makeChat, minimalPdf, tinyPng, type TestChat } from './chat.fixtures.ts';
import { download, filesOf, serverWithFiles, upload } from './files.ts';

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

for (const kind of dbKinds) {
  describe(`[${kind}] chat attachments: claiming by messages, and clean-up`, () => {
    let server: TestServer & { dataDir: string };
    let db: Db;
    let shop: TestShop;
    let agent: TestClient;
    let chat: TestChat;
    let customer: TestClient;
    let asCustomer: Uploader;

    before(async () => {
      server = await serverWithFiles(kind);
      db = server.database.db;
      shop = await makeShop(server.database);
      agent = await signedIn(server.url, shop.people.agent);
      chat = await makeChat(db, shop.id);
      customer = new TestClient(server.url).withKey(chat.token);
      asCustomer = { kind: 'customer', id: chat.customerId };
    });
    after(() => server.close());

    const byCustomer = async (c = chat, client = customer) =>
      (await upload(client, `/api/public/shops/${shop.id}/widget/conversations/${c.conversationId}/attachments`, tinyPng(), 'image/png', 'photo.png')).body.id as string;
    const byAgent = async (c = chat) => (await upload(agent, `/api/shops/${shop.id}/conversations/${c.conversationId}/attachments`, minimalPdf, 'application/pdf')).body.id as string;
    const messageOf = async (id: string) => (await db.select().from(attachments).where(eq(attachments.id, id)))[0]!.messageId;
    const claim = (ids: string[], uploader: Uploader = asCustomer, messageId?: string, conversationId = chat.conversationId) =>
      db.transaction(async (tx) =>
        claimAttachments(tx, { shopId: shop.id, conversationId, messageId: messageId ?? (await addMessage(tx, shop.id, conversationId)), ids, uploader }),
      );

    it('attaches the uploader’s files to a message, in the order given, and lists them per message', async () => {
      const [a, b] = [await byCustomer(), await byCustomer()];
      const messageId = await addMessage(db, shop.id, chat.conversationId);
      const dtos = await claim([b, a, b], asCustomer, messageId);
      expect(dtos.map((d) => d.id)).to.deep.equal([b, a]);
      expect(dtos[0]).to.deep.equal({ id: b, filename: 'photo.png', contentType: 'image/png', size: tinyPng().length, url: `/api/public/shops/${shop.id}/widget/attachments/${b}` });
      const lonely = await addMessage(db, shop.id, chat.conversationId);
      const map = await attachmentsForMessages(db, shop.id, [messageId, lonely], 'agent');
      expect(map.get(messageId)!.map((d) => d.id)).to.have.members([a, b]);
      const first = map.get(messageId)![0]!;
      expect(first.url).to.equal(`/api/shops/${shop.id}/attachments/${first.id}`);
      expect(customerAttachmentUrl(first.url)).to.equal(`/api/public/shops/${shop.id}/widget/attachments/${first.id}`);
      expect(map.has(lonely)).to.equal(false);
      expect(await claim([])).to.deep.equal([]);
    });

    it('refuses the whole claim when any file is not the uploader’s unsent upload to this conversation, and the transaction rolls back', async () => {
      const mine = await byCustomer();
      const agents = await byAgent();
      const elsewhere = await makeChat(db, shop.id);
      const theirs = await byCustomer(elsewhere, new TestClient(server.url).withKey(elsewhere.token));
      const sent = await byCustomer();
      await claim([sent]);
      for (const [bad, why] of [
        [agents, 'uploaded by an agent'],
        [theirs, 'another conversation'],
        [sent, 'already sent'],
        [randomUUID(), 'unknown'],
      ] as const) {
        const e = await refusal(claim([mine, bad]));
        expect(e.code, why).to.equal('invalid_input');
        expect(e.details, why).to.deep.equal({ refused: [bad] });
        expect(await messageOf(mine), why).to.equal(null);
      }
      expect((await refusal(claim(['../etc/passwd']))).code).to.equal('invalid_input');
      // Another shop's id with our conversation: nothing qualifies.
      const other = await makeShop(server.database);
      const e = await refusal(
        db.transaction(async (tx) =>
          claimAttachments(tx, { shopId: other.id, conversationId: chat.conversationId, messageId: await addMessage(tx, shop.id, chat.conversationId), ids: [mine], uploader: asCustomer }),
        ),
      );
      expect(e.code).to.equal('invalid_input');
      expect(await messageOf(mine)).to.equal(null);
    });

    it('lets the customer open an agent’s file once a message sends it, but never one on an internal note', async () => {
      const agentUploader: Uploader = { kind: 'agent', id: shop.people.agent.id };
      const [sentFile, noteFile] = [await byAgent(), await byAgent()];
      await claim([sentFile], agentUploader);
      await claim([noteFile], agentUploader, await addMessage(db, shop.id, chat.conversationId, 'note'));
      const url = (id: string) => `/api/public/shops/${shop.id}/widget/attachments/${id}`;
      expect((await download(customer, url(sentFile))).status).to.equal(200);
      expect((await download(customer, url(noteFile))).status).to.equal(404);
      expect((await download(agent, `/api/shops/${shop.id}/attachments/${noteFile}`)).status).to.equal(200);
    });

    it('purges unclaimed uploads older than the cut-off, bytes and rows, and keeps sent and recent ones', async () => {
      const fresh = await makeShop(server.database);
      const owner = await signedIn(server.url, fresh.people.owner);
      const c = await makeChat(db, fresh.id);
      const put = async () => (await upload(owner, `/api/shops/${fresh.id}/conversations/${c.conversationId}/attachments`, tinyPng(), 'image/png')).body.id as string;
      const [stale, sentOld, recent] = [await put(), await put(), await put()];
      await db.transaction(async (tx) =>
        claimAttachments(tx, { shopId: fresh.id, conversationId: c.conversationId, messageId: await addMessage(tx, fresh.id, c.conversationId), ids: [sentOld], uploader: { kind: 'agent', id: fresh.people.owner.id } }),
      );
      const dayAgo = new Date(Date.now() - 25 * 3_600_000);
      await db.update(attachments).set({ createdAt: dayAgo }).where(inArray(attachments.id, [stale, sentOld]));
      expect(await filesOf(server.dataDir, fresh.id)).to.have.length(3);

      const storage = new LocalFileStorage(join(server.dataDir, 'files'));
      const removed = await purgeUnclaimedAttachments(db, storage, new Date(Date.now() - 24 * 3_600_000));
      expect(removed).to.be.at.least(1);
      const left = await db.select().from(attachments).where(eq(attachments.conversationId, c.conversationId));
      expect(left.map((a) => a.id)).to.have.members([sentOld, recent]);
      expect(await filesOf(server.dataDir, fresh.id)).to.have.members(left.map((a) => a.storageKey.split('/')[1]!));
    });

    it('deletes the stored bytes again when the row cannot be written (nothing half-way)', async () => {
      const fresh = await makeShop(server.database);
      const storage = new LocalFileStorage(join(server.dataDir, 'files'));
      const e = await refusal(
        storeAttachment(
          { db, storage },
          { shopId: fresh.id, conversationId: randomUUID(), filename: 'a.png', contentType: 'image/png', uploader: asCustomer, bytes: tinyPng() },
        ),
      );
      expect(e.code).to.equal('not_found');
      expect(await filesOf(server.dataDir, fresh.id)).to.deep.equal([]);
    });
  });
}
