import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { makeShop, signedIn, type TestShop } from '../fixtures/builders.ts';
import { newCustomer } from '../fixtures/chat.ts';
import { consoleSuite, signInToConsole } from '../helpers/browser.ts';
import { ask, cid, connected, widgetClient, type WidgetSocket } from '../helpers/sockets.ts';

/**
 * Canned replies typed as their shortcut in the console's composer (real Chromium, the real
 * app on PGlite, the customer a real widget socket): however the agent sends (Enter, the send
 * button), a lone `/shortcut` becomes its reply filled in for this customer, for review, and
 * "/shortcut" never reaches the customer.
 */
describe('canned-reply shortcuts in the console composer', function () {
  this.timeout(60_000);

  const suite = consoleSuite<WidgetSocket>();
  let shop: TestShop;

  before(async () => {
    shop = await makeShop(suite.server.database);
  });

  /** Canned replies made by the owner, by shortcut. */
  async function cannedReplies(replies: Array<[shortcut: string, bodyJa: string]>) {
    const owner = await signedIn(suite.server.url, shop.people.owner);
    for (const [shortcut, bodyJa] of replies) {
      const made = await owner.post(`/api/shops/${shop.id}/canned-replies`, { shortcut, title: shortcut, bodyJa });
      expect(made.status, made.text).to.equal(201);
    }
  }

  /** A customer with a message in an open conversation, the agent's page on it, and what the customer receives. */
  async function conversationWith(name: string, email: string) {
    const server = suite.server;
    const c = await newCustomer(server.url, shop.id, { name, email });
    const w = widgetClient(server.url, shop.id, c.token);
    suite.sockets.push(w);
    await connected(w);
    const opened = await ask(w, 'conversation:open', {});
    const conversationId = opened.conversation.id as string;
    await ask(w, 'message:send', { conversationId, clientId: cid(), body: 'ありがとうございました' });
    const received: string[] = [];
    w.on('message', (m) => received.push(m.body));
    const page = await signInToConsole(await suite.pages.page(suite.browser), server.url, shop.people.agent, shop.id);
    await page.goto(`${server.url}/console/shops/${shop.id}/conversations/${conversationId}`);
    await page.getByTestId('message').filter({ hasText: 'ありがとうございました' }).waitFor();
    await page.keyboard.press('r');
    return { w, conversationId, page, received };
  }

  const composerHas = (page: Page, part: string) =>
    page.waitForFunction((p) => (document.querySelector('[data-testid="composer-input"]') as HTMLTextAreaElement | null)?.value.includes(p), part);

  /** Nothing starting with "/" was stored or reached the customer. */
  async function noShortcutSent(w: WidgetSocket, conversationId: string, received: string[]) {
    const stored = await ask(w, 'sync', { conversationId, afterSeq: 0 });
    expect(stored.messages.map((m: { body: string }) => m.body).filter((b: string) => b.startsWith('/'))).to.deep.equal([]);
    expect(received.filter((b) => b.startsWith('/'))).to.deep.equal([]);
  }

  it('a canned reply typed as its shortcut and Enter is filled in for this customer, never sent as "/shortcut"', async () => {
    const n = Date.now() % 100000;
    const exact = `thanks${n}`;
    await cannedReplies([[exact, '{{customer.name}}様、ありがとうございます。'], [`${exact}x`, '別の定型文'], [`sorry${n}`, '{{customer.name}}様、申し訳ございません。']]);
    const { w, conversationId, page, received } = await conversationWith('渡辺 四郎', 'shiro@example.jp');
    const input = page.getByTestId('composer-input');

    // The exact shortcut (another one starts with it too), typed as a person types it.
    await input.pressSequentially(`/${exact}`);
    await page.keyboard.press('Enter');
    await composerHas(page, '様');
    expect(await input.inputValue()).to.equal('渡辺 四郎様、ありがとうございます。');
    expect(await page.getByTestId('canned-picker').count(), 'the picker closes').to.equal(0);

    // The only shortcut that begins so, pasted in one go: the same.
    await input.fill(`/sorry${n}`.slice(0, -2));
    await page.keyboard.press('Enter');
    await composerHas(page, '申し訳');
    expect(await input.inputValue()).to.equal('渡辺 四郎様、申し訳ございません。');

    // Back in the reply box with the picker closed, as the agent who reported it was: the same.
    await input.fill(`/${exact}`);
    await page.keyboard.press('Escape');
    await input.click();
    await page.keyboard.press('Enter');
    await composerHas(page, '様');
    expect(await input.inputValue()).to.equal('渡辺 四郎様、ありがとうございます。');

    // Several fit: Enter sends nothing and leaves the choice to the picker.
    await input.fill('/thanks');
    await page.keyboard.press('Escape');
    await input.click();
    await page.keyboard.press('Enter');
    await page.getByTestId('canned-picker').getByTestId('canned-item').first().waitFor();
    expect(await page.getByTestId('message-outgoing').count()).to.equal(0);
    expect(await input.inputValue()).to.equal('/thanks');

    // Nothing of it went to the customer until the agent sends the filled-in text.
    await page.keyboard.press('Escape');
    await input.fill('渡辺 四郎様、ありがとうございます。');
    await page.getByTestId('composer-send').click();
    await page.getByTestId('message').filter({ hasText: '渡辺 四郎様、ありがとうございます。' }).waitFor();
    await noShortcutSent(w, conversationId, received);
  });

  it('a shortcut sent with the send button is filled in for this customer the same way, never sent as "/shortcut"', async () => {
    const n = Date.now() % 100000;
    const exact = `thanks${n}`;
    await cannedReplies([[exact, '{{customer.name}}様、ありがとうございます。'], [`${exact}x`, '別の定型文']]);
    const { w, conversationId, page, received } = await conversationWith('中村 五郎', 'goro@example.jp');
    const input = page.getByTestId('composer-input');
    const send = page.getByTestId('composer-send');

    // Typed as a person types it (the picker opens at `/` and the rest goes into its search), then the send button.
    await input.pressSequentially(`/${exact}`);
    await send.click();
    await composerHas(page, '様');
    expect(await input.inputValue()).to.equal('中村 五郎様、ありがとうございます。');
    expect(await page.getByTestId('canned-picker').count(), 'the picker closes').to.equal(0);
    expect(await page.getByTestId('message-outgoing').count(), 'nothing was sent').to.equal(0);

    // The whole shortcut in the reply box, the picker open: the same.
    await input.fill(`/${exact}`);
    await send.click();
    await composerHas(page, '様');
    expect(await input.inputValue()).to.equal('中村 五郎様、ありがとうございます。');

    // With the picker closed, and with spaces around it: the same.
    await input.fill(`  /${exact} `);
    await page.keyboard.press('Escape');
    await send.click();
    await composerHas(page, '様');
    expect(await input.inputValue()).to.equal('中村 五郎様、ありがとうございます。');

    // Several fit: the send button sends nothing and leaves the choice to the picker.
    await input.fill('/thanks');
    await page.keyboard.press('Escape');
    await send.click();
    await page.getByTestId('canned-picker').getByTestId('canned-item').first().waitFor();
    expect(await page.getByTestId('message-outgoing').count()).to.equal(0);
    expect(await input.inputValue()).to.equal('/thanks');

    // The reviewed text goes out with the button as any reply does.
    await page.keyboard.press('Escape');
    await input.fill('中村 五郎様、ありがとうございます。');
    await send.click();
    await page.getByTestId('message').filter({ hasText: '中村 五郎様、ありがとうございます。' }).waitFor();
    await noShortcutSent(w, conversationId, received);
  });
});
