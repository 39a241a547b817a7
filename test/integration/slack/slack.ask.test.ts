import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { messages } from '../../../server/domains/conversations/conversations.tables.ts';
import { loadKeyring } from '../../../server/core/sealed.ts';
import { noteFromThreadReply, type ThreadReplyDeps } from '../../../server/domains/slack/slack.ask.ts';
import { slaClocks } from '../../../server/domains/sla/sla.tables.ts';
import { slackUserLinks } from '../../../server/domains/slack/slack.tables.ts';
import { listenerTiming } from '../../../server/events/subscriptions.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { slackApiStandIn, type SlackApiStandIn } from '../../helpers/slack-api.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import type { TestClient } from '../../helpers/client.ts';
import { alertsOf, connectShop, route } from './slack.fixtures.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] asking the merchant in Slack`, function () {
    this.timeout(30_000);
    let server: TestServer;
    let slack: SlackApiStandIn;
    let deps: ThreadReplyDeps;

    before(async () => {
      slack = await slackApiStandIn();
      server = await startServer(kind, { config: { SLACK_API_URL: slack.url }, retryDelayMs: 10 });
      deps = { db: server.database.db, keyring: loadKeyring(server.config), apiUrl: slack.url, bus: server.service.bus, poke: () => server.service.jobs?.poke(), timing: listenerTiming(server.config) };
    });
    after(async () => {
      await server.close();
      await slack.close();
    });

    async function ticket(shop: TestShop, agent: TestClient) {
      const r = await agent.post(`/api/shops/${shop.id}/conversations`, {
        customer: { name: '佐藤 一郎', email: `ichiro-${randomUUID().slice(0, 8)}@example.jp` },
        subject: '届いた商品が違います 090-9876-5432',
        message: { clientId: randomUUID(), body: '注文と違う色が届きました' },
      });
      expect(r.status, r.text).to.equal(201);
      return r.body as { id: string; number: number };
    }

    it('posts the question in the shop’s channel, waits on the merchant, and a thread reply comes back as an internal note that reopens the ticket', async () => {
      const shop = await makeShop(server.database);
      const s = await connectShop(server, slack, shop.id);
      await route(server, shop.id, 'merchant_question', { channelId: s.workspace.channels[1]!.id });
      const contractor = await signedIn(server.url, shop.people.contractor);
      const t = await ticket(shop, contractor);

      const asked = await contractor.post(`/api/shops/${shop.id}/conversations/${t.id}/ask-merchant`, { question: '赤と青、どちらを送りましたか？' });
      expect(asked.status, asked.text).to.equal(200);
      expect(asked.body.status).to.equal('waiting_merchant');
      const clocks = await server.database.db.select().from(slaClocks).where(eq(slaClocks.conversationId, t.id));
      expect(clocks.every((c) => c.runningSince === null || c.metAt !== null)).to.equal(true);

      const [row] = await eventually(async () => {
        const x = await alertsOf(server, shop.id);
        return x.length === 1 && x[0]!.status === 'posted' && x;
      }, 'the question posted');
      const msg = slack.messages.find((m) => m.ts === row!.ts)!;
      expect(msg.channel).to.equal(s.workspace.channels[1]!.id);
      const text = JSON.stringify(msg.blocks);
      expect(text).to.include('赤と青、どちらを送りましたか？').and.include(`#${t.number}`).and.include('佐藤 一郎');
      expect(text).not.to.include('ichiro-').and.not.to.include('090-9876-5432');

      // The owner answers, linked to their madoguchi account.
      const ownerSlack = s.workspace.users[0]!.id;
      await server.database.db.insert(slackUserLinks).values({ shopId: shop.id, userId: shop.people.owner.id, teamId: s.workspace.teamId, slackUserId: ownerSlack, via: 'confirmed' });
      const reply = { teamId: s.workspace.teamId, channelId: msg.channel, threadTs: msg.ts, slackUserId: ownerSlack, text: '青です &amp; 交換で大丈夫です', eventId: `Ev${randomUUID().slice(0, 8)}`, shopIds: [shop.id] };
      // Signed by another shop's app in the same workspace: nothing here.
      expect((await noteFromThreadReply(deps, { ...reply, shopIds: [randomUUID()] })).noted).to.equal(false);
      expect(await noteFromThreadReply(deps, reply)).to.deep.equal({ noted: true, conversationId: t.id });
      // Slack sending the same event again (a retry) notes nothing more.
      expect((await noteFromThreadReply(deps, reply)).noted).to.equal(false);
      // An unlinked person's reply writes nothing: every answer from Slack is a known person's (the listener links or tells them).
      const stranger = s.workspace.users[1]!;
      expect(await noteFromThreadReply(deps, { ...reply, slackUserId: stranger.id, text: '補足です', eventId: `Ev${randomUUID().slice(0, 8)}` })).to.deep.include({ noted: false, why: 'not linked', shopId: shop.id });
      // The app's own message in the thread is not an answer.
      expect((await noteFromThreadReply(deps, { ...reply, slackUserId: s.workspace.botUserId, eventId: `Ev${randomUUID().slice(0, 8)}` })).noted).to.equal(false);

      const notes = await server.database.db.select().from(messages).where(and(eq(messages.conversationId, t.id), eq(messages.kind, 'note'))).orderBy(messages.seq);
      expect(notes.map((n) => [n.body, n.authorName, n.authorId])).to.deep.equal([
        ['赤と青、どちらを送りましたか？', shop.people.contractor.name, shop.people.contractor.id],
        ['青です & 交換で大丈夫です', shop.people.owner.name, shop.people.owner.id],
      ]);
      const owner = await signedIn(server.url, shop.people.owner);
      const now = await owner.get(`/api/shops/${shop.id}/conversations/${t.id}`);
      expect(now.body.status).to.equal('open');
    });

    it('refuses with 409 when the shop’s Slack is not connected or the question alert is muted, changing nothing', async () => {
      const shop = await makeShop(server.database);
      const agent = await signedIn(server.url, shop.people.agent);
      const t = await ticket(shop, agent);
      const r = await agent.post(`/api/shops/${shop.id}/conversations/${t.id}/ask-merchant`, { question: '確認お願いします' });
      expect(r.status, r.text).to.equal(409);
      expect(r.body.error.code).to.equal('conflict');
      await connectShop(server, slack, shop.id);
      await route(server, shop.id, 'merchant_question', { muted: true });
      expect((await agent.post(`/api/shops/${shop.id}/conversations/${t.id}/ask-merchant`, { question: '確認お願いします' })).status).to.equal(409);
      expect((await agent.post(`/api/shops/${shop.id}/conversations/${t.id}/ask-merchant`, { question: '' })).status).to.equal(400);
      const still = await agent.get(`/api/shops/${shop.id}/conversations/${t.id}`);
      expect(still.body.status).to.equal('open');
      const notes = await server.database.db.select().from(messages).where(and(eq(messages.conversationId, t.id), eq(messages.kind, 'note'))).orderBy(messages.seq);
      expect(notes).to.have.length(0);
    });
  });
}
