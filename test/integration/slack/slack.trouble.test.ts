import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { and, eq, like } from 'drizzle-orm';
import { enqueue } from '../../../server/core/outbox.ts';
import { outbox } from '../../../server/core/outbox.tables.ts';
import { claimTroubleAlert, troubleOf } from '../../../server/domains/system/trouble.repository.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { slackApiStandIn, type SlackApiStandIn } from '../../helpers/slack-api.ts';
import { filed, openDesk, publish, pushOrder, someTerms, type Desk } from '../returns/returns.helpers.ts';
import { alertsOf, connectShop, type Connected } from './slack.fixtures.ts';

/**
 * The `system_trouble` alert through the real app: a job of the shop failing for good, or the
 * mail server refusing the shop's mail for a while, becomes the `system.trouble` event, and its
 * Slack listener posts it once per shop and kind within 30 minutes. Slack's own failures never do.
 */
for (const kind of dbKinds) {
  describe(`[${kind}] Slack alert: system trouble`, function () {
    this.timeout(60_000);
    let slack: SlackApiStandIn;
    before(async () => {
      slack = await slackApiStandIn();
    });
    after(async () => {
      await slack.close();
    });

    const troubleEvents = (server: TestServer, shopId: string) =>
      server.database.db.select().from(outbox).where(and(eq(outbox.shopId, shopId), like(outbox.topic, 'system.trouble>%')));
    const troubleAlerts = async (server: TestServer, shopId: string) => (await alertsOf(server, shopId)).filter((a) => a.kind === 'system_trouble');
    const posted = (s: Connected) => slack.messages.filter((m) => m.channel === s.channel && !m.ephemeralTo);

    async function shop(server: TestServer): Promise<{ d: Desk; s: Connected }> {
      const d = await openDesk(server);
      await publish(d, someTerms({ autoApprove: { enabled: false, maxAmount: 0 } }));
      return { d, s: await connectShop(server, slack, d.shop.id) };
    }

    describe('jobs failing for good', () => {
      let server: TestServer;
      before(async () => {
        server = await startServer(kind, { config: { SLACK_API_URL: slack.url }, retryDelayMs: 10 });
      });
      after(async () => {
        await server.close();
      });

      it('tells a trouble once when two workers note it in the same millisecond', async () => {
        const shopId = (await openDesk(server)).shop.id;
        const now = new Date();
        for (let round = 0; round < 5; round++) {
          const key = `race-${round}`;
          const told = await Promise.all([0, 1, 2].map(() => claimTroubleAlert(server.database.db, shopId, key, now, 30 * 60_000)));
          expect(told.filter(Boolean), `round ${round}`).to.have.length(1);
          expect((await troubleOf(server.database.db, shopId, key))!.notes).to.equal(3);
        }
      });

      /** A job of the shop that can never succeed (its payload is no event): it fails for good at its first try. */
      const brokenJob = (shopId: string, topic: string, returnId = randomUUID()) =>
        enqueue(server.database.db, { shopId, topic, payload: { returnId, note: 'not an event' } });

      it('posts one system alert however many of the shop’s jobs fail for good, with what, how many, since when and where to look', async () => {
        const { d, s } = await shop(server);
        const returnId = randomUUID();
        await brokenJob(d.shop.id, 'return.requested>return-customer-mail', returnId);
        await brokenJob(d.shop.id, 'return.approved>return-customer-mail');
        // Both failures noted: the second was held back by the first's alert, not yet to come.
        const noted = await eventually(async () => {
          const t = await troubleOf(server.database.db, d.shop.id, 'jobs_failing');
          return t?.notes === 2 && t;
        }, 'both failures noted');
        const [alert, ...more] = await eventually(async () => {
          const rows = await troubleAlerts(server, d.shop.id);
          return rows.length > 0 && rows.every((r) => r.status === 'posted') && rows;
        }, 'the system alert posted');
        expect(more).to.deep.equal([]);
        expect(await troubleEvents(server, d.shop.id)).to.have.length(1);
        expect(alert!.event).to.include({ kind: 'jobs_failing' });
        expect(alert!.eventAt.getTime()).to.equal(noted.alertedAt.getTime());
        const [m, ...others] = posted(s);
        expect(others).to.deep.equal([]);
        expect(m!.ts).to.equal(alert!.ts);
        expect(m!.threadTs, 'a message of its own').to.equal(undefined);
        const text = JSON.stringify(m!.blocks);
        expect(m!.text).to.equal('自動処理の失敗が続いています / Background jobs are failing');
        expect(text).to.include('返品についてのお客様へのメール / mail to the customer about a return');
        expect(text).to.match(/Failed \(last hour\)\*\\n[12]"/);
        expect(text).to.include(`/console/shops/${d.shop.id}/mail-log?status=failed`);
        expect(text).to.include('madoguchi の運用担当者');
        if (alert!.event.topic === 'return.requested>return-customer-mail') expect(text).to.include(`/console/shops/${d.shop.id}/returns/${returnId}`);
      });

      it('never alerts about Slack’s own alerts failing: Slack down until its alerts are undelivered tells nothing, and they are not counted later', async () => {
        const { d, s } = await shop(server);
        await slack.down();
        try {
          const order = await pushOrder(d);
          await filed(d.owner, d.shop.id, { orderNumber: order.number });
          await eventually(async () => {
            const rows = await alertsOf(server, d.shop.id);
            return rows.length === 2 && rows.every((r) => r.status === 'undelivered');
            // Every try of both (slackAlertRetry, its waits shortened): some seconds.
          }, 'both return alerts undelivered', 40_000);
          // Their jobs failed for good, as the outbox records.
          await eventually(async () => {
            const rows = await server.database.db.select().from(outbox).where(and(eq(outbox.shopId, d.shop.id), like(outbox.topic, '%>slack-return-%')));
            return rows.filter((r) => r.failedAt).length === 2;
          }, 'the Slack jobs failed for good');
        } finally {
          await slack.up();
        }
        expect(await troubleOf(server.database.db, d.shop.id, 'jobs_failing')).to.equal(undefined);
        expect(await troubleEvents(server, d.shop.id)).to.deep.equal([]);
        // A job of the shop's own failing now is told, and counts only itself.
        await brokenJob(d.shop.id, 'message.created>reply-mail');
        const [alert, ...more] = await eventually(async () => {
          const rows = await troubleAlerts(server, d.shop.id);
          return rows.length > 0 && rows.every((r) => r.status === 'posted') && rows;
        }, 'the system alert posted');
        expect(more).to.deep.equal([]);
        expect(alert!.event).to.include({ kind: 'jobs_failing', topic: 'message.created>reply-mail', count: 1 });
        expect(JSON.stringify(posted(s).map((m) => m.blocks))).to.include('返信のメール送信 / mailing a reply to the customer');
      });
    });

    describe('the mail server away', () => {
      let server: TestServer;
      before(async () => {
        // Nothing listens there: every mail is deferred (connection refused). A second of it is "a while" here.
        server = await startServer(kind, { config: { SLACK_API_URL: slack.url, TROUBLE_MAIL_AWAY_SECONDS: '1' }, retryDelayMs: 10, smtpUrl: 'smtp://127.0.0.1:1' });
      });
      after(async () => {
        await server.close();
      });

      it('posts one alert that the shop’s customer mail is not going out, once it has waited a while, with the mail log to look at and no address', async () => {
        const { d, s } = await shop(server);
        const order = await pushOrder(d);
        await filed(d.owner, d.shop.id, { orderNumber: order.number });
        const [alert] = await eventually(async () => {
          const rows = (await troubleAlerts(server, d.shop.id)).filter((r) => r.event.kind === 'dependency_down');
          return rows.length > 0 && rows.every((r) => r.status === 'posted') && rows;
        }, 'the mail server alert posted');
        expect(alert!.event).to.include({ dependency: 'mail' });
        expect(Number(alert!.event.count)).to.be.at.least(1);
        // Mail deferred again after the alert is noted, and told no more.
        await eventually(async () => ((await troubleOf(server.database.db, d.shop.id, 'dependency_down:mail'))?.notes ?? 0) >= 2, 'a later deferral noted');
        expect((await troubleAlerts(server, d.shop.id)).filter((r) => r.event.kind === 'dependency_down')).to.have.length(1);
        const m = posted(s).find((x) => x.ts === alert!.ts)!;
        expect(m.text).to.equal('メールサーバーがメールを受け付けていません / The mail server is not taking mail');
        const text = JSON.stringify(m.blocks);
        expect(text).to.include(`/console/shops/${d.shop.id}/mail-log?status=deferred`).and.include('送信待ちのメール / Mails waiting');
        expect(text).not.to.include(order.email);
      });
    });
  });
}
