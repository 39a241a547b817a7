import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import slackOAuth from '@slack/oauth';
import { unseal } from '../../../server/core/sealed.ts';
import { tokenAad } from '../../../server/domains/slack/slack.client.ts';
import { oauthStateSecret, slackBotScopes } from '../../../server/domains/slack/slack.oauth.ts';
import { slackConnections } from '../../../server/domains/slack/slack.tables.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { slackApiStandIn, type SlackApiStandIn } from '../../helpers/slack-api.ts';
import { makeShop, signedIn } from '../../fixtures/builders.ts';
import { auditOf, aWorkspace, tag } from './slack.helpers.ts';

const CLIENT_ID = '1234.5678';
const CLIENT_SECRET = 'client-secret-of-the-test-app';

for (const kind of dbKinds) {
  describe(`[${kind}] "Add to Slack" (OAuth install through Bolt's InstallProvider)`, () => {
    let server: TestServer;
    let slack: SlackApiStandIn;
    before(async () => {
      slack = await slackApiStandIn();
      server = await startServer(kind, {
        config: { SLACK_API_URL: slack.url, SLACK_CLIENT_ID: CLIENT_ID, SLACK_CLIENT_SECRET: CLIENT_SECRET, SLACK_SIGNING_SECRET: 'signing-secret-of-the-test-app', PUBLIC_URL: 'https://desk.example.jp' },
      });
    });
    after(async () => {
      await server.close();
      await slack.close();
    });

    const db = () => server.database.db;
    const connectionOf = async (shopId: string) => (await db().select().from(slackConnections).where(eq(slackConnections.shopId, shopId)))[0];

    /** Starts the install as the browser does: the redirect to Slack, its state, and the state cookie. */
    async function startInstall(client: TestClient, shopId: string) {
      const r = await client.get(`/slack/install?shop=${shopId}`);
      expect(r.status, r.text).to.equal(302);
      const location = new URL(r.headers.get('location')!);
      const cookie = r.headers.getSetCookie().find((c) => c.startsWith('slack-app-oauth-state='))!;
      return { location, state: location.searchParams.get('state')!, stateCookie: cookie.split(';')[0]! };
    }

    /** Slack sends the browser back with a code and the state; the browser brings its cookies. */
    const comeBack = async (client: TestClient, query: string, stateCookie?: string) => {
      const res = await fetch(`${server.url}/slack/oauth_redirect?${query}`, { headers: { cookie: [client.cookie, stateCookie].filter(Boolean).join('; ') }, redirect: 'manual' });
      return { status: res.status, headers: res.headers, text: await res.text() };
    };

    it('with SLACK_CLIENT_ID and the rest set, the status offers "Add to Slack" to the shop', async () => {
      const shop = await makeShop(server.database, undefined, ['owner', 'contractor']);
      const owner = await signedIn(server.url, shop.people.owner);
      expect((await owner.get(`/api/shops/${shop.id}/slack`)).body.installUrl).to.equal(`/slack/install?shop=${shop.id}`);
      expect(server.config).to.include({ SLACK_CLIENT_ID: CLIENT_ID, SLACK_CLIENT_SECRET: CLIENT_SECRET });
    });

    it('installs: the owner is sent to Slack with a state for the shop, Slack’s code is exchanged (oauth.v2.access), and the connection is stored, sealed, for the shop the state names', async () => {
      const shop = await makeShop(server.database, undefined, ['owner']);
      const owner = await signedIn(server.url, shop.people.owner);
      const { location, state, stateCookie } = await startInstall(owner, shop.id);
      expect(location.origin + location.pathname).to.equal('https://slack.com/oauth/v2/authorize');
      expect(location.searchParams.get('client_id')).to.equal(CLIENT_ID);
      expect(location.searchParams.get('scope')!.split(',')).to.deep.equal([...slackBotScopes]);
      expect(location.searchParams.get('redirect_uri')).to.equal('https://desk.example.jp/slack/oauth_redirect');
      expect(stateCookie).to.equal(`slack-app-oauth-state=${state}`);

      const { workspace, token } = aWorkspace(slack);
      const code = `code-${tag()}`;
      slack.addOAuthCode(code, token, workspace, CLIENT_ID, CLIENT_SECRET);
      const back = await comeBack(owner, `code=${code}&state=${encodeURIComponent(state)}`, stateCookie);
      expect(back.status, back.text).to.equal(302);
      expect(back.headers.get('location')).to.equal('/console/settings?slack=connected');
      expect(slack.callsOf('oauth.v2.access').map((c) => c.args.code)).to.include(code);

      const status = await owner.get(`/api/shops/${shop.id}/slack`);
      expect(status.body.connection).to.deep.include({ teamId: workspace.teamId, teamName: workspace.teamName, via: 'oauth', status: 'ok' });
      expect(status.body.connection.connectedBy).to.deep.equal({ id: shop.people.owner.id, name: shop.people.owner.name });
      expect(status.text).not.to.include(token);
      const row = await connectionOf(shop.id);
      expect(row).to.deep.include({ appId: workspace.appId, botUserId: workspace.botUserId, signingSecretSealed: null });
      expect(row!.botTokenSealed).not.to.include(token);
      expect(unseal(server.app.slack.keyring, row!.botTokenSealed, tokenAad(shop.id))).to.equal(token);
      expect((await auditOf(db(), shop.id, 'slack.connected'))[0]!.summary).to.deep.include({ via: 'oauth', teamId: workspace.teamId });
      expect((await owner.get(`/api/shops/${shop.id}/setup`)).body.steps.find((s: { id: string }) => s.id === 'slack').done).to.equal(true);

      // The same workspace for another shop: both shops keep their own connection.
      const other = await makeShop(server.database, undefined, ['owner']);
      const otherOwner = await signedIn(server.url, other.people.owner);
      const second = await startInstall(otherOwner, other.id);
      const code2 = `code-${tag()}`;
      slack.addOAuthCode(code2, token, workspace, CLIENT_ID, CLIENT_SECRET);
      expect((await comeBack(otherOwner, `code=${code2}&state=${encodeURIComponent(second.state)}`, second.stateCookie)).headers.get('location')).to.equal('/console/settings?slack=connected');
      expect((await connectionOf(other.id))!.teamId).to.equal(workspace.teamId);
      expect((await connectionOf(shop.id))!.teamId).to.equal(workspace.teamId);

      // A second install for the same shop replaces its connection.
      const moved = aWorkspace(slack);
      const third = await startInstall(owner, shop.id);
      const code3 = `code-${tag()}`;
      slack.addOAuthCode(code3, moved.token, moved.workspace, CLIENT_ID, CLIENT_SECRET);
      expect((await comeBack(owner, `code=${code3}&state=${encodeURIComponent(third.state)}`, third.stateCookie)).headers.get('location')).to.equal('/console/settings?slack=connected');
      const rows = await db().select().from(slackConnections).where(eq(slackConnections.shopId, shop.id));
      expect(rows.map((r) => r.teamId)).to.deep.equal([moved.workspace.teamId]);
    });

    it('refuses a forged state, an expired one, and one that was not started in this browser: nothing exchanged, nothing stored', async () => {
      const shop = await makeShop(server.database, undefined, ['owner']);
      const owner = await signedIn(server.url, shop.people.owner);
      const { workspace, token } = aWorkspace(slack);
      const code = `code-${tag()}`;
      slack.addOAuthCode(code, token, workspace, CLIENT_ID, CLIENT_SECRET);
      const installOptions = { scopes: [...slackBotScopes], redirectUri: 'https://desk.example.jp/slack/oauth_redirect', metadata: JSON.stringify({ shopId: shop.id, userId: shop.people.owner.id }) };
      const forged = await new slackOAuth.ClearStateStore('not-the-deployment-secret').generateStateParam(installOptions, new Date());
      const expired = await new slackOAuth.ClearStateStore(oauthStateSecret(server.app.slack.keyring)).generateStateParam(installOptions, new Date(Date.now() - 11 * 60_000));
      const { state: real } = await startInstall(owner, shop.id);

      for (const [what, state, cookie] of [
        ['forged', forged, `slack-app-oauth-state=${forged}`],
        ['expired', expired, `slack-app-oauth-state=${expired}`],
        ['another browser', real, undefined],
        ['no state', '', undefined],
      ] as const) {
        const back = await comeBack(owner, `code=${code}&state=${encodeURIComponent(state)}`, cookie);
        expect(back.status, what).to.equal(302);
        expect(back.headers.get('location'), what).to.equal('/console/settings?slack=error&reason=invalid_state');
      }
      expect(slack.callsOf('oauth.v2.access').filter((c) => c.args.code === code)).to.have.length(0);
      expect(await connectionOf(shop.id)).to.equal(undefined);

      // Slack's own refusal of the code, and the merchant cancelling at Slack, come back as reasons too.
      const again = await startInstall(owner, shop.id);
      expect((await comeBack(owner, `code=not-a-code&state=${encodeURIComponent(again.state)}`, again.stateCookie)).headers.get('location')).to.equal('/console/settings?slack=error&reason=invalid_code');
      expect((await comeBack(owner, 'error=access_denied&state=x')).headers.get('location')).to.equal('/console/settings?slack=error&reason=access_denied');
      expect(await connectionOf(shop.id)).to.equal(undefined);
    });

    it('lets only a signed-in owner start an install, and stores it only for the same person, still an owner, coming back', async () => {
      const shop = await makeShop(server.database, undefined, ['owner', 'staff']);
      const other = await makeShop(server.database, undefined, ['owner']);
      const staff = await signedIn(server.url, shop.people.staff);
      const stranger = await signedIn(server.url, other.people.owner);
      expect((await staff.get(`/slack/install?shop=${shop.id}`)).status).to.equal(403);
      expect((await stranger.get(`/slack/install?shop=${shop.id}`)).status).to.equal(404);
      const anonymous = await fetch(`${server.url}/slack/install?shop=${shop.id}`, { redirect: 'manual' });
      expect(anonymous.status).to.equal(401);
      expect((await staff.get('/slack/install?shop=nope')).status).to.equal(400);

      // Started by the owner, brought back in the staff member's browser session (with the state cookie): refused.
      const owner = await signedIn(server.url, shop.people.owner);
      const { state, stateCookie } = await startInstall(owner, shop.id);
      const { workspace, token } = aWorkspace(slack);
      const code = `code-${tag()}`;
      slack.addOAuthCode(code, token, workspace, CLIENT_ID, CLIENT_SECRET);
      const back = await comeBack(staff, `code=${code}&state=${encodeURIComponent(state)}`, stateCookie);
      expect(back.headers.get('location')).to.equal('/console/settings?slack=error&reason=forbidden');
      expect(slack.callsOf('oauth.v2.access').filter((c) => c.args.code === code)).to.have.length(0);
      expect(await connectionOf(shop.id)).to.equal(undefined);
    });
  });
}
