import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { insertMembership } from '../../server/domains/shops/shops.repository.ts';
import { makeShop, type TestPerson, type TestShop } from '../fixtures/builders.ts';
import { newCustomer } from '../fixtures/chat.ts';
import type { TestServer } from '../helpers/app.ts';
import { consoleSuite, signInToConsole } from '../helpers/browser.ts';
import { ask, cid, connected, widgetClient, type WidgetSocket } from '../helpers/sockets.ts';

/**
 * The inbox over several shops in a real Chromium against the real app (PGlite, real Redis):
 * a person who is agent in one shop and contractor in another works both from one queue.
 */
describe('the inbox over all of a person’s shops in the agent console', function () {
  this.timeout(60_000);

  let server: TestServer;
  let browser: Browser;
  let shopA: TestShop;
  let shopB: TestShop;
  let person: TestPerson;
  const suite = consoleSuite<WidgetSocket>();
  const { pages, sockets } = suite;

  before(async () => {
    ({ server, browser } = suite);
    const tag = cid().slice(0, 6);
    // Named so that A sorts first: it is the shop the console opens after sign-in.
    shopA = await makeShop(server.database, `A 青葉商店 ${tag}`);
    shopB = await makeShop(server.database, `B 桜商店 ${tag}`);
    person = shopA.people.agent;
    await insertMembership(server.database.db, shopB.id, person.id, 'contractor');
  });

  async function signInPage(who: TestPerson): Promise<Page> {
    return signInToConsole(await pages.page(browser), server.url, who, shopA.id);
  }

  /** A customer on one shop's page with an open conversation and a first message. */
  async function customerSays(shop: TestShop, name: string, body: string) {
    const c = await newCustomer(server.url, shop.id, { name, email: `${cid().slice(0, 8)}@example.jp` });
    const w = widgetClient(server.url, shop.id, c.token);
    sockets.push(w);
    await connected(w);
    const opened = await ask(w, 'conversation:open', {});
    expect(opened.ok, JSON.stringify(opened)).to.equal(true);
    const conversationId = opened.conversation.id as string;
    const sent = await ask(w, 'message:send', { conversationId, clientId: cid(), body });
    expect(sent.ok, JSON.stringify(sent)).to.equal(true);
    return { w, conversationId };
  }

  it('shows both shops under "all shops", a new message in either arrives live, and one shop shows only its own', async () => {
    const a = await customerSays(shopA, '青葉 一郎', '商品が届きません');
    const b = await customerSays(shopB, '桜 花子', 'サイズを交換したいです');
    const page = await signInPage(person);

    const shopChoice = page.getByTestId('filter-shop');
    await shopChoice.waitFor();
    expect(await shopChoice.locator('option').allTextContents()).to.deep.equal(['すべてのショップ', shopA.name, shopB.name]);
    await shopChoice.selectOption({ label: 'すべてのショップ' });
    await page.waitForURL(/\/console\/inbox$/);

    const rows = page.getByTestId('inbox-row');
    const rowA = rows.filter({ hasText: '青葉 一郎' });
    const rowB = rows.filter({ hasText: '桜 花子' });
    await rowA.waitFor();
    await rowB.waitFor();
    expect(await rowA.getByTestId('inbox-shop').textContent()).to.equal(shopA.name);
    expect(await rowB.getByTestId('inbox-shop').textContent()).to.equal(shopB.name);
    // The header keeps the shop that was open; the page is every shop's queue.
    expect(await page.title()).to.contain('すべてのショップ');

    // Live: a customer writing in the shop that is not the open one (its own socket), then in the open one.
    const fresh = 'ギフト包装はできますか';
    await customerSays(shopB, '桜 次郎', fresh);
    const rowC = rows.filter({ hasText: '桜 次郎' });
    await rowC.filter({ hasText: fresh }).waitFor({ timeout: 10_000 });
    expect(await rowC.getByTestId('inbox-shop').textContent()).to.equal(shopB.name);
    expect(await rows.first().textContent(), 'newest activity first').to.contain('桜 次郎');
    await customerSays(shopA, '青葉 三郎', '至急お願いします');
    const rowD = rows.filter({ hasText: '青葉 三郎' });
    await rowD.filter({ hasText: '至急お願いします' }).waitFor({ timeout: 10_000 });
    expect(await rowD.getByTestId('inbox-shop').textContent()).to.equal(shopA.name);
    expect(await rows.first().textContent()).to.contain('青葉 三郎');
    // A follow-up in the oldest conversation moves its row to the top with the new text.
    const followUp = 'まだ届いていません';
    expect((await ask(a.w, 'message:send', { conversationId: a.conversationId, clientId: cid(), body: followUp })).ok).to.equal(true);
    await rowA.filter({ hasText: followUp }).waitFor({ timeout: 10_000 });
    expect(await rows.first().textContent(), 'the follow-up is the newest activity').to.contain('青葉 一郎');

    // One shop: its own inbox route, only its conversations.
    await shopChoice.selectOption({ label: shopB.name });
    await page.waitForURL(new RegExp(`/console/shops/${shopB.id}/inbox$`));
    await rowB.waitFor();
    await rowC.waitFor();
    expect(await rowA.count()).to.equal(0);
    expect(await rowD.count()).to.equal(0);
    expect(await rows.count()).to.equal(2);
    expect(await page.getByTestId('inbox-shop').count(), 'no shop badges in one shop’s inbox').to.equal(0);

    // Back to all, and a row opens in its own shop.
    await page.getByTestId('filter-shop').selectOption({ label: 'すべてのショップ' });
    await page.waitForURL(/\/console\/inbox$/);
    await rowB.getByRole('link').click();
    await page.waitForURL(new RegExp(`/console/shops/${shopB.id}/conversations/${b.conversationId}$`));
    await page.getByTestId('message').filter({ hasText: 'サイズを交換したいです' }).waitFor();
  });
});
