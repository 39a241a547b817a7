import { expect } from 'chai';
import type { Page } from 'playwright-core';
import type { TestServer } from '../helpers/app.ts';
import { ask, cid, waitFor, type AgentSocket } from '../helpers/sockets.ts';
import { tinyPng } from '../integration/attachments/chat.fixtures.ts';
import { customerEmail, joinWhenWritten, openShop as openShopOf, widget, widgetSuite, type ShopSite } from './widget.page.ts';

/**
 * The chat widget on a phone-sized window (390×844, an iPhone's CSS pixels), in a real Chromium
 * against the real app (PGlite, real Redis); the agent is a real Socket.IO client. Needs
 * `npm run build` (both the console and the widget).
 */
describe('chat widget on a phone-sized page', function () {
  this.timeout(40_000);
  const phone = { width: 390, height: 844 };
  const suite = widgetSuite(phone);
  let server: TestServer;
  let site: ShopSite;
  let page: Page;
  let elsewhere: string[];
  before(() => ({ server, site } = suite));
  beforeEach(() => {
    ({ page } = suite);
    elsewhere = [];
    // The icons are drawn inline: the page asks only the shop's site and madoguchi for anything.
    page.on('request', (r) => {
      const url = r.url();
      if (![site.origin, server.url, 'blob:', 'data:'].some((o) => url.startsWith(o))) elsewhere.push(url);
    });
  });
  afterEach(() => {
    expect(elsewhere, 'requests to other hosts').to.deep.equal([]);
  });

  const openShop = () => openShopOf(suite);
  const email = customerEmail;

  /** The customer starts a chat and writes `text`; the agent joins the conversation it opened. */
  async function chatting(agent: AgentSocket, w: ReturnType<typeof widget>, name: string, text: string): Promise<string> {
    await w.fillForm(name, customerEmail());
    return (await joinWhenWritten(agent, name, w, text)).id;
  }

  it('opened, the widget fills the screen, with 16 px inputs, named buttons and inline SVG icons instead of emoji', async () => {
    const { shop } = await openShop();
    await page.goto(site.url(shop.id));
    const w = widget(page);
    const launcher = page.getByRole('button', { name: 'チャットで問い合わせる' });
    await launcher.click();
    await w.panel.waitFor();
    expect(await w.panel.boundingBox()).to.deep.equal({ x: 0, y: 0, width: 390, height: 844 });
    expect(await page.getByRole('button', { name: '閉じる' }).count()).to.equal(1);
    for (const field of ['prechat-name', 'prechat-email', 'prechat-order']) {
      expect(await w.id(field).evaluate((el) => getComputedStyle(el).fontSize), field).to.equal('16px');
    }
    for (const button of [w.launcher, w.id('close')]) {
      expect((await button.innerText()).trim(), 'no text or emoji in an icon button').to.equal('');
      expect(await button.locator('svg[aria-hidden="true"]').count()).to.equal(1);
    }
    await w.fillForm('山田 花子', email());
    expect(await w.composer.evaluate((el) => getComputedStyle(el).fontSize)).to.equal('16px');
    expect(await w.id('attach').locator('svg[aria-hidden="true"]').count()).to.equal(1);
    expect(await w.panel.boundingBox()).to.deep.equal({ x: 0, y: 0, width: 390, height: 844 });

    // In English the buttons are named in English.
    await page.goto(site.url(shop.id, { locale: 'en' }));
    await page.getByRole('button', { name: 'Chat with us' }).click();
    await page.getByRole('button', { name: 'Close' }).click();
    await w.panel.waitFor({ state: 'hidden' });
  });

  it('opening moves focus to the first field, Esc closes and gives focus back to the launcher, and a reopened chat focuses the composer', async () => {
    const { shop } = await openShop();
    await page.goto(site.url(shop.id));
    const w = widget(page);
    await w.open();
    expect(await w.focused('prechat-name')).to.equal(true);
    await page.keyboard.press('Escape');
    await w.panel.waitFor({ state: 'hidden' });
    expect(await w.focused('launcher')).to.equal(true);
    expect(await w.launcher.getAttribute('aria-expanded')).to.equal('false');

    // The keyboard alone: Enter on the focused launcher opens it again.
    await page.keyboard.press('Enter');
    await w.panel.waitFor();
    expect(await w.focused('prechat-name')).to.equal(true);
    await w.fillForm('佐藤 太郎', email());
    await page.keyboard.press('Escape');
    await w.panel.waitFor({ state: 'hidden' });
    expect(await w.focused('launcher')).to.equal(true);
    await w.open();
    expect(await w.focused('composer')).to.equal(true);
  });

  /** Where keyboard focus is: the widget's element's test id (or tag), or 'page' when outside the widget. */
  const focusAt = () =>
    page.evaluate(() => {
      const host = document.querySelector('madoguchi-chat')!;
      if (document.activeElement !== host) return `page:${document.activeElement?.tagName ?? 'none'}`;
      const el = host.shadowRoot!.activeElement as HTMLElement | null;
      return el?.dataset.testid ?? el?.getAttribute('aria-label') ?? el?.tagName ?? 'none';
    });

  it('full screen, the open panel is modal: Tab and Shift+Tab go round inside it and never reach the launcher under it or the shop page', async () => {
    const { shop } = await openShop();
    await page.goto(site.url(shop.id));
    const w = widget(page);
    await w.open();
    expect(await w.panel.getAttribute('aria-modal')).to.equal('true');
    expect(await w.launcher.evaluate((b) => (b as HTMLElement).inert)).to.equal(true);
    // The pre-chat form: from its last control Tab goes to the first (閉じる) and back.
    await w.id('prechat-submit').focus();
    await page.keyboard.press('Tab');
    expect(await focusAt()).to.equal('close');
    await page.keyboard.press('Shift+Tab');
    expect(await focusAt()).to.equal('prechat-submit');

    await w.fillForm('中村 陽子', email());
    await w.id('send').focus();
    await page.keyboard.press('Tab');
    expect(await focusAt()).to.equal('close');
    await page.keyboard.press('Shift+Tab');
    expect(await focusAt()).to.equal('send');
    const seen = new Set<string>();
    for (let n = 0; n < 10; n += 1) {
      await page.keyboard.press(n < 5 ? 'Tab' : 'Shift+Tab');
      seen.add(await focusAt());
    }
    expect([...seen].sort()).to.deep.equal(['attach', 'close', 'composer', 'send']);

    // Closed, the launcher is an ordinary button again and the panel is no longer modal.
    await page.keyboard.press('Escape');
    await w.panel.waitFor({ state: 'hidden' });
    expect(await focusAt()).to.equal('launcher');
    expect(await w.launcher.evaluate((b) => (b as HTMLElement).inert)).to.equal(false);
    expect(await w.panel.getAttribute('aria-modal')).to.equal(null);
  });

  it('on a wide screen the panel floats above its launcher, non-modal: Tab may leave it, onto the launcher that is in sight', async () => {
    const { shop } = await openShop();
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(site.url(shop.id));
    const w = widget(page);
    await w.open();
    await w.fillForm('小林 健', email());
    expect(await w.panel.getAttribute('aria-modal')).to.equal(null);
    expect(await w.launcher.evaluate((b) => (b as HTMLElement).inert)).to.equal(false);
    const panel = (await w.panel.boundingBox())!;
    const launcher = (await w.launcher.boundingBox())!;
    expect(panel.y + panel.height, 'the panel ends above the launcher').to.be.at.most(launcher.y);
    const onTop = await w.launcher.evaluate((b) => {
      const r = b.getBoundingClientRect();
      return (b.getRootNode() as ShadowRoot).elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === b || b.contains((b.getRootNode() as ShadowRoot).elementFromPoint(r.x + r.width / 2, r.y + r.height / 2));
    });
    expect(onTop, 'nothing covers the launcher').to.equal(true);
    await w.id('send').focus();
    await page.keyboard.press('Tab');
    expect(await focusAt()).to.equal('launcher');
  });

  it('an Esc or Enter that Safari sends for an IME conversion (isComposing false, keyCode 229) neither closes the widget nor sends', async () => {
    const { shop } = await openShop();
    await page.goto(site.url(shop.id));
    const w = widget(page);
    await w.open();
    await w.fillForm('加藤 さくら', email());
    await w.composer.fill('へんかんちゅう');
    const imeKey = (key: string) =>
      w.composer.evaluate((el, k) => {
        const e = new KeyboardEvent('keydown', { key: k, bubbles: true, composed: true, cancelable: true });
        Object.defineProperty(e, 'keyCode', { value: 229 });
        el.dispatchEvent(e);
        return e.defaultPrevented;
      }, key);
    // The handlers run during dispatch: what they did is done when dispatchEvent returns.
    expect(await imeKey('Escape'), 'the IME Esc is left alone').to.equal(false);
    expect(await w.panel.isVisible()).to.equal(true);
    expect(await imeKey('Enter'), 'the IME Enter is left alone').to.equal(false);
    expect(await w.composer.inputValue()).to.equal('へんかんちゅう');
    expect(await w.id('message').count()).to.equal(0);
    await page.keyboard.press('Escape');
    await w.panel.waitFor({ state: 'hidden' });
  });

  it('an empty or wrong pre-chat form is answered by the widget next to each field, in the widget\'s language, and starts nothing', async () => {
    const { shop } = await openShop();
    await page.goto(site.url(shop.id));
    const w = widget(page);
    await w.open();
    expect(await w.id('prechat').evaluate((f) => (f as HTMLFormElement).noValidate)).to.equal(true);
    await w.id('prechat-submit').click();
    await w.id('prechat-name-error').filter({ hasText: 'お名前を入力してください。' }).waitFor();
    expect(await w.id('prechat-email-error').innerText()).to.equal('メールアドレスを入力してください。');
    expect(await w.id('prechat-order-error').isVisible()).to.equal(false);
    // Each message is the field's description, the field marked invalid, and focus on the first.
    for (const f of ['prechat-name', 'prechat-email']) {
      const describedBy = await w.id(f).getAttribute('aria-describedby');
      expect(await w.id(`${f}-error`).getAttribute('id')).to.equal(describedBy);
      expect(await w.id(f).getAttribute('aria-invalid')).to.equal('true');
    }
    expect(await w.focused('prechat-name')).to.equal(true);

    await w.id('prechat-name').fill('山田 花子');
    expect(await w.id('prechat-name-error').isVisible(), 'typing clears the field\'s message').to.equal(false);
    await w.id('prechat-email').fill('hanako');
    await w.id('prechat-order').fill('A 1001');
    await w.id('prechat-submit').click();
    await w.id('prechat-email-error').filter({ hasText: 'メールアドレスをご確認ください（例: hanako@example.jp）。' }).waitFor();
    expect(await w.id('prechat-order-error').innerText()).to.equal('ご注文番号をご確認ください（英数字と - # / . _ のみ）。');
    expect(await w.focused('prechat-email')).to.equal(true);
    expect(await w.saved(shop.id), 'no session was started').to.equal(null);

    await page.goto(site.url(shop.id, { locale: 'en' }));
    await w.open();
    await w.id('prechat-submit').click();
    await w.id('prechat-name-error').filter({ hasText: 'Please enter your name.' }).waitFor();
    expect(await w.id('prechat-email-error').innerText()).to.equal('Please enter your email address.');
  });

  it('the newest message is in view: as messages come, when reopened after more came, and after a photo loads', async () => {
    const { shop, agent } = await openShop();
    await page.goto(site.url(shop.id));
    const w = widget(page);
    await w.open();
    const conversationId = await chatting(agent, w, '伊藤 美咲', '配送について教えてください');
    const say = (body: string) => ask(agent, 'message:send', { conversationId, clientId: cid(), body });
    const long = (n: number) => `お返事 ${n}\n${'ご確認ありがとうございます。'.repeat(6)}`;
    for (let n = 1; n <= 8; n += 1) await say(long(n));
    await w.stored(long(8)).waitFor();
    const overflowing = await w.id('messages').evaluate((el) => el.parentElement!.scrollHeight > el.parentElement!.clientHeight * 1.5);
    expect(overflowing, 'enough messages to scroll').to.equal(true);
    expect(await w.inView(w.stored(long(8)))).to.equal(true);
    expect(await w.inView(w.stored(long(1)))).to.equal(false);

    await page.keyboard.press('Escape');
    await w.panel.waitFor({ state: 'hidden' });
    for (let n = 9; n <= 12; n += 1) await say(long(n));
    await w.open();
    await w.stored(long(12)).waitFor();
    expect(await w.inView(w.stored(long(12)))).to.equal(true);

    // A photo grows its message once loaded: the list follows it to the end.
    await w.id('file-input').setInputFiles({ name: 'box.png', mimeType: 'image/png', buffer: tinyPng(200, 160) });
    await w.id('attachment-chip').filter({ hasText: 'box.png' }).waitFor();
    await w.send('箱の写真です');
    const photo = w.stored('箱の写真です').locator('img[alt="box.png"]');
    await photo.waitFor();
    await photo.evaluate((img: HTMLImageElement) => img.decode());
    await page.waitForFunction(() => {
      const root = document.querySelector('madoguchi-chat')!.shadowRoot!;
      const rows = root.querySelectorAll('[data-testid="message"]');
      const last = rows[rows.length - 1]!.getBoundingClientRect();
      const area = root.querySelector('.body')!.getBoundingClientRect();
      return last.height > 100 && last.bottom <= area.bottom + 1;
    });
  });

  it('scrolled up to read earlier messages, the customer stays there when an agent message comes (a 新しいメッセージ button takes them down); at the end, the list follows', async () => {
    const { shop, agent } = await openShop();
    await page.goto(site.url(shop.id));
    const w = widget(page);
    await w.open();
    const conversationId = await chatting(agent, w, '松本 大輔', '返品できますか');
    const say = (body: string) => ask(agent, 'message:send', { conversationId, clientId: cid(), body });
    const long = (n: number) => `ご案内 ${n}\n${'返品は商品到着後 7 日以内に承ります。'.repeat(6)}`;
    for (let n = 1; n <= 8; n += 1) await say(long(n));
    await w.stored(long(8)).waitFor();
    /** Scrolls the message area to the top and waits for its scroll event (which the list listens to). */
    const scrollToTop = () =>
      w.id('messages').evaluate(
        (list) =>
          new Promise<number>((resolve) => {
            const area = list.parentElement!;
            area.addEventListener('scroll', () => resolve(area.scrollTop), { once: true });
            area.scrollTop = 0;
          }),
      );
    const scrollTop = () => w.id('messages').evaluate((list) => list.parentElement!.scrollTop);
    // Scrolling past either end of the messages does not scroll the shop's page behind.
    expect(await w.id('messages').evaluate((list) => getComputedStyle(list.parentElement!).overscrollBehaviorY)).to.equal('contain');

    expect(await scrollToTop()).to.equal(0);
    await say(long(9));
    await w.stored(long(9)).waitFor();
    expect(await scrollTop(), 'the list stayed where the customer is reading').to.equal(0);
    expect(await w.inView(w.stored(long(1)))).to.equal(true);
    expect(await w.inView(w.stored(long(9)))).to.equal(false);
    // Instead a small button says something new came, and takes the customer down to it.
    const newer = page.getByRole('button', { name: '新しいメッセージ ↓' });
    await newer.click();
    expect(await w.inView(w.stored(long(9)))).to.equal(true);
    expect(await newer.isVisible()).to.equal(false);
    expect(await w.focused('composer')).to.equal(true);

    await say(long(10));
    await w.stored(long(10)).waitFor();
    expect(await w.inView(w.stored(long(10))), 'at the end, the list follows').to.equal(true);
    expect(await newer.isVisible()).to.equal(false);

    // What the customer sends is followed even from higher up.
    await scrollToTop();
    await w.send('承知しました');
    await w.stored('承知しました').waitFor();
    expect(await w.inView(w.stored('承知しました'))).to.equal(true);
  });
});
