import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { insertMembership } from '../../server/domains/shops/shops.repository.ts';
import { makeShop, signedIn } from '../fixtures/builders.ts';
import { newCustomer } from '../fixtures/chat.ts';
import type { TestServer } from '../helpers/app.ts';
import { consoleSuite, signInToConsole } from '../helpers/browser.ts';
import { ask, connected, widgetClient, type WidgetSocket } from '../helpers/sockets.ts';

/**
 * The open console when the person's access changes elsewhere: it must not keep showing what
 * they may no longer see, and it must not need a reload to notice.
 */
describe('the agent console when the person’s access changes while it is open', function () {
  this.timeout(60_000);

  let server: TestServer;
  let browser: Browser;
  const suite = consoleSuite<WidgetSocket>();
  const { pages, sockets } = suite;

  before(() => {
    ({ server, browser } = suite);
  });

  it('goes to the sign-in page at once when the session is ended from another device (a password change)', async () => {
    const shop = await makeShop(server.database);
    const page = await signInToConsole(await pages.page(browser), server.url, shop.people.agent, shop.id);
    await page.getByTestId('inbox-filters').waitFor();
    const elsewhere = await signedIn(server.url, shop.people.agent);
    const changed = await elsewhere.post('/api/auth/password', { current: shop.people.agent.password, next: 'a much longer new password' });
    expect(changed.status).to.equal(204);
    await page.getByTestId('sign-in-form').waitFor({ timeout: 10_000 });
    await page.waitForURL(/\/console\/sign-in$/);
  });

  it('leaves a shop the person was removed from for their other shop', async () => {
    const tag = randomBytes(3).toString('hex');
    // Named so that the first one is where the console opens.
    const [left, stays] = [await makeShop(server.database, `0 離れる店 ${tag}`), await makeShop(server.database, `1 残る店 ${tag}`)];
    const person = left.people.agent;
    await insertMembership(server.database.db, stays.id, person.id, 'agent');
    const page = await signInToConsole(await pages.page(browser), server.url, person, left.id);
    await page.getByTestId('inbox-filters').waitFor();
    const owner = await signedIn(server.url, left.people.owner);
    expect((await owner.delete(`/api/shops/${left.id}/members/${person.id}`)).status).to.equal(204);
    await page.waitForURL(new RegExp(`/console/shops/${stays.id}/inbox$`), { timeout: 10_000 });
  });

  it('shows the customer’s address masked, without a reload, once the agent is made a contractor', async () => {
    const shop = await makeShop(server.database);
    const email = `hanako-${randomBytes(3).toString('hex')}@example.jp`;
    const c = await newCustomer(server.url, shop.id, { name: '山田 花子', email });
    const w = widgetClient(server.url, shop.id, c.token);
    sockets.push(w);
    await connected(w);
    const { conversation } = await ask(w, 'conversation:open', {});
    const page = await signInToConsole(await pages.page(browser), server.url, shop.people.agent, shop.id);
    await page.goto(`${server.url}/console/shops/${shop.id}/conversations/${conversation.id}`);
    await page.getByTestId('customer-email').filter({ hasText: email }).waitFor();
    const owner = await signedIn(server.url, shop.people.owner);
    expect((await owner.patch(`/api/shops/${shop.id}/members/${shop.people.agent.id}`, { role: 'contractor' })).status).to.equal(200);
    await page.getByTestId('customer-email').filter({ hasText: '***' }).waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('customer-email').textContent()).to.not.equal(email);
  });
});
