import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { slackAlertKinds } from '../../server/domains/slack/slack.model.ts';
import { makeShop, signedIn, type TestPerson, type TestShop } from '../fixtures/builders.ts';
import { startServer, type TestServer } from '../helpers/app.ts';
import { launchBrowser, signInToConsole, WatchedPages } from '../helpers/browser.ts';
import { slackApiStandIn, testWorkspace, type SlackApiStandIn } from '../helpers/slack-api.ts';

/**
 * Settings → Slack in a real Chromium against the real app (PGlite) and a local stand-in for
 * Slack's Web API: an owner connects the shop's own app by pasting its bot token and signing
 * secret (a token that is not a bot token is refused at its field, nothing stored), chooses the
 * default channel and the channel of one alert and mutes another; what the console shows is
 * what the API answers, and no token or secret ever comes back. Staff read it, unchangeable.
 */
describe('the Slack settings in the agent console', function () {
  this.timeout(90_000);

  let slack: SlackApiStandIn;
  let server: TestServer;
  let browser: Browser;
  const pages = new WatchedPages();

  before(async function () {
    this.timeout(90_000);
    slack = await slackApiStandIn();
    browser = await launchBrowser();
    server = await startServer('pglite', { config: { SLACK_API_URL: slack.url, SECRETS_KEYS: `e2e:${randomBytes(32).toString('base64')}` } });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await slack?.close();
  });
  afterEach(async () => {
    expect(await pages.closeAll(), 'errors in the page').to.deep.equal([]);
  });

  async function openSlackSettings(shop: TestShop, who: TestPerson): Promise<Page> {
    const page = await signInToConsole(await pages.page(browser), server.url, who, shop.id);
    await page.getByTestId('nav-settings').click();
    await page.waitForURL(new RegExp(`/console/shops/${shop.id}/settings$`));
    const section = page.getByTestId('settings-slack');
    await section.scrollIntoViewIfNeeded();
    await section.getByTestId('slack-status').waitFor();
    return page;
  }

  const slackOf = async (shop: TestShop) => {
    const owner = await signedIn(server.url, shop.people.owner);
    const r = await owner.get(`/api/shops/${shop.id}/slack`);
    expect(r.status).to.equal(200);
    return { body: r.body, text: r.text };
  };

  it('connects a workspace with a pasted token, sets the default channel and the channel of an alert, and mutes another', async () => {
    const shop = await makeShop(server.database);
    const tag = randomBytes(3).toString('hex');
    const ws = testWorkspace(tag);
    const botToken = `xoxb-${tag}-1234-${randomBytes(12).toString('hex')}`;
    const signingSecret = randomBytes(16).toString('hex');
    slack.addToken(botToken, ws);
    const [alerts, returns] = ws.channels;

    const page = await openSlackSettings(shop, shop.people.owner);
    expect(await page.getByTestId('slack-status').getAttribute('data-status')).to.equal('none');

    // Not a bot token: refused at its field, in the page's language, and nothing is stored.
    await page.getByTestId('slack-botToken').fill(`xoxp-${tag}-user-token`);
    await page.getByTestId('slack-signingSecret').fill(signingSecret);
    await page.getByTestId('slack-connect-submit').click();
    const tokenError = page.getByTestId('error-botToken');
    await tokenError.waitFor();
    expect((await tokenError.textContent())?.trim()).to.not.equal('');
    expect(await page.getByTestId('slack-botToken').getAttribute('aria-invalid')).to.equal('true');
    expect((await slackOf(shop)).body.connection).to.equal(null);

    // The real token: the server asks Slack who it is, and the page shows the workspace.
    await page.getByTestId('slack-botToken').fill(botToken);
    await page.getByTestId('slack-connect-submit').click();
    await page.locator('[data-testid="slack-status"][data-status="ok"]').waitFor();
    expect(await page.getByTestId('slack-team-name').textContent()).to.equal(ws.teamName);
    expect(slack.callsOf('auth.test').some((c) => c.token === botToken)).to.equal(true);
    expect(await page.getByTestId('slack-connect-form').count(), 'the form is gone once connected').to.equal(0);

    // One row per alert kind, in the server's order, each with its Japanese label.
    const rows = await page.locator('[data-testid^="slack-route-"][data-muted]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    expect(rows).to.deep.equal(slackAlertKinds.map((k) => `slack-route-${k}`));
    expect(await page.getByTestId('slack-route-return_needs_review').locator('th').textContent()).to.contain('返品の確認依頼');

    // The default channel, from the workspace's list.
    await page.getByTestId('slack-default-channel').selectOption(alerts!.id);
    await page.getByTestId('slack-default-status').filter({ hasText: '保存しました' }).waitFor();

    // The alert "return needs review" goes to #returns; the others stay on the default.
    const reviewChannel = page.getByTestId('slack-route-channel-return_needs_review');
    expect(await reviewChannel.inputValue()).to.equal('');
    expect(await reviewChannel.locator('option[value=""]').textContent()).to.contain('既定のチャンネル');
    await reviewChannel.selectOption(returns!.id);
    await page.getByTestId('slack-route-status-return_needs_review').filter({ hasText: '保存しました' }).waitFor();

    // "SLA at risk" muted with its switch.
    await page.getByTestId('slack-route-mute-sla_at_risk').check();
    await page.getByTestId('slack-route-status-sla_at_risk').filter({ hasText: '保存しました' }).waitFor();

    const { body, text } = await slackOf(shop);
    expect(body.connection).to.include({ teamId: ws.teamId, teamName: ws.teamName, via: 'token', status: 'ok' });
    expect(body.connection.defaultChannel.id).to.equal(alerts!.id);
    const route = (kind: string) => body.routes.find((r: { kind: string }) => r.kind === kind);
    expect(route('return_needs_review')).to.deep.include({ muted: false });
    expect(route('return_needs_review').channel.id).to.equal(returns!.id);
    expect(route('sla_at_risk')).to.deep.include({ muted: true, channel: null });
    expect(route('refund_failed')).to.deep.include({ muted: false, channel: null });
    expect(text, 'never the token').to.not.contain(botToken);
    expect(text, 'never the secret').to.not.contain(signingSecret);

    // What was saved is what a fresh page shows.
    await page.reload();
    await page.getByTestId('settings-slack').scrollIntoViewIfNeeded();
    await page.locator('[data-testid="slack-status"][data-status="ok"]').waitFor();
    await page.waitForFunction((id) => (document.querySelector('[data-testid="slack-route-channel-return_needs_review"]') as HTMLSelectElement | null)?.value === id, returns!.id);
    expect(await page.getByTestId('slack-route-mute-sla_at_risk').isChecked()).to.equal(true);
    expect(await page.getByTestId('slack-default-channel').inputValue()).to.equal(alerts!.id);
  });

  it('shows staff the connection and the routes without a way to change them', async () => {
    const shop = await makeShop(server.database);
    const tag = randomBytes(3).toString('hex');
    const ws = testWorkspace(tag);
    const botToken = `xoxb-${tag}-5678-${randomBytes(12).toString('hex')}`;
    slack.addToken(botToken, ws);
    const owner = await signedIn(server.url, shop.people.owner);
    expect((await owner.put(`/api/shops/${shop.id}/slack/token`, { botToken, signingSecret: randomBytes(16).toString('hex') })).status).to.equal(200);
    expect((await owner.put(`/api/shops/${shop.id}/slack/routes/refund_failed`, { channelId: ws.channels[1]!.id, muted: false })).status).to.equal(200);

    const page = await openSlackSettings(shop, shop.people.staff);
    await page.locator('[data-testid="slack-status"][data-status="ok"]').waitFor();
    expect(await page.getByTestId('slack-team-name').textContent()).to.equal(ws.teamName);
    expect(await page.getByTestId('slack-connect-form').count()).to.equal(0);
    expect(await page.getByTestId('slack-disconnect').count()).to.equal(0);
    expect(await page.getByTestId('slack-route-channel-refund_failed').textContent()).to.equal(`#${ws.channels[1]!.name}`);
    expect(await page.getByTestId('slack-route-mute-refund_failed').isDisabled()).to.equal(true);
    expect(await page.locator('select[data-testid^="slack-route-channel-"]').count()).to.equal(0);
  });
});
