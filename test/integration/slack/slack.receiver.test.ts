import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { returnTransitions } from '../../../server/domains/returns/returns.tables.ts';
import { signLinkToken } from '../../../server/domains/slack/slack.people.ts';
import { slackConnections, slackUserLinks } from '../../../server/domains/slack/slack.tables.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { slackApiStandIn, testWorkspace, type SlackApiStandIn, type SlackWorkspace } from '../../helpers/slack-api.ts';
import { signedIn } from '../../fixtures/builders.ts';
import { filed, openDesk, publish, pushOrder, someTerms, type Desk } from '../returns/returns.helpers.ts';
import { answersAt, clickPayload, connect, FORM, keyring, sendSigned, slackConfig, type Clicker } from './slack.receiver.helpers.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] acting from Slack: signed payloads to the real receiver`, () => {
    let standIn: SlackApiStandIn;
    let server: TestServer;
    let d: Desk;
    let w: SlackWorkspace;
    const tag = randomBytes(3).toString('hex');
    const as = (userId: string): Clicker => ({ teamId: w.teamId, userId, channelId: w.channels[0]!.id });
    const owner = () => as(`UOWN${tag}`);
    const agent = () => as(`UAGT${tag}`);
    const stranger = () => as(`USTR${tag}`);

    before(async () => {
      standIn = await slackApiStandIn();
      server = await startServer(kind, { config: slackConfig(standIn) });
      d = await openDesk(server);
      // Every return waits for a person; agents and contractors act alone up to ¥3,000.
      await publish(d, someTerms({ autoApprove: { enabled: false, maxAmount: 0 }, agentRefundLimit: 3000 }));
      w = testWorkspace(tag, {
        users: [
          // The owner's and the agent's Slack emails are their madoguchi emails (any case); the stranger's is no member's.
          { id: `UOWN${tag}`, name: 'owner', email: d.shop.people.owner.email.toUpperCase() },
          { id: `UAGT${tag}`, name: 'agent', email: d.shop.people.agent.email },
          { id: `USTR${tag}`, name: 'stranger', email: `someone-${tag}@elsewhere.example` },
        ],
      });
      await connect(server.database, standIn, d.shop.id, w);
    });
    after(async () => {
      await server.close();
      await standIn.close();
    });

    /** A return of one mug (¥2,750) or, with quantity 2, both (¥5,500), waiting for review. */
    async function inReview(quantity = 1) {
      const order = await pushOrder(d);
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 1, quantity }] });
      expect(r.status).to.equal('needs_review');
      return r as { id: string; number: number };
    }
    const statusOf = async (id: string) => (await d.owner.get(`/api/shops/${d.shop.id}/returns/${id}`)).body.status as string;
    const decisions = async (id: string) => (await server.database.db.select().from(returnTransitions).where(and(eq(returnTransitions.returnId, id), eq(returnTransitions.fromStatus, 'needs_review')))).length;
    async function click(who: Clicker, actionId: string, value: unknown, opts: Parameters<typeof sendSigned>[4] = {}) {
      const c = clickPayload(standIn, who, actionId, value);
      const r = await sendSigned(server.url, '/slack/actions', c.raw, FORM, opts);
      return { ...c, status: r.status, body: r.text };
    }
    const answered = (path: string) => eventually(async () => answersAt(standIn, path)[0], `the answer at ${path}`);

    it('approves a return as the owner linked by their Slack email, with the owner in the history and audit trail', async () => {
      const r = await inReview();
      const c = await click(owner(), 'return.approve', { shopId: d.shop.id, objectId: r.id, v: 'needs_review' });
      expect(c.status).to.equal(200);
      expect(await answered(c.responsePath)).to.include(`返品 #${r.number} を承認しました`);
      expect(await statusOf(r.id)).to.equal('awaiting_shipment');
      const view = (await d.owner.get(`/api/shops/${d.shop.id}/returns/${r.id}`)).body;
      expect(view.history.find((h: { event: string }) => h.event === 'approve').by).to.equal(d.shop.people.owner.name);
      const audit = await d.owner.get(`/api/shops/${d.shop.id}/audit?objectId=${r.id}`);
      const approveRow = audit.body.events.find((e: { action: string }) => e.action === 'return.approve');
      expect(approveRow).to.include({ actorType: 'user', actorId: d.shop.people.owner.id, requestId: `slack:${c.payload.trigger_id}` });
      const [link] = await server.database.db.select().from(slackUserLinks).where(eq(slackUserLinks.slackUserId, `UOWN${tag}`));
      expect(link).to.include({ userId: d.shop.people.owner.id, via: 'email' });
    });

    it('a second Approve on a decided return says who decided it and when, and moves nothing', async () => {
      const r = await inReview();
      await answered((await click(owner(), 'return.approve', { shopId: d.shop.id, objectId: r.id })).responsePath);
      const again = await click(agent(), 'return.approve', { shopId: d.shop.id, objectId: r.id });
      const said = await answered(again.responsePath);
      expect(said).to.include(`${d.shop.people.owner.name} さんが`).and.include('すでに承認しました').and.include('already approved');
      expect(await decisions(r.id)).to.equal(1);
    });

    it('a wrong or stale signature is refused with 401 and changes nothing', async () => {
      const r = await inReview();
      const value = { shopId: d.shop.id, objectId: r.id };
      const forged = await click(owner(), 'return.approve', value, { secret: 'not-the-secret-at-all' });
      expect(forged.status).to.equal(401);
      const stale = await click(owner(), 'return.approve', value, { ts: Math.floor(Date.now() / 1000) - 6 * 60 });
      expect(stale.status).to.equal(401);
      const unsigned = await click(owner(), 'return.approve', value, { signature: '' });
      expect(unsigned.status).to.equal(401);
      expect(await statusOf(r.id)).to.equal('needs_review');
      expect(answersAt(standIn, forged.responsePath)).to.deep.equal([]);
      expect(answersAt(standIn, stale.responsePath)).to.deep.equal([]);
    });

    it('a payload Slack retries, or one replayed, is acted on once', async () => {
      const r = await inReview();
      const c = clickPayload(standIn, owner(), 'return.approve', { shopId: d.shop.id, objectId: r.id });
      const first = await sendSigned(server.url, '/slack/actions', c.raw, FORM);
      const retried = await sendSigned(server.url, '/slack/actions', c.raw, FORM, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
      const replayed = await sendSigned(server.url, '/slack/actions', c.raw, FORM);
      expect([first.status, retried.status, replayed.status]).to.deep.equal([200, 200, 200]);
      await answered(c.responsePath);
      expect(await decisions(r.id)).to.equal(1);
      expect(answersAt(standIn, c.responsePath)).to.have.length(1);
    });

    it('an unlinked person is told why and sent a console link; nothing happens until they confirm, then they act with their own role', async () => {
      const r = await inReview();
      const c = await click(stranger(), 'return.approve', { shopId: d.shop.id, objectId: r.id });
      const said = await answered(c.responsePath);
      expect(said).to.include('つながっていません').and.include('http://madoguchi.test/console/slack/link?token=');
      expect(await statusOf(r.id)).to.equal('needs_review');
      const token = decodeURIComponent(/token=(\S+)/.exec(said)![1]!);

      const contractor = await signedIn(server.url, d.shop.people.contractor);
      // Before confirming, the page shows whose Slack account and which shop the link names (a forwarded link names someone else's).
      const preview = await contractor.post('/api/slack/links/preview', { token });
      expect(preview.status, preview.text).to.equal(200);
      expect(preview.body).to.deep.equal({ shopId: d.shop.id, shopName: d.shop.name, teamName: w.teamName, slackUserId: `USTR${tag}`, slackUserName: w.users.find((u) => u.id === `USTR${tag}`)?.name ?? null });
      expect(await server.database.db.select().from(slackUserLinks).where(eq(slackUserLinks.slackUserId, `USTR${tag}`)), 'a preview links nothing').to.deep.equal([]);
      const ok = await contractor.post('/api/slack/links/confirm', { token });
      expect(ok.status, ok.text).to.equal(200);
      expect(ok.body).to.deep.equal({ shopId: d.shop.id, slackUserId: `USTR${tag}` });

      const again = await click(stranger(), 'return.approve', { shopId: d.shop.id, objectId: r.id });
      expect(await answered(again.responsePath)).to.include('承認しました');
      const view = (await d.owner.get(`/api/shops/${d.shop.id}/returns/${r.id}`)).body;
      expect(view.history.find((h: { event: string }) => h.event === 'approve').by).to.equal(d.shop.people.contractor.name);
    });

    it('the link confirmation refuses a bad or expired token (400) and a person of another shop (403)', async () => {
      const contractor = await signedIn(server.url, d.shop.people.contractor);
      const bad = await contractor.post('/api/slack/links/confirm', { token: 'v1.k1.e30.nope' });
      expect(bad.status).to.equal(400);
      expect(bad.body.error.details[0]).to.include({ path: 'token' });
      const expired = signLinkToken(keyring, { shopId: d.shop.id, teamId: w.teamId, slackUserId: 'UOLD' }, new Date(Date.now() - 20 * 60_000));
      expect((await contractor.post('/api/slack/links/confirm', { token: expired })).status).to.equal(400);

      const other = await openDesk(server);
      const outsider = await signedIn(server.url, other.shop.people.staff);
      const token = signLinkToken(keyring, { shopId: d.shop.id, teamId: w.teamId, slackUserId: 'UOUT' });
      const refused = await outsider.post('/api/slack/links/confirm', { token });
      expect(refused.status).to.equal(403);
      expect((await outsider.post('/api/slack/links/preview', { token })).status).to.equal(403);
      expect((await contractor.post('/api/slack/links/preview', { token: expired })).status).to.equal(400);
      expect(await server.database.db.select().from(slackUserLinks).where(eq(slackUserLinks.slackUserId, 'UOUT'))).to.deep.equal([]);
    });

    it('an agent approving a refund above the agents’ limit is refused, and the return still waits', async () => {
      const r = await inReview(2);
      const c = await click(agent(), 'return.approve', { shopId: d.shop.id, objectId: r.id });
      const said = await answered(c.responsePath);
      expect(said).to.include('できませんでした').and.include('limit');
      expect(await statusOf(r.id)).to.equal('needs_review');
    });

    it('a payload naming another shop’s object is refused and changes nothing', async () => {
      const other = await openDesk(server);
      await publish(other, someTerms({ autoApprove: { enabled: false, maxAmount: 0 } }));
      const order = await pushOrder(other);
      const theirs = await filed(other.owner, other.shop.id, { orderNumber: order.number });
      // Their shop named outright: this workspace does not serve it.
      const c1 = await click(owner(), 'return.approve', { shopId: other.shop.id, objectId: theirs.id });
      expect(await answered(c1.responsePath)).to.include('つながっていません');
      // Our shop named, their return's id: not found in ours.
      const c2 = await click(owner(), 'return.approve', { shopId: d.shop.id, objectId: theirs.id });
      expect(await answered(c2.responsePath)).to.include('見つかりません');
      expect((await other.owner.get(`/api/shops/${other.shop.id}/returns/${theirs.id}`)).body.status).to.equal('needs_review');
    });

    it('an unknown action id or an unreadable value is refused with a clear answer', async () => {
      const r = await inReview();
      const c1 = await click(owner(), 'return.refund_everything', { shopId: d.shop.id, objectId: r.id });
      expect(await answered(c1.responsePath)).to.include('unknown action');
      const c2 = await click(owner(), 'return.approve', 'not json');
      expect(await answered(c2.responsePath)).to.include('could not be read');
      expect(await statusOf(r.id)).to.equal('needs_review');
    });

    it('rejects through the reason picker: the modal offers the fitting reasons, its submission rejects with the reason', async () => {
      const r = await inReview();
      const c = await click(owner(), 'return.reject', { shopId: d.shop.id, objectId: r.id });
      const opened = await eventually(async () => standIn.callsOf('views.open').find((x) => x.args.trigger_id === c.payload.trigger_id), 'views.open');
      const view = (typeof opened.args.view === 'string' ? JSON.parse(opened.args.view) : opened.args.view) as { callback_id: string; private_metadata: string; blocks: Array<{ block_id?: string; element?: { options?: Array<{ value: string }> } }> };
      expect(view.callback_id).to.equal('return.reject.submit');
      const options = view.blocks.find((b) => b.block_id === 'reason')!.element!.options!.map((o) => o.value);
      expect(options).to.include('condition_not_met');

      const submit = (reason: string | null) => {
        const payload = {
          type: 'view_submission',
          team: { id: w.teamId, domain: 'shop' },
          user: { id: `UOWN${tag}`, team_id: w.teamId },
          api_app_id: 'AAPP',
          trigger_id: `trig.sub.${randomBytes(4).toString('hex')}`,
          view: {
            id: 'V1',
            hash: randomBytes(4).toString('hex'),
            callback_id: 'return.reject.submit',
            private_metadata: view.private_metadata,
            state: { values: { reason: { code: { type: 'static_select', selected_option: reason ? { value: reason } : null } }, note: { text: { type: 'plain_text_input', value: '箱が開封されていました' } } } },
          },
        };
        return sendSigned(server.url, '/slack/actions', `payload=${encodeURIComponent(JSON.stringify(payload))}`, FORM);
      };
      const empty = await submit(null);
      expect(empty.status).to.equal(200);
      expect(empty.json()).to.deep.include({ response_action: 'errors' });
      expect(await statusOf(r.id)).to.equal('needs_review');

      expect((await submit('condition_not_met')).status).to.equal(200);
      expect(await answered(c.responsePath)).to.include('却下しました');
      const after = (await d.owner.get(`/api/shops/${d.shop.id}/returns/${r.id}`)).body;
      expect(after).to.include({ status: 'rejected', rejectionCode: 'condition_not_met' });
    });

    it('a connection whose token Slack revoked is marked broken, and actions are refused with a reconnect hint', async () => {
      const other = await openDesk(server);
      await publish(other, someTerms({ autoApprove: { enabled: false, maxAmount: 0 } }));
      const w2 = testWorkspace(`${tag}r`);
      const token = await connect(server.database, standIn, other.shop.id, w2);
      standIn.revoke(token);
      const order = await pushOrder(other);
      const r = await filed(other.owner, other.shop.id, { orderNumber: order.number });
      const c = clickPayload(standIn, { teamId: w2.teamId, userId: w2.users[0]!.id, channelId: w2.channels[0]!.id }, 'return.approve', { shopId: other.shop.id, objectId: r.id });
      expect((await sendSigned(server.url, '/slack/actions', c.raw, FORM)).status).to.equal(200);
      expect(await answered(c.responsePath)).to.include('Reconnect');
      const [conn] = await server.database.db.select().from(slackConnections).where(eq(slackConnections.shopId, other.shop.id));
      expect(conn).to.include({ status: 'broken', brokenReason: 'token_revoked' });
      expect((await other.owner.get(`/api/shops/${other.shop.id}/returns/${r.id}`)).body.status).to.equal('needs_review');
    });

    it('a shop with its own pasted app is acted for only with that app’s signing secret', async () => {
      const other = await openDesk(server);
      await publish(other, someTerms({ autoApprove: { enabled: false, maxAmount: 0 } }));
      const w2 = testWorkspace(`${tag}p`, { users: [{ id: `UP${tag}`, name: 'owner', email: other.shop.people.owner.email }] });
      const ownSecret = `pasted-app-secret-${tag}-0123456789`;
      await connect(server.database, standIn, other.shop.id, w2, { signingSecret: ownSecret });
      const order = await pushOrder(other);
      const r = await filed(other.owner, other.shop.id, { orderNumber: order.number });
      const from = { teamId: w2.teamId, userId: `UP${tag}`, channelId: w2.channels[0]!.id };
      // Signed by the deployment's app: verified, but that app does not speak for this shop.
      const byDeployment = clickPayload(standIn, from, 'return.approve', { shopId: other.shop.id, objectId: r.id });
      expect((await sendSigned(server.url, '/slack/actions', byDeployment.raw, FORM)).status).to.equal(200);
      expect(await answered(byDeployment.responsePath)).to.include('つながっていません');
      expect((await other.owner.get(`/api/shops/${other.shop.id}/returns/${r.id}`)).body.status).to.equal('needs_review');
      // Signed by the shop's own app: acted on.
      const byOwnApp = clickPayload(standIn, from, 'return.approve', { shopId: other.shop.id, objectId: r.id });
      expect((await sendSigned(server.url, '/slack/actions', byOwnApp.raw, FORM, { secret: ownSecret })).status).to.equal(200);
      expect(await answered(byOwnApp.responsePath)).to.include('承認しました');
      expect((await other.owner.get(`/api/shops/${other.shop.id}/returns/${r.id}`)).body.status).to.equal('awaiting_shipment');
    });

    it('Slack saying the app was uninstalled, or its bot token revoked, marks the connection broken at once; only the shops whose app it was', async () => {
      const appEvent = (teamId: string, event: Record<string, unknown>) =>
        JSON.stringify({ token: 'x', team_id: teamId, api_app_id: 'A1', type: 'event_callback', event_id: `Ev${randomBytes(5).toString('hex')}`, event_time: Math.floor(Date.now() / 1000), event });
      const shopIn = async (w2: SlackWorkspace, signingSecret?: string) => {
        const o = await openDesk(server);
        await connect(server.database, standIn, o.shop.id, w2, signingSecret ? { signingSecret } : {});
        return o.shop.id;
      };
      const statusOfConnection = async (shopId: string) => (await server.database.db.select().from(slackConnections).where(eq(slackConnections.shopId, shopId)))[0];
      // One workspace: a shop through "Add to Slack" (the deployment's app), another with its own pasted app.
      const w2 = testWorkspace(`${tag}u`);
      const viaOauth = await shopIn(w2);
      const ownSecret = `pasted-${tag}-uninstall-0123456789`;
      const viaOwnApp = await shopIn(w2, ownSecret);
      // The shop's own app was uninstalled: that shop's connection only.
      expect((await sendSigned(server.url, '/slack/events', appEvent(w2.teamId, { type: 'app_uninstalled', event_ts: '1.1' }), 'application/json', { secret: ownSecret })).status).to.equal(200);
      await eventually(async () => (await statusOfConnection(viaOwnApp))?.status === 'broken', 'the pasted app’s connection broken');
      expect(await statusOfConnection(viaOwnApp)).to.include({ brokenReason: 'app_uninstalled' });
      expect(await statusOfConnection(viaOauth)).to.include({ status: 'ok' });
      // The deployment's bot token revoked in that workspace (a user token alone changes nothing).
      const userOnly = appEvent(w2.teamId, { type: 'tokens_revoked', tokens: { oauth: ['U1'], bot: [] }, event_ts: '1.2' });
      expect((await sendSigned(server.url, '/slack/events', userOnly, 'application/json')).status).to.equal(200);
      const bot = appEvent(w2.teamId, { type: 'tokens_revoked', tokens: { bot: [w2.botUserId] }, event_ts: '1.3' });
      expect((await sendSigned(server.url, '/slack/events', bot, 'application/json')).status).to.equal(200);
      await eventually(async () => (await statusOfConnection(viaOauth))?.status === 'broken', 'the deployment app’s connection broken');
      expect(await statusOfConnection(viaOauth)).to.include({ brokenReason: 'token_revoked' });
    });

    it('answers url_verification, and refuses a payload on the wrong path', async () => {
      const raw = JSON.stringify({ token: 'x', challenge: 'abc123', type: 'url_verification' });
      const r = await sendSigned(server.url, '/slack/events', raw, 'application/json');
      expect(r.status).to.equal(200);
      expect(r.json()).to.deep.equal({ challenge: 'abc123' });
      const wrong = await sendSigned(server.url, '/slack/commands', raw, 'application/json');
      expect(wrong.status).to.equal(400);
    });
  });
}
