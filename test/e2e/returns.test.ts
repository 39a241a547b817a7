import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import type { Browser, Locator, Page } from 'playwright-core';
import type { TestServer } from '../helpers/app.ts';
import { consoleSuite, signInToConsole } from '../helpers/browser.ts';
import { anOrder, type TestPerson } from '../fixtures/builders.ts';
import { filed, openDesk, publish, pushOrder, someTerms, type Desk, type PushedOrder } from '../integration/returns/returns.helpers.ts';

/**
 * Returns from both sides in a real Chromium against the real app (PGlite, real Redis, the
 * SMTP sink): a customer files on the server-rendered portal (no script needed), and the
 * shop's people work the request, the terms and the reasons report in the console. Each test
 * opens a desk of its own, so every list and count is exact.
 */

const textOf = async (locator: Locator) => (await locator.textContent())?.replace(/\s+/g, ' ').trim() ?? '';

/** A real 1×1 PNG. */
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/** What the customer enters on the portal beyond one mug returned for its size. */
interface PortalAsk {
  reason?: 'size' | 'defective';
  comment?: string;
  /** Chosen through the review page's file input. */
  photos?: Array<{ name: string; mimeType: string; buffer: Buffer }>;
  /** The refund account the review page asks a COD or transfer customer for. */
  bank?: { bankName: string; branchName: string; accountType: 'ordinary' | 'current'; accountNumber: string; holderKana: string };
  /** The refund the review page shows (checked when given). */
  refund?: string;
}

describe('returns in the browser: the portal and the console', function () {
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

  /** The customer's side, as a person clicks through it: order number and email, the mailed code, the items, the review, the request. */
  async function fileOnPortal(d: Desk, order: PushedOrder, ask: PortalAsk = {}): Promise<{ number: number; id: string }> {
    const page = await pages.page(browser);
    await page.goto(`${server.url}/returns/${d.shop.id}`);
    await page.locator('input[name="orderNumber"]').fill(order.number);
    await page.locator('input[name="contact"]').fill(order.email);
    await page.getByRole('button', { name: /確認コードを送る/ }).click();
    await page.waitForURL(/\/verify\?c=/);

    const mail = await server.smtp.waitFor((m) => m.to.includes(order.email) && m.subject.includes('確認コード'));
    const code = /^\s+(\d{6})$/m.exec(mail.text)?.[1];
    expect(code, mail.text).to.match(/^\d{6}$/);
    await page.locator('input[name="code"]').fill(code!);
    await page.getByRole('button', { name: /確認する/ }).click();
    await page.waitForURL(new RegExp(`/returns/${d.shop.id}/order$`));

    await page.locator('input[name="qty_1"]').fill('1');
    await page.locator('select[name="reason"]').selectOption(ask.reason ?? 'size');
    if (ask.comment) await page.locator('textarea[name="comment"]').fill(ask.comment);
    await page.getByRole('button', { name: /内容を確認する/ }).click();
    const review = await textOf(page.locator('body'));
    if (ask.refund) expect(review).to.contain('返金額').and.contain(ask.refund);
    if (ask.bank) {
      for (const [field, value] of Object.entries(ask.bank)) {
        if (field === 'accountType') await page.locator('select[name="accountType"]').selectOption(value);
        else await page.locator(`input[name="${field}"]`).fill(value);
      }
    }
    if (ask.photos) await page.locator('input[type="file"][name="photos"]').setInputFiles(ask.photos);

    await page.getByRole('button', { name: /この内容で申し込む/ }).click();
    await page.waitForURL(/\/requests\/[0-9a-f-]+/);
    const filedPage = await textOf(page.locator('h2').first());
    expect(filedPage).to.match(/R-\d+/).and.contain('確認中');
    return { number: Number(/R-(\d+)/.exec(filedPage)![1]), id: /\/requests\/([0-9a-f-]{36})/.exec(page.url())![1]! };
  }

  it('a customer files on the portal; a contractor cannot approve it above the agents’ limit; the owner approves it in the console', async () => {
    const d = await openDesk(server);
    // Every request is reviewed, and one mug (¥2,750) is above what agents may approve (¥2,000).
    await publish(d, someTerms({ autoApprove: { enabled: false, maxAmount: 0 }, agentRefundLimit: 2000 }));
    const order = await pushOrder(d);
    // One mug of ¥2,750, paid by card, a partial return: nothing is deducted.
    const { number } = await fileOnPortal(d, order, { refund: '¥2,750' });

    // The owner finds it at the top of the list of what needs action.
    const owner = await consoleAs(d, d.shop.people.owner);
    await owner.getByTestId('nav-returns').click();
    await owner.waitForURL(new RegExp(`/console/shops/${d.shop.id}/returns$`));
    expect(await owner.getByTestId('nav-returns').getAttribute('aria-current')).to.equal('page');
    const row = owner.locator(`[data-testid="return-row"][data-number="${number}"]`);
    await row.waitFor();
    expect(await textOf(row.getByTestId('return-link'))).to.equal(`R-${number}`);
    expect(await textOf(row.getByTestId('return-order'))).to.equal(order.number);
    expect(await textOf(row.getByTestId('return-customer'))).to.equal('田中 太郎');
    expect(await textOf(row)).to.contain('サイズが合わない').and.contain('ショップの返品特約');
    expect(await textOf(row.getByTestId('return-status'))).to.equal('要確認');
    expect(await textOf(row.getByTestId('return-refund'))).to.equal('¥2,750');
    expect(await row.getByTestId('flag-over-limit').count(), 'above the agents’ limit').to.equal(1);

    await row.getByTestId('return-link').click();
    await owner.waitForURL(/\/returns\/[0-9a-f-]{36}$/);
    const returnId = owner.url().split('/').pop()!;
    const detail = owner.locator('[data-testid="return-detail"][data-status="needs_review"]');
    await detail.waitFor();
    expect(await textOf(owner.getByTestId('return-title'))).to.equal(`返品 R-${number}`);
    expect(await textOf(owner.getByTestId('fact-order'))).to.contain(order.number);
    expect(await textOf(owner.getByTestId('fact-reason'))).to.contain('サイズが合わない');
    // The items, the policy check with its words, the legal basis, every line of the money.
    expect(await owner.getByTestId('return-item').count()).to.equal(1);
    expect(await textOf(owner.getByTestId('return-item').getByTestId('item-quantity'))).to.equal('1');
    expect(await textOf(owner.getByTestId('legal-basis'))).to.contain('ショップの返品特約');
    const window = owner.locator('[data-testid="policy-check"][data-rule="window"]');
    expect(await window.getAttribute('data-ok')).to.equal('true');
    expect(await textOf(window)).to.contain('✓').and.contain('14日間の期間内');
    expect(await textOf(owner.getByTestId('review-reasons'))).to.contain('自動承認を使っていない');
    expect(await textOf(owner.getByTestId('refund-line'))).to.contain('マグカップ').and.contain('¥2,750 × 1');
    expect(await textOf(owner.getByTestId('refund-total').locator('th'))).to.equal('返金額');
    expect(await textOf(owner.getByTestId('refund-total').locator('td'))).to.equal('¥2,750');
    expect(await textOf(owner.getByTestId('refund-tax'))).to.contain('10%対象 ¥2,750（うち消費税 ¥250）');
    expect(await textOf(owner.getByTestId('refund-limit'))).to.contain('¥2,000');
    expect(await textOf(owner.getByTestId('over-limit'))).to.contain('エージェント・委託スタッフは承認できません');
    expect(await owner.locator('[data-testid="history-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event')))).to.deep.equal(['file', 'send_to_review']);

    // A contractor opens the same request: the approve button is not there, and the page says why.
    const contractor = await consoleAs(d, d.shop.people.contractor);
    // Its live connection cannot get through (a proxy in the way): the page is left showing what it read.
    await contractor.route('**/socket.io/**', (r) => r.abort());
    await contractor.routeWebSocket('**/socket.io/**', (ws) => ws.close());
    await contractor.goto(detailUrl(d, returnId));
    await contractor.locator('[data-testid="return-detail"][data-status="needs_review"]').waitFor();
    expect(await textOf(contractor.getByTestId('over-limit'))).to.equal('担当者の上限を超えています：承認は店舗（オーナー・スタッフ）が行います。');
    expect(await contractor.getByTestId('move-approve').count()).to.equal(0);
    expect(await contractor.getByTestId('move-reject').count(), 'rejecting stays possible').to.equal(1);
    expect(await textOf(contractor.getByTestId('fact-customer'))).to.contain('田中 太郎');

    // The owner approves; the return moves on to waiting for the parcel by itself.
    const approve = owner.getByTestId('move-approve');
    expect(await textOf(approve)).to.equal('承認する');
    await approve.click();
    await owner.locator('[data-testid="return-detail"][data-status="awaiting_shipment"]').waitFor();
    expect(await textOf(owner.locator('header').getByTestId('return-status'))).to.equal('返送待ち');
    expect(await textOf(owner.getByTestId('action-done'))).to.contain('承認する');
    expect(await owner.getByTestId('move-approve').count()).to.equal(0);
    expect(await owner.locator('[data-testid="history-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event')))).to.deep.equal(['file', 'send_to_review', 'approve', 'request_shipment']);

    // The contractor's page, without its live connection, still shows the old status: rejecting now answers 409, and the page reloads.
    expect(await contractor.locator('[data-testid="return-detail"][data-status="needs_review"]').count()).to.equal(1);
    await contractor.getByTestId('move-reject').click();
    await contractor.getByTestId('reject-code').selectOption('other');
    await contractor.getByTestId('move-submit').click();
    await contractor.locator('[data-testid="return-detail"][data-status="awaiting_shipment"]').waitFor();
    expect(await textOf(contractor.getByTestId('action-problem'))).to.equal('ほかの人が先にこの返品を変更しました。最新の内容を読み込みました。');
    const after = await d.owner.get(`/api/shops/${d.shop.id}/returns/${returnId}`);
    expect(after.body.status).to.equal('awaiting_shipment');

    // The list agrees: this request now waits for its parcel.
    const list = await d.owner.get(`/api/shops/${d.shop.id}/returns?status=awaiting_shipment`);
    expect(list.body.returns.map((r: { number: number }) => r.number)).to.deep.equal([number]);

    // The same page in English: the console's words and the server's words of the policy check.
    await Promise.all([
      owner.waitForResponse((r) => r.url().endsWith('/api/auth/me') && r.status() === 200),
      owner.getByTestId('language-toggle').getByRole('button', { name: 'English' }).click(),
    ]);
    await owner.getByRole('heading', { level: 1, name: `Return R-${number}` }).waitFor();
    expect(await textOf(owner.locator('header').getByTestId('return-status'))).to.equal('Awaiting parcel');
    expect(await textOf(owner.getByTestId('legal-basis'))).to.contain('the shop’s return terms');
    expect(await textOf(window)).to.contain('inside 14-day window');
    expect(await textOf(owner.getByTestId('refund-total').locator('th'))).to.equal('Refund');
    expect(await textOf(owner.getByTestId('move-receive'))).to.equal('Record arrival');
    expect(await owner.title()).to.contain('Returns');
  });

  it('the list opens on what needs action, filters by status, pages with "show more", and an agent rejects with a reason code', async () => {
    const d = await openDesk(server);
    await publish(d, someTerms({ autoApprove: { enabled: false, maxAmount: 0 }, agentRefundLimit: 3000 }));
    const numbers: number[] = [];
    for (let i = 0; i < 27; i++) numbers.push((await filed(d.owner, d.shop.id, { orderNumber: (await pushOrder(d)).number, reason: 'size' })).number);
    // One that needs nothing now: withdrawn.
    const order = await pushOrder(d);
    const withdrawn = await filed(d.owner, d.shop.id, { orderNumber: order.number });
    expect((await d.owner.post(`/api/shops/${d.shop.id}/returns/${withdrawn.id}/transitions`, { event: 'cancel', expectedStatus: 'needs_review' })).status).to.equal(200);

    const agent = await consoleAs(d, d.shop.people.agent);
    await agent.goto(`${server.url}/console/shops/${d.shop.id}/returns`);
    await agent.getByTestId('returns-table').waitFor();
    expect(await agent.getByTestId('return-row').count(), 'one page of 25').to.equal(25);
    await agent.getByTestId('returns-more').click();
    await agent.waitForFunction(() => document.querySelectorAll('[data-testid="return-row"]').length === 27);
    expect(await agent.getByTestId('returns-more').count()).to.equal(0);
    expect(await agent.locator(`[data-testid="return-row"][data-number="${withdrawn.number}"]`).count(), 'a withdrawn request needs no action').to.equal(0);

    await agent.getByTestId('returns-filter').selectOption('canceled');
    await agent.waitForFunction(() => document.querySelectorAll('[data-testid="return-row"]').length === 1);
    expect(await textOf(agent.getByTestId('return-status'))).to.equal('取り消し');
    await agent.getByTestId('returns-filter').selectOption('all');
    await agent.waitForFunction(() => document.querySelectorAll('[data-testid="return-row"]').length === 25);

    // The newest request: the agent may approve it (¥2,750 ≤ ¥3,000) but rejects it, with a reason code.
    await agent.getByTestId('returns-filter').selectOption('action');
    await agent.locator(`[data-testid="return-row"][data-number="${numbers[26]}"]`).getByTestId('return-link').click();
    await agent.locator('[data-testid="return-detail"][data-status="needs_review"]').waitFor();
    expect(await agent.getByTestId('move-approve').count()).to.equal(1);
    expect(await agent.getByTestId('over-limit').count()).to.equal(0);
    await agent.getByTestId('move-reject').click();
    expect(await agent.getByTestId('move-submit').isDisabled(), 'no reason code yet').to.equal(true);
    await agent.getByTestId('reject-code').selectOption('condition_not_met');
    await agent.getByTestId('reject-form').getByLabel('メモ（任意）').fill('タグが外れていました');
    await agent.getByTestId('move-submit').click();
    await agent.locator('[data-testid="return-detail"][data-status="rejected"]').waitFor();
    expect(await textOf(agent.getByTestId('fact-rejection'))).to.contain('返品の条件を満たしていない');
    expect(await textOf(agent.getByTestId('no-actions'))).to.equal('いまあなたができる操作はありません。');
    const history = agent.locator('[data-testid="history-row"][data-event="reject"]');
    expect(await textOf(history)).to.contain('却下').and.contain('返品の条件を満たしていない').and.contain('タグが外れていました');

    // Back to the list: the filter is as it was, and the rejected request has left it.
    await agent.getByTestId('back-to-returns').click();
    await agent.getByTestId('returns-table').waitFor();
    expect(await agent.getByTestId('returns-filter').inputValue()).to.equal('action');
    await agent.waitForFunction(() => document.querySelectorAll('[data-testid="return-row"]').length === 25);
    expect(await agent.locator(`[data-testid="return-row"][data-number="${numbers[26]}"]`).count()).to.equal(0);
  });

  it('the list and an open return follow changes made elsewhere, without a reload: a new filing appears, another person’s approval shows', async () => {
    const d = await openDesk(server);
    await publish(d, someTerms({ autoApprove: { enabled: false, maxAmount: 0 } }));
    const first = await filed(d.owner, d.shop.id, { orderNumber: (await pushOrder(d)).number });
    const agent = await consoleAs(d, d.shop.people.agent);
    await agent.goto(`${server.url}/console/shops/${d.shop.id}/returns`);
    await agent.locator(`[data-testid="return-row"][data-number="${first.number}"]`).waitFor();

    // Filed by the shop's system while the agent looks at the list.
    const second = await filed(d.platform, d.shop.id, { orderNumber: (await pushOrder(d)).number });
    await agent.locator(`[data-testid="return-row"][data-number="${second.number}"][data-status="needs_review"]`).waitFor({ timeout: 10_000 });

    // The agent opens it; the owner approves it in another console: the page shows the new status by itself.
    await agent.locator(`[data-testid="return-row"][data-number="${second.number}"]`).getByTestId('return-link').click();
    await agent.locator('[data-testid="return-detail"][data-status="needs_review"]').waitFor();
    const approved = await d.owner.post(`/api/shops/${d.shop.id}/returns/${second.id}/transitions`, { event: 'approve', expectedStatus: 'needs_review' });
    expect(approved.status, approved.text).to.equal(200);
    await agent.locator(`[data-testid="return-detail"][data-status="${approved.body.status}"]`).waitFor({ timeout: 10_000 });
    expect(await agent.getByTestId('move-approve').count(), 'its moves are those of the new status').to.equal(0);
  });

  it('the owner sets what an exchange sends, sees the difference computed again, and a contractor gets no editor', async () => {
    const d = await openDesk(server);
    await publish(d, someTerms({ autoApprove: { enabled: false, maxAmount: 0 }, exchangesAccepted: true }));
    const r = await filed(d.owner, d.shop.id, { orderNumber: (await pushOrder(d)).number, kind: 'exchange', reason: 'size' });
    const owner = await consoleAs(d, d.shop.people.owner);
    await owner.goto(detailUrl(d, r.id));
    await owner.getByTestId('exchange-edit').waitFor();
    await owner.getByTestId('exchange-sku').fill('MUG-001-L');
    await owner.getByTestId('exchange-price').fill('3300');
    await owner.getByTestId('exchange-save').click();
    await owner.getByTestId('exchange-note').waitFor();
    expect(await textOf(owner.getByTestId('exchange-note'))).to.equal('保存しました。');
    const saved = await d.owner.get(`/api/shops/${d.shop.id}/returns/${r.id}`);
    expect(saved.body.exchangeItems[0]).to.include({ sku: 'MUG-001-L', unitPrice: 3300 });
    expect(saved.body.refund.exchange.difference).to.equal(550);
    const contractor = await consoleAs(d, d.shop.people.contractor);
    await contractor.goto(detailUrl(d, r.id));
    await contractor.getByTestId('return-detail').waitFor();
    expect(await contractor.getByTestId('exchange-edit').count()).to.equal(0);
  });

  it('the owner edits the terms with a live preview, sees the schema’s errors at the fields, and publishes; others read them', async () => {
    const d = await openDesk(server);
    const owner = await consoleAs(d, d.shop.people.owner);
    await owner.goto(`${server.url}/console/shops/${d.shop.id}/return-terms`);
    await owner.getByTestId('terms-page').waitFor();
    expect(await textOf(owner.getByTestId('terms-statutory'))).to.contain('特定商取引法');
    expect(await owner.getByTestId('field-windowDays').inputValue(), 'the statutory 8 days').to.equal('8');

    const frame = owner.frameLocator('[data-testid="preview-frame"]');
    await frame.locator('h1').waitFor();
    expect(await textOf(frame.locator('body'))).to.contain('プレビュー（未公開）');

    await owner.getByTestId('field-windowDays').fill('30');
    await owner.getByTestId('field-nonReturnableTags').fill('sale, 下着');
    await owner.getByTestId('field-deductions.transferFee').fill('330');
    await owner.getByTestId('field-note.ja').fill('詳しくはお問い合わせください。');
    await owner.getByTestId('field-note.en').fill('Ask us for details.');
    await owner.getByTestId('field-refusedDelivery.chargeShipping').check();
    await owner.getByTestId('field-refusedDelivery.returnShippingFee').fill('800');
    await owner.getByTestId('add-tag-window').click();
    await owner.getByTestId('field-windowDaysByTag.0.tag').fill('gift');
    await owner.getByTestId('field-windowDaysByTag.0.days').fill('60');
    // Each tag gets the name customers read; a missing one is refused at its row, in Japanese.
    expect(await owner.getByTestId('tag-label').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-tag')))).to.deep.equal(['sale', '下着', 'gift']);
    await owner.getByTestId('field-tagLabels.sale.ja').fill('セール品');
    await owner.getByTestId('field-tagLabels.sale.en').fill('Sale items');
    await owner.getByTestId('field-tagLabels.下着.ja').fill('下着・肌着');
    await owner.getByTestId('field-tagLabels.下着.en').fill('Underwear');
    await owner.getByTestId('field-tagLabels.gift.ja').fill('ギフトセット');
    await owner.getByTestId('error-tagLabels.2').waitFor();
    expect(await textOf(owner.getByTestId('error-tagLabels.2'))).to.equal('お客様に見える表示名を1〜40文字で入力してください。');
    await owner.getByTestId('field-tagLabels.gift.en').fill('Gift sets');
    await owner.getByTestId('error-tagLabels.2').waitFor({ state: 'detached' });
    await owner.waitForFunction(() => document.querySelector('[data-testid="terms-preview"]')?.getAttribute('data-state') === 'ready');
    await expectFrameText(frame, '30日以内');
    const preview = await textOf(frame.locator('body'));
    expect(preview).to.contain('ギフトセットは60日以内').and.contain('セール品、下着・肌着は返品できません').and.contain('振込手数料 330円').and.contain('詳しくはお問い合わせください。');
    expect(preview).not.to.contain('「sale」').and.not.to.contain('「gift」');
    // A draft is the version it would become, never the statutory rule.
    expect(preview).to.contain('版: 1（公開前の下書き）').and.not.contain('法定');

    // The preview in English.
    await owner.getByTestId('preview-en').click();
    await expectFrameText(frame, 'Apply within 30 days of delivery');

    // A window of 0 days: the schema's message appears at that field, live, and publishing is refused the same way.
    await owner.getByTestId('field-windowDays').fill('0');
    await owner.getByTestId('error-windowDays').waitFor();
    expect(await textOf(owner.getByTestId('error-windowDays')), 'the schema’s message, in Japanese').to.equal('返品期間は1〜365の整数（日数）で入力してください。');
    expect(await owner.getByTestId('field-windowDays').getAttribute('aria-invalid')).to.equal('true');
    await owner.getByTestId('terms-publish').click();
    await owner.getByTestId('terms-problem').waitFor();
    expect(await textOf(owner.getByTestId('terms-problem'))).to.equal('入力内容を確認してください。');
    expect(await owner.getByTestId('error-windowDays').count()).to.equal(1);

    await owner.getByTestId('field-windowDays').fill('30');
    await owner.getByTestId('error-windowDays').waitFor({ state: 'detached' });
    await owner.getByTestId('terms-publish').click();
    await owner.getByTestId('terms-done').waitFor();
    expect(await textOf(owner.getByTestId('terms-done'))).to.equal('第1版を公開しました。');
    expect(await owner.getByTestId('terms-statutory').count()).to.equal(0);
    expect(await owner.getByTestId('terms-version').count()).to.equal(1);
    const published = await d.owner.get(`/api/shops/${d.shop.id}/return-terms`);
    expect(published.body.terms).to.deep.include({ windowDays: 30, nonReturnableTags: ['sale', '下着'], windowDaysByTag: [{ tag: 'gift', days: 60 }] });
    expect(published.body.terms.tagLabels).to.deep.equal([
      { tag: 'sale', ja: 'セール品', en: 'Sale items' },
      { tag: '下着', ja: '下着・肌着', en: 'Underwear' },
      { tag: 'gift', ja: 'ギフトセット', en: 'Gift sets' },
    ]);
    // The next draft of a shop with terms published previews as version 2, not 「法定（返品特約なし）」.
    await owner.getByTestId('preview-ja').click();
    await owner.getByTestId('field-windowDays').fill('31');
    await expectFrameText(frame, '31日以内');
    expect(await textOf(frame.locator('body'))).to.contain('版: 2（公開前の下書き）').and.not.contain('法定');
    await owner.getByTestId('field-windowDays').fill('30');
    expect(published.body.terms.deductions).to.include({ transferFee: 330 });
    expect(published.body.terms.refusedDelivery).to.deep.equal({ chargeShipping: true, returnShippingFee: 800 });
    expect(published.body.terms.note).to.deep.equal({ ja: '詳しくはお問い合わせください。', en: 'Ask us for details.' });

    // Staff read the same terms and the published page, and cannot change them.
    const staff = await consoleAs(d, d.shop.people.staff);
    await staff.goto(`${server.url}/console/shops/${d.shop.id}/return-terms`);
    await staff.getByTestId('terms-page').waitFor();
    expect(await staff.getByTestId('terms-read-only').count()).to.equal(1);
    expect(await staff.getByTestId('terms-publish').count()).to.equal(0);
    expect(await staff.getByTestId('field-windowDays').inputValue()).to.equal('30');
    expect(await staff.getByTestId('field-windowDays').isDisabled()).to.equal(true);
    await expectFrameText(staff.frameLocator('[data-testid="preview-frame"]'), '30日以内');
  });

  it('the reasons report shows quantities by reason as a chart and by product, with the CSV export', async () => {
    const d = await openDesk(server);
    await publish(d, someTerms());
    await filed(d.owner, d.shop.id, { orderNumber: (await pushOrder(d)).number, reason: 'size', items: [{ lineNo: 1, quantity: 2 }] });
    await filed(d.owner, d.shop.id, { orderNumber: (await pushOrder(d)).number, reason: 'defective', items: [{ lineNo: 1, quantity: 1 }, { lineNo: 2, quantity: 1 }] });

    const page = await consoleAs(d, d.shop.people.agent);
    await page.goto(`${server.url}/console/shops/${d.shop.id}/returns`);
    await page.getByTestId('tab-returnsReport').click();
    await page.waitForURL(/\/returns-report$/);
    await page.locator('[data-testid="reasons-report"][data-state="ready"]').waitFor();
    expect(await textOf(page.getByTestId('reasons-total'))).to.equal('合計 4 点');
    const chart = page.getByRole('img', { name: /理由ごとの返品数量/ });
    expect(await chart.locator('rect.chart-opened title').allTextContents()).to.deep.equal(['サイズが合わない 2 点', '不良品・破損 2 点']);

    const mug = page.locator('[data-testid="reasons-row"][data-sku="MUG-001"]');
    expect(await textOf(mug.locator('[data-reason="size"]'))).to.equal('2');
    expect(await textOf(mug.locator('[data-reason="defective"]'))).to.equal('1');
    expect(await textOf(mug.getByTestId('reasons-product-total'))).to.equal('3');
    expect(await textOf(page.locator('[data-testid="reasons-row"][data-sku="SNK-100"] [data-reason="defective"]'))).to.equal('1');

    // The link downloads the server's CSV with the session cookie.
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('reasons-csv').click()]);
    const month = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Tokyo' }).slice(0, 7);
    expect(file.suggestedFilename()).to.match(new RegExp(`^return-reasons-\\d{4}-\\d{2}_${month}\\.csv$`));
    const lines = (await readFile(await file.path(), 'utf8')).replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
    expect(lines).to.have.length(4);
    expect(lines.slice(1).join('\n')).to.contain('MUG-001').and.contain('サイズが合わない').and.contain('SNK-100');

    // A range that ends before it starts is refused in place; the last report stays.
    await page.getByTestId('reasons-from').fill('2099-01');
    await page.getByTestId('reasons-bad-range').waitFor();
    expect(await page.getByTestId('reasons-row').count()).to.equal(2);
  });

  it('a contractor sees a COD refund’s bank details masked, reveals them with a reason (the server’s 400 shown first), and a reload masks them again', async () => {
    const d = await openDesk(server);
    await publish(d, someTerms({ autoApprove: { enabled: false, maxAmount: 0 } }));
    const order = await pushOrder(d, { paymentMethod: 'cod', codFee: 330 });
    // Refunded by bank transfer (a COD order cannot be reversed): the terms deduct the ¥220 transfer fee.
    const { id } = await fileOnPortal(d, order, {
      refund: '¥2,530',
      bank: { bankName: 'みずほ銀行', branchName: '渋谷支店', accountType: 'ordinary', accountNumber: '1234567', holderKana: 'タナカ タロウ' },
    });

    const contractor = await consoleAs(d, d.shop.people.contractor);
    await contractor.goto(detailUrl(d, id));
    const panel = contractor.locator('[data-testid="bank-panel"][data-masked="true"]');
    await panel.waitFor();
    expect(await textOf(panel.getByTestId('bank-name'))).to.contain('みずほ銀行');
    expect(await textOf(panel.getByTestId('bank-branch'))).to.contain('渋谷支店');
    expect(await textOf(panel.getByTestId('bank-type').locator('dd'))).to.equal('普通');
    expect(await textOf(panel.getByTestId('bank-number').locator('dd'))).to.equal('*****67');
    expect(await textOf(panel.getByTestId('bank-holder').locator('dd'))).to.equal('タ＊＊＊');
    expect(await contractor.content(), 'the whole number is nowhere in the page').not.to.contain('1234567');

    // Too short a reason: the server's own words, in Japanese, next to the field; nothing is shown.
    await panel.getByTestId('bank-reveal').click();
    expect(await panel.getByTestId('bank-reveal-submit').isDisabled(), 'no reason yet').to.equal(true);
    await panel.getByTestId('bank-reason').fill('確認');
    await panel.getByTestId('bank-reveal-submit').click();
    await panel.getByTestId('bank-problem').waitFor();
    expect(await textOf(panel.getByTestId('bank-problem'))).to.contain('理由を確認してください。').and.contain('理由を5文字以上で書いてください').and.not.contain('at least');
    expect(await textOf(panel.getByTestId('bank-number').locator('dd'))).to.equal('*****67');

    await panel.getByTestId('bank-reason').fill('返金の振込を行うため');
    await panel.getByTestId('bank-reveal-submit').click();
    const whole = contractor.locator('[data-testid="bank-panel"][data-masked="false"]');
    await whole.waitFor();
    expect(await textOf(whole.getByTestId('bank-number').locator('dd'))).to.equal('1234567');
    expect(await textOf(whole.getByTestId('bank-holder').locator('dd'))).to.equal('タナカ タロウ');
    expect(await textOf(whole.getByTestId('bank-revealed'))).to.contain('保存されず');
    expect(await whole.getByTestId('bank-reveal').count()).to.equal(0);
    const audit = await d.owner.get(`/api/shops/${d.shop.id}/audit?objectId=${id}&action=return.bank_revealed`);
    expect(audit.body.events.map((e: { summary: { reason: string } }) => e.summary.reason)).to.deep.equal(['返金の振込を行うため']);

    // Nothing was kept: reading the page again masks the details.
    await contractor.reload();
    await contractor.locator('[data-testid="bank-panel"][data-masked="true"]').waitFor();
    expect(await textOf(contractor.getByTestId('bank-number').locator('dd'))).to.equal('*****67');

    // The owner reads them whole, with nothing to reveal.
    const owner = await consoleAs(d, d.shop.people.owner);
    await owner.goto(detailUrl(d, id));
    await owner.locator('[data-testid="bank-panel"][data-masked="false"]').waitFor();
    expect(await textOf(owner.getByTestId('bank-number').locator('dd'))).to.equal('1234567');
    expect(await owner.getByTestId('bank-reveal').count()).to.equal(0);
  });

  it('a defect claim filed with a photo and a comment shows both on its page; the thumbnail opens the full image in a new tab', async () => {
    const d = await openDesk(server);
    await publish(d, someTerms({ autoApprove: { enabled: false, maxAmount: 0 } }));
    const order = await pushOrder(d);
    const { id } = await fileOnPortal(d, order, {
      reason: 'defective',
      comment: '取っ手にひびが入っていました。\n箱も潰れていました。',
      photos: [{ name: 'ひび.png', mimeType: 'image/png', buffer: png }],
    });

    const agent = await consoleAs(d, d.shop.people.agent);
    await agent.goto(detailUrl(d, id));
    await agent.locator('[data-testid="return-detail"][data-status="needs_review"]').waitFor();
    const comment = agent.getByTestId('return-comment');
    // A form posts a textarea's line breaks as CRLF; the page keeps them as lines.
    expect((await comment.innerText()).replace(/\r\n/g, '\n')).to.equal('取っ手にひびが入っていました。\n箱も潰れていました。');
    expect(await textOf(agent.getByRole('heading', { name: 'お客様のコメント' }))).to.equal('お客様のコメント');

    const photos = agent.getByTestId('return-photos');
    expect(await textOf(photos.locator('h2'))).to.equal('お客様の写真（1枚）');
    const photo = photos.getByTestId('return-photo');
    expect(await photo.count()).to.equal(1);
    expect(await textOf(photo)).to.contain('ひび.png');
    const img = photo.locator('img');
    expect(await img.getAttribute('alt')).to.equal('ひび.png');
    // The thumbnail really loaded, with the session cookie, and stays small on the page.
    await agent.waitForFunction(() => {
      const i = document.querySelector<HTMLImageElement>('[data-testid="return-photo"] img');
      return !!i && i.complete && i.naturalWidth === 1;
    });
    const box = await img.boundingBox();
    expect(box!.width).to.be.at.most(120);
    const link = photo.getByTestId('photo-link');
    const href = (await link.getAttribute('href'))!;
    expect(href).to.match(new RegExp(`^/api/shops/${d.shop.id}/returns/${id}/photos/[0-9a-f-]{36}$`));
    expect(await link.getAttribute('target')).to.equal('_blank');

    const [tab] = await Promise.all([agent.context().waitForEvent('page'), link.click()]);
    await tab.waitForLoadState();
    expect(new URL(tab.url()).pathname).to.equal(href);
    const shown = await tab.evaluate(async () => {
      const i = document.querySelector('img');
      return { type: document.contentType, width: i?.naturalWidth ?? 0 };
    });
    expect(shown).to.deep.equal({ type: 'image/png', width: 1 });
    const audit = await d.owner.get(`/api/shops/${d.shop.id}/audit?objectId=${id}&action=return_photo.viewed`);
    expect(audit.body.events.length, 'the thumbnail and the full view are audited').to.be.at.least(2);

    // A defect claim is never refused for the window, a tag, the shop's opt-out or conditions: the form offers only what fits.
    await agent.getByTestId('move-reject').click();
    const codes = await agent.getByTestId('reject-code').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    expect(codes).to.deep.equal(['no_defect_found', 'missing_evidence', 'suspected_abuse', 'other']);
    expect(await textOf(agent.getByTestId('reject-code'))).not.to.contain('返品期間外');

    // The platform pushes the order again with one mug at a new price: the page says so, and the refund stays as filed.
    const now = new Date().toISOString();
    const again = anOrder({ orderedAt: now, shippedAt: now, deliveredAt: now, customer: { ...anOrder().customer, email: order.email }, lines: [{ sku: 'MUG-001', name: 'マグカップ', quantity: 1, unitPrice: 1980, taxRate: 10 }] });
    expect((await d.platform.put(`/api/shops/${d.shop.id}/orders/${order.number}`, again)).status).to.equal(200);
    await agent.reload();
    const changed = agent.getByTestId('order-changed');
    await changed.waitFor();
    expect(await textOf(changed)).to.contain('申し込み後に注文内容が変わりました').and.contain('1行目: マグカップ（¥2,750 × 2） → マグカップ（¥1,980 × 1）').and.contain('2行目: クッキー（¥864 × 1） → なし');
    expect(await textOf(agent.getByTestId('refund-total').locator('td'))).to.equal('¥3,520');
  });

  it('an agent files a cancellation that came by phone on day 8, recorded on day 9, at the time it reached the shop', async () => {
    // No terms: the statutory 8 days, the delivery day being the first; the parcel came 8 days ago.
    const d = await openDesk(server);
    const day = 86_400_000;
    const order = await pushOrder(d, { orderedAt: new Date(Date.now() - 10 * day).toISOString(), shippedAt: new Date(Date.now() - 9 * day).toISOString(), deliveredAt: new Date(Date.now() - 8 * day).toISOString() });
    const agent = await consoleAs(d, d.shop.people.agent);
    await agent.goto(`${server.url}/console/shops/${d.shop.id}/returns`);
    await agent.getByTestId('filing-open').click();
    const filing = agent.getByTestId('staff-filing');
    await filing.getByTestId('filing-order').fill(order.number);
    await filing.getByTestId('filing-load').click();
    await filing.getByTestId('filing-form').waitFor();
    await filing.getByTestId('filing-qty-1').fill('1');
    await filing.getByTestId('filing-reason').selectOption('changed_mind');
    await filing.getByTestId('filing-channel').selectOption('phone');

    // Recorded as if it came now, the 8 days are over: the page says why, in Japanese.
    await filing.getByTestId('filing-submit').click();
    await filing.getByTestId('filing-problem').waitFor();
    expect(await textOf(filing.getByTestId('filing-problem'))).to.contain('返品特約の条件を満たさないため').and.contain('期間を過ぎています');

    // It came yesterday evening (day 8), Japan time.
    const yesterday = new Date(Date.now() - day + 9 * 3_600_000).toISOString().slice(0, 16);
    await filing.getByTestId('filing-received-at').fill(yesterday);
    await filing.getByTestId('filing-submit').click();
    await agent.waitForURL(/\/returns\/[0-9a-f-]{36}$/);
    await agent.locator('[data-testid="return-detail"][data-status="needs_review"]').waitFor();
    expect(await textOf(agent.getByTestId('legal-basis'))).to.contain('特定商取引法');
    expect(await textOf(agent.getByTestId('fact-notice'))).to.contain('（電話）');
    expect(await textOf(agent.locator('[data-testid="policy-check"][data-rule="notice"]'))).to.contain('担当者が記録');
    expect(await textOf(agent.getByTestId('review-reasons'))).to.contain('あとから記録したお申し出');
    const audit = await d.owner.get(`/api/shops/${d.shop.id}/audit?action=return.filed`);
    expect(audit.body.events[0].summary).to.include({ noticeChannel: 'phone', noticeReceivedAt: new Date(`${yesterday}:00+09:00`).toISOString() });
  });

  it('records a refused delivery from the list: the server’s 404, 409 and 400 show at the form, and an undelivered order lands on its new return, received', async () => {
    const d = await openDesk(server);
    await publish(d, someTerms({ refusedDelivery: { chargeShipping: true } }));
    const delivered = await pushOrder(d);
    const undelivered = await pushOrder(d, { deliveredAt: null });

    const staff = await consoleAs(d, d.shop.people.staff);
    await staff.goto(`${server.url}/console/shops/${d.shop.id}/returns`);
    await staff.getByTestId('returns-empty').waitFor();
    await staff.getByTestId('refused-open').click();
    const form = staff.getByTestId('refused-form');
    expect(await form.getByTestId('refused-submit').isDisabled(), 'no order number or fault yet').to.equal(true);

    // An order the shop does not have: 404.
    await form.getByTestId('refused-order').fill('NO-SUCH-ORDER-1');
    await form.getByTestId('refused-fault-customer').check();
    await form.getByTestId('refused-submit').click();
    const problem = form.getByTestId('refused-problem');
    await problem.waitFor();
    expect(await textOf(problem)).to.contain('この注文番号の注文は見つかりません。').and.contain('order not found');
    expect(await form.getByTestId('refused-order').getAttribute('aria-invalid')).to.equal('true');

    // An order marked delivered: 409, in the server's words too.
    await form.getByTestId('refused-order').fill(delivered.number);
    await form.getByTestId('refused-submit').click();
    await form.locator('[data-testid="refused-problem"]', { hasText: 'お届け済み' }).waitFor();
    expect(await textOf(problem)).to.contain('this order is marked delivered');

    // A tracking number the server does not accept: 400, at that field.
    await form.getByTestId('refused-order').fill(undelivered.number);
    await form.getByTestId('refused-tracking').fill('12#4');
    await form.getByTestId('refused-submit').click();
    await form.locator('[data-testid="refused-problem"]', { hasText: '入力内容を確認してください。' }).waitFor();
    expect(await textOf(form.locator('[data-testid="refused-server-message"][data-field="trackingNumber"]'))).to.contain('expected a tracking number');
    expect(await form.getByTestId('refused-tracking').getAttribute('aria-invalid')).to.equal('true');
    expect((await d.owner.get(`/api/shops/${d.shop.id}/returns?limit=100`)).body.returns, 'nothing recorded yet').to.have.length(0);

    await form.getByTestId('refused-tracking').fill('1234-5678-9012');
    await form.getByTestId('refused-carrier').fill('ヤマト運輸');
    await form.getByTestId('refused-note').fill('受取人不在のまま保管期限切れ');
    await form.getByTestId('refused-submit').click();
    await staff.waitForURL(/\/returns\/[0-9a-f-]{36}$/);
    const returnId = staff.url().split('/').pop()!;
    await staff.locator('[data-testid="return-detail"][data-status="received"]').waitFor();
    expect(await textOf(staff.locator('header').getByTestId('return-status'))).to.equal('到着');
    expect(await textOf(staff.getByTestId('return-kind'))).to.equal('受け取り拒否');
    expect(await textOf(staff.getByTestId('fact-order'))).to.contain(undelivered.number);
    expect(await textOf(staff.getByTestId('fact-tracking'))).to.contain('1234-5678-9012');
    expect(await textOf(staff.getByTestId('return-comment'))).to.equal('受取人不在のまま保管期限切れ');
    expect(await textOf(staff.getByRole('heading', { name: '記録したときのメモ' }))).to.equal('記録したときのメモ');
    expect(await staff.getByTestId('return-item').count(), 'the whole order came back').to.equal(2);
    expect(await staff.getByTestId('return-photos').count(), 'nothing to show').to.equal(0);
    const view = await d.owner.get(`/api/shops/${d.shop.id}/returns/${returnId}`);
    expect(view.body).to.deep.include({ kind: 'refused_delivery', status: 'received', source: 'console', carrier: 'ヤマト運輸', trackingNumber: '1234-5678-9012' });

    // The list has it, as needing action.
    await staff.getByTestId('back-to-returns').click();
    const row = staff.locator(`[data-testid="return-row"][data-number="${view.body.number}"]`);
    await row.waitFor();
    expect(await textOf(row.getByTestId('return-status'))).to.equal('到着');
    expect(await textOf(row)).to.contain('受け取り拒否');
  });
});

async function expectFrameText(frame: ReturnType<Page['frameLocator']>, text: string) {
  await frame.locator('body', { hasText: text }).waitFor({ timeout: 10_000 });
}
