import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { slackChannels } from '../../../server/domains/slack/slack.tables.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { slackApiStandIn, type SlackApiStandIn } from '../../helpers/slack-api.ts';
import { filed, moved, openDesk, publish, pushOrder, someTerms, type Desk } from '../returns/returns.helpers.ts';
import { actionIds, alertsOf, connectionOf, connectShop, route, type Connected } from './slack.fixtures.ts';
import { suppress } from '../../../server/domains/maillog/maillog.repository.ts';
import { campaignBody, createAndPublish, customersWithOrders, seedOrders, uniq, untilStatus } from '../notices/notices.helpers.ts';

/** Contact data of the order (anOrder) and of the customer's comment: none may reach Slack. */
const contact = ['taro@example.jp', 'buyer-', '090-1234-5678', '09012345678', '150-0001', '渋谷区神宮前', '1-2-3'];

for (const kind of dbKinds) {
  describe(`[${kind}] Slack alerts`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let slack: SlackApiStandIn;

    before(async () => {
      slack = await slackApiStandIn();
      // Retries a few milliseconds apart: the suite waits out an alert's every try.
      server = await startServer(kind, { config: { SLACK_API_URL: slack.url }, retryDelayMs: 10 });
    });
    after(async () => {
      await server.close();
      await slack.close();
    });

    /** A shop whose returns all wait for a person, connected to its own workspace. */
    async function shop(): Promise<{ d: Desk; s: Connected }> {
      const d = await openDesk(server);
      await publish(d, someTerms({ autoApprove: { enabled: false, maxAmount: 0 } }));
      return { d, s: await connectShop(server, slack, d.shop.id) };
    }

    async function inReview(d: Desk) {
      const order = await pushOrder(d);
      return filed(d.owner, d.shop.id, { orderNumber: order.number, comment: `連絡は ${order.email} か 090-1234-5678 へ（〒150-0001）` }) as Promise<{ id: string; number: number; status: string }>;
    }

    const posted = (channel: string) => slack.messages.filter((m) => m.channel === channel && !m.ephemeralTo);
    const allPosted = (shopId: string, n: number) =>
      eventually(async () => {
        const rows = await alertsOf(server, shopId);
        return rows.length === n && rows.every((r) => r.status === 'posted') && rows;
      }, `${n} alerts posted`);

    it('posts a return needing review once per alert, in one thread, with Approve / Reject / Open and no contact data', async () => {
      const { d, s } = await shop();
      const r = await inReview(d);
      expect(r.status).to.equal('needs_review');
      const rows = await allPosted(d.shop.id, 2);
      expect(rows.map((x) => x.kind).sort()).to.deep.equal(['return_needs_review', 'return_requested']);
      const msgs = posted(s.channel);
      expect(msgs).to.have.length(2);
      // Two events of the same instant: one opened the thread, the other replied in it.
      const roots = msgs.filter((m) => !m.threadTs);
      expect(roots).to.have.length(1);
      expect(msgs.find((m) => m.threadTs)!.threadTs).to.equal(roots[0]!.ts);
      expect(rows.filter((x) => x.root)).to.have.length(1);
      expect(actionIds(roots[0]!.blocks)).to.include.members(['return.approve', 'return.reject', 'return.open']);
      const approve = JSON.parse(JSON.stringify(roots[0]!.blocks)).find((b: { type: string }) => b.type === 'actions').elements[0];
      expect(JSON.parse(approve.value)).to.deep.equal({ shopId: d.shop.id, objectId: r.id, v: 'needs_review' });
      const text = JSON.stringify(msgs);
      expect(text).to.include(`R-${r.number}`).and.include('返品').and.include('Return');
      for (const c of contact) expect(text, c).not.to.include(c);
      expect(text).to.include('5678');
      // The token went to Slack, never a secret into a message.
      expect(slack.callsOf('chat.postMessage').every((c) => c.token === s.token)).to.equal(true);
    });

    it('keeps the channel’s pace: alerts to one channel go at least a second apart, none lost', async () => {
      const { d, s } = await shop();
      await inReview(d);
      await inReview(d);
      const rows = await allPosted(d.shop.id, 4);
      expect(slack.callsOf('chat.postMessage').filter((c) => c.args.channel === s.channel)).to.have.length(4);
      // Each post was sent a second after the one before (the time each was handed to Slack).
      const at = rows.map((r) => r.sendingAt!.getTime()).sort((a, b) => a - b);
      for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!, `post ${i}`).to.be.at.least(1000);
      expect(rows.every((r) => r.attempts === 1)).to.equal(true);
    });

    it('updates the alert in place once the return is approved in the console: the buttons go, it says who and when', async () => {
      const { d, s } = await shop();
      const r = await inReview(d);
      await allPosted(d.shop.id, 2);
      await moved(d.as.staff, d.shop.id, r.id, { event: 'approve', expectedStatus: 'needs_review' });
      const root = await eventually(async () => {
        const m = posted(s.channel).find((x) => !x.threadTs);
        return m && !actionIds(m.blocks).includes('return.approve') && m;
      }, 'the root updated without its decision buttons');
      expect(actionIds(root.blocks)).to.deep.equal(['return.open']);
      expect(JSON.stringify(root.blocks)).to.include(d.shop.people.staff.name);
      expect(posted(s.channel)).to.have.length(2);
    });

    it('tells the shop a delay notice finished, with its counts and no customer address', async () => {
      const { d, s } = await shop();
      const tag = uniq();
      const orders = customersWithOrders(tag, 3, 3);
      await seedOrders(server.database, d.shop.id, orders);
      await suppress(server.database.db, d.shop.id, orders[0]!.email.toLowerCase(), 'unsubscribed', null, null);
      const c = await createAndPublish(d.owner, d.shop.id, campaignBody({ orderNumbers: orders.map((o) => o.orderNumber) }));
      await untilStatus(server.database, c.id, 'sent');
      const [row] = await eventually(async () => {
        const rows = (await alertsOf(server, d.shop.id)).filter((r) => r.kind === 'notice_finished');
        return rows.length === 1 && rows[0]!.status === 'posted' && rows;
      }, 'the notice alert posted');
      const msg = posted(s.channel).find((m) => m.ts === row!.ts)!;
      const text = JSON.stringify(msg.blocks);
      expect(text).to.include('お知らせの送信が終わりました').and.include('Notice sent');
      // Three customers: two sent, one not sent (unsubscribed), none bounced yet.
      expect(text).to.include('Sent*\\n2"');
      expect(text).to.include('Not sent (unsubscribed or bounced before)*\\n1"').and.include('Bounced*\\n0"');
      for (const o of orders) expect(text).not.to.include(o.email);
    });

    it('waits out a 429 for its Retry-After and posts exactly once', async () => {
      const { d, s } = await shop();
      await route(server, d.shop.id, 'return_needs_review', { muted: true });
      slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 }, 1);
      const before = slack.callsOf('chat.postMessage').length;
      await inReview(d);
      const [row] = await allPosted(d.shop.id, 1);
      expect(slack.callsOf('chat.postMessage').length - before).to.equal(2);
      expect(posted(s.channel)).to.have.length(1);
      expect(row!.attempts).to.equal(2);
    });

    it('while Slack is down, every alert waits; once up, each arrives exactly once, in order per return', async () => {
      const { d, s } = await shop();
      await slack.down();
      try {
        await inReview(d);
        await inReview(d);
        await eventually(async () => {
          const rows = await alertsOf(server, d.shop.id);
          return rows.length === 4 && rows.some((x) => x.lastError);
        }, 'the alerts recorded and failing');
      } finally {
        await slack.up();
      }
      const rows = await allPosted(d.shop.id, 4);
      const msgs = posted(s.channel);
      expect(msgs).to.have.length(4);
      for (const returnId of new Set(rows.map((x) => x.objectId))) {
        const mine = rows.filter((x) => x.objectId === returnId).sort((a, b) => a.eventAt.getTime() - b.eventAt.getTime() || a.seq - b.seq);
        expect(mine[0]!.root).to.equal(true);
        expect(mine[1]!.threadTs).to.equal(mine[0]!.ts);
        expect(Number(mine[1]!.ts)).to.be.greaterThan(Number(mine[0]!.ts));
      }
    });

    it('marks the connection broken when Slack says the token was revoked, and does not try again', async () => {
      const { d, s } = await shop();
      slack.revoke(s.token);
      const before = slack.callsOf('chat.postMessage').length;
      await inReview(d);
      const rows = await eventually(async () => {
        const x = await alertsOf(server, d.shop.id);
        return x.length === 2 && x.every((a) => a.status === 'undelivered') && x;
      }, 'both alerts undelivered');
      expect(rows.map((x) => x.lastError).sort()).to.deep.equal(['connection broken: token_revoked', 'token_revoked']);
      const c = await connectionOf(server, d.shop.id);
      expect(c).to.include({ status: 'broken', brokenReason: 'token_revoked' });
      expect(slack.callsOf('chat.postMessage').length - before).to.equal(1);
    });

    it('marks a channel Slack no longer knows, and the alert undelivered', async () => {
      const { d } = await shop();
      await route(server, d.shop.id, 'return_requested', { channelId: 'CGONE' });
      await route(server, d.shop.id, 'return_needs_review', { muted: true });
      await inReview(d);
      const [row] = await eventually(async () => {
        const x = await alertsOf(server, d.shop.id);
        return x.length === 1 && x[0]!.status === 'undelivered' && x;
      }, 'the alert undelivered');
      expect(row).to.include({ channelId: 'CGONE', lastError: 'channel_not_found' });
      const [ch] = await server.database.db.select().from(slackChannels).where(eq(slackChannels.channelId, 'CGONE'));
      expect(ch).to.include({ shopId: d.shop.id, brokenReason: 'channel_not_found' });
    });

    it('a retry after the owner chose another channel for a channel Slack no longer knows posts in the channel chosen now', async () => {
      const { d, s } = await shop();
      await route(server, d.shop.id, 'return_requested', { channelId: 'CGONE' });
      await route(server, d.shop.id, 'return_needs_review', { muted: true });
      await inReview(d);
      const [row] = await eventually(async () => {
        const x = await alertsOf(server, d.shop.id);
        return x.length === 1 && x[0]!.status === 'undelivered' && x;
      }, 'the alert undelivered');
      // The owner fixes the cause the console shows: the alert goes to the default channel again.
      const fixed = await d.as.owner.put(`/api/shops/${d.shop.id}/slack/routes/return_requested`, { channelId: null, muted: false });
      expect(fixed.status, fixed.text).to.equal(200);
      const retry = await d.as.owner.post(`/api/shops/${d.shop.id}/slack/alerts/${row!.id}/retry`);
      expect(retry.status, retry.text).to.equal(202);
      const [after] = await allPosted(d.shop.id, 1);
      expect(after).to.include({ id: row!.id, channelId: s.channel });
      expect(posted(s.channel)).to.have.length(1);
      expect(posted('CGONE')).to.have.length(0);
    });

    it('after failing every try an alert is undelivered, listed for the shop, and posted once retried', async () => {
      const { d, s } = await shop();
      await route(server, d.shop.id, 'return_needs_review', { muted: true });
      slack.failNext('chat.postMessage', { status: 500 }, 12);
      await inReview(d);
      const [row] = await eventually(async () => {
        const x = await alertsOf(server, d.shop.id);
        return x.length === 1 && x[0]!.status === 'undelivered' && x;
      }, 'the alert undelivered', 30_000);
      expect(row!.attempts).to.equal(12);
      expect(row!.lastError).to.equal('http_500');

      const list = await d.as.staff.get(`/api/shops/${d.shop.id}/slack/alerts?status=undelivered`);
      expect(list.status, list.text).to.equal(200);
      expect(list.body.alerts).to.have.length(1);
      expect(list.body.alerts[0]).to.include({ id: row!.id, kind: 'return_requested', status: 'undelivered', lastError: 'http_500', objectType: 'return' });
      expect((await d.as.agent.get(`/api/shops/${d.shop.id}/slack/alerts`)).status).to.equal(403);
      expect((await d.as.agent.post(`/api/shops/${d.shop.id}/slack/alerts/${row!.id}/retry`)).status).to.equal(403);

      const retry = await d.as.owner.post(`/api/shops/${d.shop.id}/slack/alerts/${row!.id}/retry`);
      expect(retry.status, retry.text).to.equal(202);
      await allPosted(d.shop.id, 1);
      expect(posted(s.channel)).to.have.length(1);
      const again = await d.as.owner.post(`/api/shops/${d.shop.id}/slack/alerts/${row!.id}/retry`);
      expect(again.status).to.equal(409);
    });

    it('posts nothing for a muted alert or a shop without a connection', async () => {
      const { d, s } = await shop();
      await route(server, d.shop.id, 'return_requested', { muted: true });
      await route(server, d.shop.id, 'return_needs_review', { muted: true });
      const other = await openDesk(server);
      await publish(other, someTerms({ autoApprove: { enabled: false, maxAmount: 0 } }));
      await inReview(d);
      await inReview(other);
      // A later alert of the same shop that is routed: once it is posted, the earlier muted ones had their turn.
      await route(server, d.shop.id, 'return_requested', { muted: false });
      await inReview(d);
      await allPosted(d.shop.id, 1);
      expect(posted(s.channel)).to.have.length(1);
      expect(await alertsOf(server, other.shop.id)).to.have.length(0);
    });
  });
}
