import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { messages } from '../../../server/domains/conversations/conversations.tables.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { slackApiStandIn, testWorkspace, type SlackApiStandIn } from '../../helpers/slack-api.ts';
import { makeShop, signedIn } from '../../fixtures/builders.ts';
import { alertsOf } from './slack.fixtures.ts';
import { connect, sendSigned, slackConfig } from './slack.receiver.helpers.ts';

/** Ask the merchant end to end: the console's question, Slack's thread, and the merchant's reply sent as Slack sends it to the real receiver. */
for (const kind of dbKinds) {
  describe(`[${kind}] the merchant's answer in a Slack thread, through the receiver`, function () {
    this.timeout(30_000);
    let server: TestServer;
    let slack: SlackApiStandIn;

    before(async () => {
      slack = await slackApiStandIn();
      server = await startServer(kind, { config: slackConfig(slack), retryDelayMs: 10 });
    });
    after(async () => {
      await server.close();
      await slack.close();
    });

    const messageEvent = (teamId: string, event: Record<string, unknown>) =>
      JSON.stringify({ token: 'x', team_id: teamId, api_app_id: 'A1', type: 'event_callback', event_id: `Ev${randomUUID().slice(0, 10)}`, event_time: Math.floor(Date.now() / 1000), event: { type: 'message', channel_type: 'channel', event_ts: event.ts, ...event } });

    it('notes a linked person’s reply once (Slack’s retry too), reopens the ticket, and ignores bot messages, another workspace and people not linked (told how)', async () => {
      const shop = await makeShop(server.database);
      const w = testWorkspace(randomUUID().slice(0, 6));
      // The workspace's first person has the owner's address at Slack: linked by it at their first answer.
      w.users[0]!.email = shop.people.owner.email;
      await connect(server.database, slack, shop.id, w);
      const agent = await signedIn(server.url, shop.people.agent);
      const t = await agent.post(`/api/shops/${shop.id}/conversations`, { customer: { name: '佐藤 一郎', email: `ichiro-${randomUUID().slice(0, 8)}@example.jp` }, subject: '色違い', message: { clientId: randomUUID(), body: '注文と違う色が届きました' } });
      expect(t.status, t.text).to.equal(201);
      const asked = await agent.post(`/api/shops/${shop.id}/conversations/${t.body.id}/ask-merchant`, { question: '赤と青、どちらを送りましたか？' });
      expect(asked.status, asked.text).to.equal(200);
      const [row] = await eventually(async () => {
        const x = await alertsOf(server, shop.id);
        return x.length === 1 && x[0]!.status === 'posted' && x;
      }, 'the question posted');
      const ts = (n: number) => `${Math.floor(Date.now() / 1000)}.${String(n).padStart(6, '0')}`;
      // Someone in the channel who is no member's: nothing written, told how to link (ephemeral).
      const stray = messageEvent(w.teamId, { channel: row!.channelId, user: w.users[1]!.id, text: '赤だと思います', ts: ts(900), thread_ts: row!.ts });
      expect((await sendSigned(server.url, '/slack/events', stray, 'application/json')).status).to.equal(200);
      await eventually(async () => slack.messages.some((m) => m.ephemeralTo === w.users[1]!.id && m.text?.includes('/console/slack/link?token=')), 'the stranger told how to link');
      const reply = messageEvent(w.teamId, { channel: row!.channelId, user: w.users[0]!.id, text: '青を送りました', ts: ts(901), thread_ts: row!.ts });
      expect((await sendSigned(server.url, '/slack/events', reply, 'application/json')).status).to.equal(200);
      // Slack's retry of the same event, and a bot's message in the thread.
      expect((await sendSigned(server.url, '/slack/events', reply, 'application/json', { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } })).status).to.equal(200);
      await sendSigned(server.url, '/slack/events', messageEvent(w.teamId, { channel: row!.channelId, bot_id: 'B0', subtype: 'bot_message', text: 'bot', ts: ts(902), thread_ts: row!.ts }), 'application/json');
      // The same thread named by another workspace (whose request the deployment's app signed too): not this shop's.
      await sendSigned(server.url, '/slack/events', messageEvent('TOTHER', { channel: row!.channelId, user: 'UX', text: '別のワークスペース', ts: ts(903), thread_ts: row!.ts }), 'application/json');

      const notes = await eventually(async () => {
        // In the order they were written: without it PostgreSQL may answer them in any order.
        const n = await server.database.db.select().from(messages).where(and(eq(messages.conversationId, t.body.id), eq(messages.kind, 'note'))).orderBy(messages.seq);
        return n.length >= 2 && n;
      }, 'the answer noted');
      // Give the retry, the bot and the other workspace their chance to (wrongly) add a note.
      await new Promise((r) => setTimeout(r, 500));
      const all = await server.database.db.select().from(messages).where(and(eq(messages.conversationId, t.body.id), eq(messages.kind, 'note'))).orderBy(messages.seq);
      expect(all.map((n) => n.body)).to.deep.equal(['赤と青、どちらを送りましたか？', '青を送りました']);
      expect([notes[1]!.authorName, notes[1]!.authorId]).to.deep.equal([shop.people.owner.name, shop.people.owner.id]);
      const now = await agent.get(`/api/shops/${shop.id}/conversations/${t.body.id}`);
      expect(now.body.status).to.equal('open');
      // Never in front of the customer: the customer's view has no note.
      const customerVisible = await server.database.db.select().from(messages).where(and(eq(messages.conversationId, t.body.id), eq(messages.body, '青を送りました')));
      expect(customerVisible.every((m) => m.kind === 'note')).to.equal(true);
    });

    it('notes a reply also sent to the channel (thread_broadcast) and a reply with a file, as Slack sends them', async () => {
      const shop = await makeShop(server.database);
      const w = testWorkspace(randomUUID().slice(0, 6));
      w.users[0]!.email = shop.people.owner.email;
      await connect(server.database, slack, shop.id, w);
      const agent = await signedIn(server.url, shop.people.agent);
      const t = await agent.post(`/api/shops/${shop.id}/conversations`, { customer: { name: '鈴木 花子', email: `hanako-${randomUUID().slice(0, 8)}@example.jp` }, subject: '破損', message: { clientId: randomUUID(), body: '箱が潰れていました' } });
      expect(t.status, t.text).to.equal(201);
      expect((await agent.post(`/api/shops/${shop.id}/conversations/${t.body.id}/ask-merchant`, { question: '交換できますか？' })).status).to.equal(200);
      const [row] = await eventually(async () => {
        const x = await alertsOf(server, shop.id);
        return x.length === 1 && x[0]!.status === 'posted' && x;
      }, 'the question posted');
      const ts = (n: number) => `${Math.floor(Date.now() / 1000)}.${String(n).padStart(6, '0')}`;
      // "Also send to #channel" ticked: Slack marks the reply thread_broadcast.
      const broadcast = messageEvent(w.teamId, { subtype: 'thread_broadcast', channel: row!.channelId, user: w.users[0]!.id, text: '交換できます', ts: ts(911), thread_ts: row!.ts, root: { ts: row!.ts } });
      expect((await sendSigned(server.url, '/slack/events', broadcast, 'application/json')).status).to.equal(200);
      const withFile = messageEvent(w.teamId, { subtype: 'file_share', channel: row!.channelId, user: w.users[0]!.id, text: '写真を添付します', ts: ts(912), thread_ts: row!.ts, files: [{ id: 'F1', name: 'box.jpg' }] });
      expect((await sendSigned(server.url, '/slack/events', withFile, 'application/json')).status).to.equal(200);
      const notes = await eventually(async () => {
        const n = await server.database.db.select().from(messages).where(and(eq(messages.conversationId, t.body.id), eq(messages.kind, 'note'))).orderBy(messages.seq);
        return n.length >= 3 && n;
      }, 'both answers noted');
      // The two replies are two events, worked as they come: either may be noted first.
      expect(notes[0]!.body).to.equal('交換できますか？');
      expect(notes.slice(1).map((n) => n.body).sort()).to.deep.equal(['交換できます', '写真を添付します'].sort());
      expect((await agent.get(`/api/shops/${shop.id}/conversations/${t.body.id}`)).body.status).to.equal('open');
    });
  });
}
