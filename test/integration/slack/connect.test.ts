import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { unseal } from '../../../server/core/sealed.ts';
import { channelFor, signingAad, tokenAad } from '../../../server/domains/slack/slack.client.ts';
import { slackAlertKinds } from '../../../server/domains/slack/slack.model.ts';
import { slackConnections, slackRoutes, slackUserLinks } from '../../../server/domains/slack/slack.tables.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { slackApiStandIn, type SlackApiStandIn } from '../../helpers/slack-api.ts';
import { makeShop, signedIn } from '../../fixtures/builders.ts';
import { aSigningSecret, auditOf, aWorkspace, link } from './slack.helpers.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] connecting a shop to Slack with a pasted token`, () => {
    let server: TestServer;
    let slack: SlackApiStandIn;
    before(async () => {
      slack = await slackApiStandIn();
      server = await startServer(kind, { config: { SLACK_API_URL: slack.url } });
    });
    after(async () => {
      await server.close();
      await slack.close();
    });
    afterEach(() => slack.up());

    const db = () => server.database.db;
    const base = (shopId: string) => `/api/shops/${shopId}/slack`;

    async function connected() {
      const shop = await makeShop(server.database);
      const owner = await signedIn(server.url, shop.people.owner);
      const ws = aWorkspace(slack);
      const signingSecret = aSigningSecret();
      const r = await owner.put(`${base(shop.id)}/token`, { botToken: ws.token, signingSecret });
      expect(r.status, r.text).to.equal(200);
      return { shop, owner, ...ws, signingSecret };
    }

    it('connects with a bot token Slack accepts (auth.test); no answer, to the owner or a contractor, holds the token or the secret, and the row holds them sealed to the shop', async () => {
      const shop = await makeShop(server.database);
      const owner = await signedIn(server.url, shop.people.owner);
      const before = await owner.get(base(shop.id));
      expect(before.status, before.text).to.equal(200);
      expect(before.body).to.deep.equal({
        connection: null,
        routes: slackAlertKinds.map((kind) => ({ kind, channel: null, muted: false })),
        installUrl: null,
        me: { linked: false, slackUserId: null },
      });

      const { workspace, token } = aWorkspace(slack);
      const signingSecret = aSigningSecret();
      const r = await owner.put(`${base(shop.id)}/token`, { botToken: token, signingSecret });
      expect(r.status, r.text).to.equal(200);
      expect(r.body.connection).to.deep.include({ teamId: workspace.teamId, teamName: workspace.teamName, via: 'token', status: 'ok', brokenReason: null, brokenAt: null, defaultChannel: null });
      expect(r.body.connection.connectedBy).to.deep.equal({ id: shop.people.owner.id, name: shop.people.owner.name });
      expect(slack.callsOf('auth.test').map((c) => c.token)).to.include(token);

      const contractor = await signedIn(server.url, shop.people.contractor);
      const seen = await contractor.get(base(shop.id));
      expect(seen.status, seen.text).to.equal(200);
      expect(seen.body.connection.teamId).to.equal(workspace.teamId);
      for (const text of [r.text, seen.text, (await owner.get(base(shop.id))).text]) {
        expect(text).not.to.include(token);
        expect(text).not.to.include(signingSecret);
      }

      const [row] = await db().select().from(slackConnections).where(eq(slackConnections.shopId, shop.id));
      expect(row!.botTokenSealed).to.match(/^s1\./).and.not.include(token);
      expect(row!.signingSecretSealed).to.match(/^s1\./).and.not.include(signingSecret);
      const keyring = server.app.slack.keyring;
      expect(unseal(keyring, row!.botTokenSealed, tokenAad(shop.id))).to.equal(token);
      expect(unseal(keyring, row!.signingSecretSealed!, signingAad(shop.id))).to.equal(signingSecret);
      // Bound to its shop: the same sealed text does not open as another shop's.
      expect(() => unseal(keyring, row!.botTokenSealed, tokenAad(shop.people.owner.id))).to.throw(/cannot be opened/);

      const audit = await auditOf(db(), shop.id, 'slack.connected');
      expect(audit).to.have.length(1);
      expect(audit[0]!.summary).to.deep.include({ via: 'token', teamId: workspace.teamId, replaced: null });
      expect(JSON.stringify(audit)).not.to.include(token);

      const setup = await owner.get(`/api/shops/${shop.id}/setup`);
      expect(setup.body.steps.find((s: { id: string }) => s.id === 'slack')).to.deep.equal({ id: 'slack', available: true, done: true });
    });

    it('refuses a token Slack does not accept at botToken, and malformed input at its field, storing nothing', async () => {
      const shop = await makeShop(server.database);
      const owner = await signedIn(server.url, shop.people.owner);
      const unknown = await owner.put(`${base(shop.id)}/token`, { botToken: 'xoxb-0000-not-a-token-slack-knows', signingSecret: aSigningSecret() });
      expect(unknown.status, unknown.text).to.equal(400);
      expect(unknown.body.error.details[0]).to.include({ in: 'body', path: 'botToken', slackError: 'invalid_auth' });
      expect(unknown.body.error.details[0].ja).to.include('xoxb-');

      const userToken = await owner.put(`${base(shop.id)}/token`, { botToken: 'xoxp-1234-5678-abcdef', signingSecret: aSigningSecret() });
      expect(userToken.status).to.equal(400);
      expect(userToken.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['botToken']);
      const { token } = aWorkspace(slack);
      const badSecret = await owner.put(`${base(shop.id)}/token`, { botToken: token, signingSecret: 'not the secret' });
      expect(badSecret.status).to.equal(400);
      expect(badSecret.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['signingSecret']);
      expect(badSecret.body.error.details[0].ja).to.be.a('string');

      expect((await owner.get(base(shop.id))).body.connection).to.equal(null);
      expect(await db().select().from(slackConnections).where(eq(slackConnections.shopId, shop.id))).to.have.length(0);
      expect(await auditOf(db(), shop.id, 'slack.connected')).to.have.length(0);
    });

    it('answers 503 with Retry-After when Slack cannot be reached or fails, storing nothing; once Slack is back the same request connects', async () => {
      const shop = await makeShop(server.database);
      const owner = await signedIn(server.url, shop.people.owner);
      const { token } = aWorkspace(slack);
      const body = { botToken: token, signingSecret: aSigningSecret() };
      await slack.down();
      const down = await owner.put(`${base(shop.id)}/token`, body);
      expect(down.status, down.text).to.equal(503);
      expect(down.body.error.code).to.equal('unavailable');
      expect(down.body.error.details.say.ja).to.include('Slack');
      expect(down.headers.get('retry-after')).to.equal('5');
      await slack.up();
      slack.failNext('auth.test', { status: 500 });
      expect((await owner.put(`${base(shop.id)}/token`, body)).status).to.equal(503);
      slack.failNext('auth.test', { status: 429, retryAfter: 7 });
      const limited = await owner.put(`${base(shop.id)}/token`, body);
      expect(limited.status).to.equal(503);
      expect(limited.headers.get('retry-after')).to.equal('7');
      expect(await db().select().from(slackConnections).where(eq(slackConnections.shopId, shop.id))).to.have.length(0);

      expect((await owner.put(`${base(shop.id)}/token`, body)).status).to.equal(200);
    });

    it('lets only the owner change anything (403 for staff, agents, contractors), and never another shop (404)', async () => {
      const { shop, token } = await connected();
      const other = await makeShop(server.database);
      const otherOwner = await signedIn(server.url, other.people.owner);
      for (const role of ['staff', 'agent', 'contractor'] as const) {
        const c = await signedIn(server.url, shop.people[role]);
        expect((await c.get(base(shop.id))).status, `${role} reads the status`).to.equal(200);
        expect((await c.put(`${base(shop.id)}/token`, { botToken: token, signingSecret: aSigningSecret() })).status, role).to.equal(403);
        expect((await c.delete(base(shop.id))).status, role).to.equal(403);
        expect((await c.get(`${base(shop.id)}/channels`)).status, role).to.equal(403);
        expect((await c.put(`${base(shop.id)}/routes/sla_breached`, { channelId: null, muted: true })).status, role).to.equal(403);
        expect((await c.put(`${base(shop.id)}/default-channel`, { channelId: 'C0123ABCD' })).status, role).to.equal(403);
        expect((await c.get(`${base(shop.id)}/links`)).status, role).to.equal(403);
      }
      for (const r of [
        await otherOwner.get(base(shop.id)),
        await otherOwner.put(`${base(shop.id)}/token`, { botToken: token, signingSecret: aSigningSecret() }),
        await otherOwner.delete(base(shop.id)),
        await otherOwner.put(`${base(shop.id)}/routes/sla_breached`, { channelId: null, muted: true }),
      ]) {
        expect(r.status, r.text).to.equal(404);
        expect(r.text).not.to.include(token);
      }
      const [row] = await db().select().from(slackConnections).where(eq(slackConnections.shopId, shop.id));
      expect(row!.installedBy).to.equal(shop.people.owner.id);
      expect(await db().select().from(slackRoutes).where(eq(slackRoutes.shopId, shop.id))).to.have.length(0);
    });

    it('sets an alert’s channel, mutes another, puts one back on the default channel; an unknown alert kind is 404', async () => {
      const { shop, owner, tag } = await connected();
      const set = await owner.put(`${base(shop.id)}/routes/sla_breached`, { channelId: `CRETURNS${tag}`, muted: false });
      expect(set.status, set.text).to.equal(200);
      expect(set.body.routes.find((r: { kind: string }) => r.kind === 'sla_breached')).to.deep.equal({ kind: 'sla_breached', channel: { id: `CRETURNS${tag}`, name: 'returns', brokenReason: null }, muted: false });
      expect(await channelFor(db(), shop.id, 'sla_breached')).to.equal(`CRETURNS${tag}`);

      const muted = await owner.put(`${base(shop.id)}/routes/csat_low`, { channelId: null, muted: true });
      expect(muted.status, muted.text).to.equal(200);
      expect(muted.body.routes.find((r: { kind: string }) => r.kind === 'csat_low')).to.deep.equal({ kind: 'csat_low', channel: null, muted: true });
      expect(await channelFor(db(), shop.id, 'csat_low')).to.equal('muted');

      const back = await owner.put(`${base(shop.id)}/routes/sla_breached`, { channelId: null, muted: false });
      expect(back.body.routes.find((r: { kind: string }) => r.kind === 'sla_breached')).to.deep.equal({ kind: 'sla_breached', channel: null, muted: false });
      expect(await channelFor(db(), shop.id, 'sla_breached')).to.equal(undefined);
      expect(back.body.routes.map((r: { kind: string }) => r.kind)).to.deep.equal([...slackAlertKinds]);

      const unknown = await owner.put(`${base(shop.id)}/routes/pizza_arrived`, { channelId: null, muted: true });
      expect(unknown.status, unknown.text).to.equal(404);
      const badChannel = await owner.put(`${base(shop.id)}/routes/csat_low`, { channelId: '#general', muted: false });
      expect(badChannel.status).to.equal(400);
      expect(badChannel.body.error.details[0].path).to.equal('channelId');
      const gone = await owner.put(`${base(shop.id)}/routes/csat_low`, { channelId: 'CNOSUCH1', muted: false });
      expect(gone.status, gone.text).to.equal(400);
      expect(gone.body.error.details[0]).to.include({ path: 'channelId' });

      const audit = await auditOf(db(), shop.id, 'slack.route_set');
      expect(audit.map((a) => a.summary)).to.have.deep.members([
        { kind: 'sla_breached', channelId: `CRETURNS${tag}`, muted: false },
        { kind: 'csat_low', channelId: null, muted: true },
        { kind: 'sla_breached', channelId: null, muted: false },
      ]);
    });

    it('sets the default channel: joins a public channel the app is not in; refuses a private one it was not invited to, saying how to invite it', async () => {
      const priv = { id: 'CPRIVATE', name: 'managers', isPrivate: true, isMember: false };
      const shop = await makeShop(server.database);
      const owner = await signedIn(server.url, shop.people.owner);
      const ws = aWorkspace(slack);
      ws.workspace.channels.push({ ...priv, id: `CPRIV${ws.tag}` });
      expect((await owner.put(`${base(shop.id)}/token`, { botToken: ws.token, signingSecret: aSigningSecret() })).status).to.equal(200);

      const list = await owner.get(`${base(shop.id)}/channels`);
      expect(list.status, list.text).to.equal(200);
      expect(list.body.channels).to.deep.include({ id: `COUT${ws.tag}`, name: 'not-joined', isPrivate: false, isMember: false });
      expect(list.body.channels).to.deep.include({ id: `CPRIV${ws.tag}`, name: 'managers', isPrivate: true, isMember: false });

      const joined = await owner.put(`${base(shop.id)}/default-channel`, { channelId: `COUT${ws.tag}` });
      expect(joined.status, joined.text).to.equal(200);
      expect(joined.body.connection.defaultChannel).to.deep.equal({ id: `COUT${ws.tag}`, name: 'not-joined', brokenReason: null });
      expect(slack.callsOf('conversations.join').filter((c) => c.token === ws.token).map((c) => c.args.channel)).to.deep.equal([`COUT${ws.tag}`]);
      expect(await channelFor(db(), shop.id, 'refund_failed')).to.equal(`COUT${ws.tag}`);

      const invite = await owner.put(`${base(shop.id)}/default-channel`, { channelId: `CPRIV${ws.tag}` });
      expect(invite.status, invite.text).to.equal(400);
      expect(invite.body.error.details[0].path).to.equal('channelId');
      expect(invite.body.error.details[0].message).to.include('/invite @madoguchi');
      expect(invite.body.error.details[0].ja).to.include('/invite @madoguchi');
      expect((await owner.get(base(shop.id))).body.connection.defaultChannel.id, 'unchanged').to.equal(`COUT${ws.tag}`);
      expect((await auditOf(db(), shop.id, 'slack.default_channel_set')).map((a) => a.objectId)).to.deep.equal([`COUT${ws.tag}`]);

      // Not connected: nothing to list or choose from.
      const other = await makeShop(server.database);
      const otherOwner = await signedIn(server.url, other.people.owner);
      const none = await otherOwner.get(`${base(other.id)}/channels`);
      expect(none.status, none.text).to.equal(409);
      expect(none.body.error.details.say.ja).to.include('接続されていません');
      expect((await otherOwner.put(`${base(other.id)}/default-channel`, { channelId: 'C0123ABCD' })).status).to.equal(409);
    });

    it('disconnects: revokes the token at Slack (auth.revoke) and deletes the connection, routes and people links', async () => {
      const { shop, owner, token, workspace, tag } = await connected();
      await owner.put(`${base(shop.id)}/routes/csat_low`, { channelId: `CALERTS${tag}`, muted: false });
      await link(db(), shop.id, shop.people.owner.id, workspace.teamId, workspace.users[0]!.id);
      const gone = await owner.delete(base(shop.id));
      expect(gone.status, gone.text).to.equal(204);
      expect(slack.callsOf('auth.revoke').map((c) => c.token)).to.include(token);
      expect((await owner.get(base(shop.id))).body.connection).to.equal(null);
      for (const table of [slackConnections, slackRoutes, slackUserLinks]) expect(await db().select().from(table).where(eq(table.shopId, shop.id))).to.have.length(0);
      expect((await auditOf(db(), shop.id, 'slack.disconnected'))[0]!.summary).to.deep.include({ revoked: 'revoked', teamId: workspace.teamId });
      expect((await owner.delete(base(shop.id))).status, 'nothing left to disconnect').to.equal(404);
      expect((await owner.get(`/api/shops/${shop.id}/setup`)).body.steps.find((s: { id: string }) => s.id === 'slack').done).to.equal(false);
    });

    it('disconnects when Slack is down all the same (the revoke is best effort), and says so in the audit trail', async () => {
      const { shop, owner, token } = await connected();
      const revokesBefore = slack.callsOf('auth.revoke').length;
      await slack.down();
      const gone = await owner.delete(base(shop.id));
      expect(gone.status, gone.text).to.equal(204);
      await slack.up();
      expect(slack.callsOf('auth.revoke')).to.have.length(revokesBefore);
      expect(await db().select().from(slackConnections).where(eq(slackConnections.shopId, shop.id))).to.have.length(0);
      expect((await auditOf(db(), shop.id, 'slack.disconnected'))[0]!.summary).to.deep.include({ revoked: 'failed' });
      expect((await owner.get(base(shop.id))).text).not.to.include(token);
    });

    it('does not revoke a bot another shop of the same workspace still uses', async () => {
      const a = await connected();
      const b = await makeShop(server.database);
      const bOwner = await signedIn(server.url, b.people.owner);
      expect((await bOwner.put(`${base(b.id)}/token`, { botToken: a.token, signingSecret: aSigningSecret() })).status).to.equal(200);
      expect((await a.owner.delete(base(a.shop.id))).status).to.equal(204);
      expect(slack.callsOf('auth.revoke').filter((c) => c.token === a.token)).to.have.length(0);
      expect((await auditOf(db(), a.shop.id, 'slack.disconnected'))[0]!.summary).to.deep.include({ revoked: 'shared' });
      // Shop B still works.
      expect((await bOwner.get(`${base(b.id)}/channels`)).status).to.equal(200);
    });

    it('shows a connection whose token Slack revoked as broken, its checklist step undone; a reconnect to the same workspace keeps the routes', async () => {
      const { shop, owner, token, tag, workspace } = await connected();
      await owner.put(`${base(shop.id)}/routes/refund_failed`, { channelId: `CALERTS${tag}`, muted: false });
      slack.revoke(token);
      const listed = await owner.get(`${base(shop.id)}/channels`);
      expect(listed.status, listed.text).to.equal(409);
      expect(listed.body.error.details).to.deep.include({ reason: 'token_revoked' });
      const status = await owner.get(base(shop.id));
      expect(status.body.connection).to.deep.include({ status: 'broken', brokenReason: 'token_revoked' });
      expect(status.body.connection.brokenAt).to.be.a('string');
      expect((await owner.get(`/api/shops/${shop.id}/setup`)).body.steps.find((s: { id: string }) => s.id === 'slack').done).to.equal(false);

      const fresh = `${token}-new`;
      slack.addToken(fresh, workspace);
      const again = await owner.put(`${base(shop.id)}/token`, { botToken: fresh, signingSecret: aSigningSecret() });
      expect(again.status, again.text).to.equal(200);
      expect(again.body.connection).to.deep.include({ status: 'ok', brokenReason: null, brokenAt: null });
      expect(again.body.routes.find((r: { kind: string }) => r.kind === 'refund_failed').channel.id).to.equal(`CALERTS${tag}`);
      expect((await auditOf(db(), shop.id, 'slack.connected')).map((a) => a.summary.replaced)).to.deep.equal([null, workspace.teamId]);

      // Another workspace: its channels and people links do not carry over; mutes do.
      await owner.put(`${base(shop.id)}/routes/csat_low`, { channelId: null, muted: true });
      await link(db(), shop.id, shop.people.owner.id, workspace.teamId, workspace.users[0]!.id);
      const other = aWorkspace(slack);
      const moved = await owner.put(`${base(shop.id)}/token`, { botToken: other.token, signingSecret: aSigningSecret() });
      expect(moved.body.connection.teamId).to.equal(other.workspace.teamId);
      expect(moved.body.routes.find((r: { kind: string }) => r.kind === 'refund_failed').channel).to.equal(null);
      expect(moved.body.routes.find((r: { kind: string }) => r.kind === 'csat_low').muted).to.equal(true);
      expect(moved.body.me).to.deep.equal({ linked: false, slackUserId: null });
    });

    it('lists the people linked to Slack for the owner; a person removes their own link, only the owner anyone’s', async () => {
      const { shop, owner, workspace } = await connected();
      await link(db(), shop.id, shop.people.owner.id, workspace.teamId, 'UOWNERX');
      await link(db(), shop.id, shop.people.staff.id, workspace.teamId, 'USTAFFX');
      await link(db(), shop.id, shop.people.agent.id, workspace.teamId, 'UAGENTX');
      const list = await owner.get(`${base(shop.id)}/links`);
      expect(list.status, list.text).to.equal(200);
      expect(list.body.links.map((l: { userId: string; role: string; slackUserId: string; via: string }) => [l.userId, l.role, l.slackUserId, l.via])).to.have.deep.members([
        [shop.people.owner.id, 'owner', 'UOWNERX', 'confirmed'],
        [shop.people.staff.id, 'staff', 'USTAFFX', 'confirmed'],
        [shop.people.agent.id, 'agent', 'UAGENTX', 'confirmed'],
      ]);
      expect((await owner.get(base(shop.id))).body.me).to.deep.equal({ linked: true, slackUserId: 'UOWNERX' });

      const staff = await signedIn(server.url, shop.people.staff);
      expect((await staff.delete(`${base(shop.id)}/links/${shop.people.agent.id}`)).status).to.equal(403);
      expect((await staff.delete(`${base(shop.id)}/links/${shop.people.staff.id}`)).status).to.equal(204);
      expect((await staff.get(base(shop.id))).body.me).to.deep.equal({ linked: false, slackUserId: null });
      expect((await owner.delete(`${base(shop.id)}/links/${shop.people.agent.id}`)).status).to.equal(204);
      expect((await owner.delete(`${base(shop.id)}/links/${shop.people.agent.id}`)).status, 'already gone').to.equal(404);
      expect((await owner.get(`${base(shop.id)}/links`)).body.links.map((l: { userId: string }) => l.userId)).to.deep.equal([shop.people.owner.id]);
      expect((await auditOf(db(), shop.id, 'slack.link_removed')).map((a) => a.objectId)).to.have.members([shop.people.staff.id, shop.people.agent.id]);
    });
  });
}
