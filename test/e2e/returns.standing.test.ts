import { expect } from 'chai';
import type { Browser, Locator, Page } from 'playwright-core';
import type { TestServer } from '../helpers/app.ts';
import { consoleSuite, signInToConsole } from '../helpers/browser.ts';
import { anOrder, type TestPerson } from '../fixtures/builders.ts';
import { filed, openDesk, publish, pushOrder, someTerms, type Desk } from '../integration/returns/returns.helpers.ts';

/**
 * A return is judged on the order as it was filed, and a request that stands once made
 * (statutory, or the shop's fault) is canceled by the shop only as a record of the customer's
 * own withdrawal: both as the shop's people see them in the console, in a real Chromium
 * against the real app (PGlite, real Redis, the SMTP sink).
 */

const textOf = async (locator: Locator) => (await locator.textContent())?.replace(/\s+/g, ' ').trim() ?? '';
const HOUR = 3_600_000;
/** As the console shows a time: Asia/Tokyo, medium date, short time. */
const tokyo = (iso: string, locale: 'ja-JP' | 'en-US') => new Date(iso).toLocaleString(locale, { timeZone: 'Asia/Tokyo', dateStyle: 'medium', timeStyle: 'short' });
/** A Tokyo wall-clock time as a datetime-local input takes it ("2026-12-08T21:30"). */
const tokyoLocal = (ms: number) => new Date(ms + 9 * HOUR).toISOString().slice(0, 16);

describe('returns in the browser: a withdrawal the shop records, a filed line the order no longer has', function () {
  this.timeout(60_000);

  let server: TestServer;
  let browser: Browser;
  const suite = consoleSuite<{ disconnect(): unknown }>();
  const { pages } = suite;

  before(() => {
    ({ server, browser } = suite);
  });

  const consoleAs = async (d: Desk, who: TestPerson): Promise<Page> => signInToConsole(await pages.page(browser), server.url, who, d.shop.id);
  const detailUrl = (d: Desk, id: string) => `${server.url}/console/shops/${d.shop.id}/returns/${id}`;

  it('an agent cancels a defect claim only by recording when and how the customer’s own withdrawal came, with a note; the page shows it recorded', async () => {
    const d = await openDesk(server);
    await publish(d, someTerms({ autoApprove: { enabled: false, maxAmount: 0 } }));
    // Delivered yesterday, after these terms were published.
    const order = await pushOrder(d, { orderedAt: new Date(Date.now() - 30 * HOUR).toISOString(), shippedAt: new Date(Date.now() - 28 * HOUR).toISOString(), deliveredAt: new Date(Date.now() - 24 * HOUR).toISOString() });
    // The claim came by phone two hours ago; the customer called back an hour later to withdraw it.
    const claim = await filed(d.owner, d.shop.id, { orderNumber: order.number, reason: 'defective', noticeReceivedAt: new Date(Date.now() - 2 * HOUR).toISOString(), noticeChannel: 'phone' });
    expect(claim).to.include({ cancelRecordsWithdrawal: true });
    const status = claim.status as string;

    const agent = await consoleAs(d, d.shop.people.agent);
    await agent.goto(detailUrl(d, claim.id));
    await agent.locator(`[data-testid="return-detail"][data-status="${status}"]`).waitFor();
    await agent.getByTestId('move-cancel').click();

    // Not "are you sure?": the form says the request stands and asks when and how the withdrawal came, and what was said.
    const form = agent.getByTestId('withdrawal-form');
    await form.waitFor();
    expect(await agent.getByTestId('cancel-form').count(), 'no plain cancel').to.equal(0);
    expect(await textOf(form)).to.contain('当店の判断では取り消せません').and.contain('お客様ご本人から取り消しのご連絡があった場合に限り');
    expect(await form.getByLabel('お客様の取り消しのご連絡が届いた日時（日本時間・必須）').count()).to.equal(1);
    expect(await form.getByLabel('ご連絡の方法（必須）').count()).to.equal(1);
    expect(await form.getByLabel('ご連絡の内容（必須）').count()).to.equal(1);
    const submit = form.getByTestId('move-submit');
    expect(await submit.isDisabled(), 'nothing to record yet').to.equal(true);

    const withdrawnAt = tokyoLocal(Date.now() - HOUR);
    await form.getByTestId('withdrawal-at').fill(withdrawnAt);
    await form.getByTestId('withdrawal-channel').selectOption('phone');
    expect(await submit.isDisabled(), 'a note is required').to.equal(true);
    const note = 'お客様より電話で、自分で直せたので取り消したいとのこと';
    await form.getByTestId('withdrawal-note').fill(note);
    expect(await submit.isDisabled()).to.equal(false);
    expect(await textOf(submit)).to.equal('取り消す');
    await submit.click();

    // Canceled, with the withdrawal it records: when and how it reached the shop, and what the customer said.
    await agent.locator('[data-testid="return-detail"][data-status="canceled"]').waitFor();
    expect(await textOf(agent.locator('header').getByTestId('return-status'))).to.equal('取り消し');
    expect(await textOf(agent.getByTestId('action-done'))).to.contain('取り消す');
    expect(await agent.getByTestId('withdrawal-form').count()).to.equal(0);
    const receivedAt = new Date(`${withdrawnAt}:00+09:00`).toISOString();
    const fact = agent.getByTestId('fact-withdrawal');
    expect(await textOf(fact.locator('dt'))).to.equal('お客様の取り消しのご連絡が届いた日時');
    expect(await textOf(fact.locator('dd'))).to.equal(`${tokyo(receivedAt, 'ja-JP')}（電話）`);
    const cancelRow = agent.locator('[data-testid="history-row"][data-event="cancel"]');
    expect(await textOf(cancelRow)).to.contain(note).and.contain(d.shop.people.agent.name);

    const after = await d.owner.get(`/api/shops/${d.shop.id}/returns/${claim.id}`);
    expect(after.body).to.include({ status: 'canceled', withdrawalReceivedAt: receivedAt, withdrawalChannel: 'phone' });

    // In English, the same record.
    await Promise.all([
      agent.waitForResponse((r) => r.url().endsWith('/api/auth/me') && r.status() === 200),
      agent.getByTestId('language-toggle').getByRole('button', { name: 'English' }).click(),
    ]);
    await agent.getByRole('heading', { level: 1, name: `Return R-${claim.number}` }).waitFor();
    expect(await textOf(fact.locator('dt'))).to.equal('The customer’s withdrawal reached the shop');
    expect(await textOf(fact.locator('dd'))).to.equal(`${tokyo(receivedAt, 'en-US')} (phone)`);
  });

  it('an agent rejects a defect claim only with a reason the customer is told, which the form asks for and the customer is mailed', async () => {
    const d = await openDesk(server);
    await publish(d, someTerms({ autoApprove: { enabled: false, maxAmount: 0 } }));
    const order = await pushOrder(d, { orderedAt: new Date(Date.now() - 30 * HOUR).toISOString(), shippedAt: new Date(Date.now() - 28 * HOUR).toISOString(), deliveredAt: new Date(Date.now() - 24 * HOUR).toISOString() });
    const claim = await filed(d.owner, d.shop.id, { orderNumber: order.number, reason: 'defective' });
    expect(claim).to.include({ status: 'needs_review', rejectNeedsReason: true });

    const agent = await consoleAs(d, d.shop.people.agent);
    await agent.goto(detailUrl(d, claim.id));
    await agent.locator('[data-testid="return-detail"][data-status="needs_review"]').waitFor();
    await agent.getByTestId('move-reject').click();
    const form = agent.getByTestId('reject-form');
    await form.waitFor();
    expect(await textOf(form)).to.contain('理由が必要です').and.contain('そのままメールでお客様にお伝えします');
    await agent.getByTestId('reject-code').selectOption('other');
    const submit = form.getByTestId('move-submit');
    expect(await submit.isDisabled(), 'no reason for the customer yet').to.equal(true);
    const reason = 'お送りいただいた写真では、破損が確認できませんでした';
    await form.getByLabel('お客様にお伝えする理由（必須）').fill(reason);
    expect(await submit.isDisabled()).to.equal(false);
    await submit.click();

    await agent.locator('[data-testid="return-detail"][data-status="rejected"]').waitFor();
    const mail = await server.smtp.waitFor((m) => m.to.includes(order.email) && m.text.includes(reason));
    expect(mail.text).to.include(`理由: ${reason}`).and.not.include('担当者の判断により');
  });

  it('a statutory return whose filed line the platform later pushed the order without marks that line as no longer on the order, and keeps its refund', async () => {
    // No terms: the statutory cancellation (特定商取引法), 8 days from delivery.
    const d = await openDesk(server);
    const at = new Date().toISOString();
    const order = await pushOrder(d, { orderedAt: at, shippedAt: at, deliveredAt: at });
    // Both lines: mugs (line 1) and cookies (line 2).
    const r = await filed(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 1, quantity: 1 }, { lineNo: 2, quantity: 1 }] });
    expect(r.legalBasis).to.equal('statutory');
    expect(r.items.map((i: { removedFromOrder: boolean }) => i.removedFromOrder)).to.deep.equal([false, false]);

    // The platform pushes the same order again without the cookies.
    const again = anOrder({ orderedAt: at, shippedAt: at, deliveredAt: at, customer: { ...anOrder().customer, email: order.email }, lines: [anOrder().lines[0]!] });
    const put = await d.platform.put(`/api/shops/${d.shop.id}/orders/${order.number}`, again);
    expect(put.status, put.text).to.equal(200);

    const agent = await consoleAs(d, d.shop.people.agent);
    await agent.goto(detailUrl(d, r.id));
    await agent.locator(`[data-testid="return-detail"][data-status="${r.status as string}"]`).waitFor();
    const mugs = agent.locator('[data-testid="return-item"][data-line="1"]');
    const cookies = agent.locator('[data-testid="return-item"][data-line="2"]');
    // The line is still there as filed, marked; the line still on the order is not.
    expect(await textOf(cookies.locator('th'))).to.equal('クッキー 注文から削除済み');
    expect(await textOf(cookies.getByTestId('item-quantity'))).to.equal('1');
    expect(await cookies.getAttribute('data-removed')).to.equal('true');
    expect(await mugs.getByTestId('item-removed').count()).to.equal(0);
    expect(await mugs.getAttribute('data-removed')).to.equal('false');
    expect(await textOf(agent.getByTestId('items-removed-hint'))).to.contain('「注文から削除済み」の商品は').and.contain('お申し込み時の注文内容のまま');
    // The order's own change panel agrees, and the refund is the one filed.
    expect(await textOf(agent.getByTestId('order-changed'))).to.contain('2行目: クッキー（¥864 × 1） → なし');
    const view = (await d.owner.get(`/api/shops/${d.shop.id}/returns/${r.id}`)).body;
    expect(view.refundTotal).to.equal(r.refundTotal);
    expect(view.items.map((i: { removedFromOrder: boolean }) => i.removedFromOrder)).to.deep.equal([false, true]);
    expect(await textOf(agent.getByTestId('refund-total').locator('td'))).to.equal(`¥${(r.refundTotal as number).toLocaleString('ja-JP')}`);

    await Promise.all([
      agent.waitForResponse((x) => x.url().endsWith('/api/auth/me') && x.status() === 200),
      agent.getByTestId('language-toggle').getByRole('button', { name: 'English' }).click(),
    ]);
    await agent.getByRole('heading', { level: 1, name: `Return R-${r.number}` }).waitFor();
    expect(await textOf(cookies.getByTestId('item-removed'))).to.equal('No longer on the order');
    expect(await textOf(agent.getByTestId('items-removed-hint'))).to.contain('are missing from the order the shop’s system sent after the return was filed');
  });
});
