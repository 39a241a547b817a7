import { expect } from 'chai';
import { purgeBankDetails } from '../../../server/domains/returns/returns.jobs.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { filed, moved, openDesk, publish, pushOrder, someTerms, type Desk } from './returns.helpers.ts';
import { csrfOf, signInToPortal, Visitor } from './portal.visitor.ts';

const DAY = 86_400_000;

/** The Japanese part of the portal's error box (before the English line). */
const errorJa = (html: string) => /<p class="error" role="alert">([^<]*)<br>/.exec(html)?.[1] ?? '';
const errorEn = (html: string) => /<p class="error" role="alert">[^<]*<br><span class="en">([^<]*)<\/span>/.exec(html)?.[1] ?? '';

/**
 * What the portal says to a customer: every refusal in Japanese first with the English beside
 * it (never the reason in English alone), the reasons grouped so that 「商品説明と違う」 is found
 * apart from 「イメージと違う」, and the bank form's purpose and how long the details are kept,
 * which the daily job makes true.
 */
for (const kind of dbKinds) {
  describe(`[${kind}] the returns portal’s words, and how long bank details are kept`, () => {
    let server: TestServer;
    let d: Desk;
    before(async () => {
      server = await startServer(kind);
      d = await openDesk(server);
      await publish(d, someTerms({ autoApprove: { enabled: false, maxAmount: 0 } }));
    });
    after(() => server.close());
    const portal = () => `/returns/${d.shop.id}`;

    it('tells a wrong code in Japanese, with the tries left, and the English beside it', async () => {
      const order = await pushOrder(d);
      const v = new Visitor(server.url);
      const started = await v.post(`${portal()}/code`, { orderNumber: order.number, contact: order.email });
      const mail = await server.smtp.waitFor((m) => m.to.includes(order.email) && m.subject.includes('確認コード'));
      const code = /^\s+(\d{6})$/m.exec(mail.text)![1]!;
      const wrong = await v.post(`${portal()}/verify`, { challenge: new URL(started.location, server.url).searchParams.get('c')!, code: code === '111111' ? '222222' : '111111' });
      expect(wrong.status).to.equal(400);
      expect(errorJa(wrong.html)).to.include('確認コードが正しくありません').and.include('あと4回');
      expect(errorJa(wrong.html)).not.to.match(/[A-Za-z]{3,}/);
      expect(errorEn(wrong.html)).to.include('The code is not right').and.include('4 tries left');
    });

    it('answers a mistyped address under the portal with a page in Japanese and English, and a script with the JSON error', async () => {
      const browser = await fetch(`${server.url}${portal()}/requests-typo`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
      expect(browser.status).to.equal(404);
      expect(browser.headers.get('content-type')).to.match(/^text\/html/);
      expect(await browser.text()).to.include('ページが見つかりません').and.include('Page not found');
      const script = await fetch(`${server.url}${portal()}/requests-typo`, { headers: { accept: 'application/json' } });
      expect(script.status).to.equal(404);
      expect((await script.json()).error.code).to.equal('not_found');
      // The page for a wrong address takes nothing from a wrong method: a form address opened
      // with GET is still a 405 naming POST, and a post to a mistyped address a 404.
      const opened = await fetch(`${server.url}${portal()}/code`, { headers: { accept: 'text/html' } });
      expect(opened.status).to.equal(405);
      expect(opened.headers.get('allow')).to.equal('POST');
      const posted = await fetch(`${server.url}${portal()}/requests-typo`, { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
      expect(posted.status).to.equal(404);
    });

    it('tells a request with no item chosen, or more than is left, in Japanese', async () => {
      const order = await pushOrder(d);
      const v = await signInToPortal(server, d.shop.id, order);
      const csrf = csrfOf((await v.get(`${portal()}/order`)).html);
      const none = await v.post(`${portal()}/confirm`, { csrf, qty_1: '0', kind: 'return', reason: 'size' });
      expect(none.status).to.equal(400);
      expect(errorJa(none.html)).to.include('返品・交換する商品の数量を入力してください').and.not.match(/[A-Za-z]{3,}/);
      expect(errorEn(none.html)).to.include('choose at least one item');
      const tooMany = await v.post(`${portal()}/confirm`, { csrf, qty_1: '3', kind: 'return', reason: 'size' });
      expect(tooMany.status).to.equal(400);
      expect(errorJa(tooMany.html)).to.include('あと2点まで').and.not.match(/[A-Za-z]{3,}/);
      const half = await v.post(`${portal()}/confirm`, { csrf, qty_1: '1.5', kind: 'return', reason: 'size' });
      expect(errorJa(half.html)).to.include('数量は1以上の整数で入力してください');
    });

    it('groups the shop’s failures apart from the customer’s choice, and steers “not as described” to them', async () => {
      const order = await pushOrder(d);
      const v = await signInToPortal(server, d.shop.id, order);
      const page = (await v.get(`${portal()}/order`)).html;
      const groups = [...page.matchAll(/<optgroup label="([^"]*)">([\s\S]*?)<\/optgroup>/g)].map((m) => [m[1], [...m[2]!.matchAll(/value="([a-z_]+)"/g)].map((x) => x[1])]);
      expect(groups).to.deep.equal([
        ['商品やお届けに問題があった（送料は当店負担） / Something was wrong with the item or delivery (at our cost)', ['defective', 'not_as_described', 'wrong_item', 'late_delivery']],
        ['お客様のご都合 / Your own choice', ['size', 'not_as_expected', 'changed_mind']],
      ]);
      expect(page).to.include('商品説明・写真と違う').and.include('イメージと違う（商品説明どおり）').and.include('「商品説明・写真と違う」をお選びください');
      const csrf = csrfOf(page);
      const review = await v.post(`${portal()}/confirm`, { csrf, qty_1: '1', kind: 'return', reason: 'not_as_described' });
      expect(review.html).to.include('不良・商品説明との違い（契約不適合）').and.include('返送用の伝票は当店からお送りします');
    });

    it('states on the bank form what the details are for and when they are deleted, and deletes them then, audited', async () => {
      const order = await pushOrder(d, { paymentMethod: 'cod', codFee: 330 });
      const v = await signInToPortal(server, d.shop.id, order);
      const csrf = csrfOf((await v.get(`${portal()}/order`)).html);
      const fields = { csrf, qty_1: '1', kind: 'return', reason: 'size' };
      const review = await v.post(`${portal()}/confirm`, fields);
      expect(review.html).to.include('ご返金をお振込みするためだけに使います').and.include('90日後に削除します');
      expect(review.html).to.include('only to pay this refund').and.include('deleted 90 days after the refund');
      const filed = await v.post(`${portal()}/submit`, { ...fields, bankName: 'みずほ銀行', branchName: '渋谷支店', accountType: 'ordinary', accountNumber: '1234567', holderKana: 'タナカ タロウ' });
      expect(filed.status, filed.html).to.equal(302);
      const id = filed.location.split('?')[0]!.split('/').pop()!;
      for (const event of ['approve', 'receive', 'inspect', 'start_refund', 'refund_succeeded']) await moved(d.owner, d.shop.id, id, { event });
      const refunded = (await d.owner.get(`/api/shops/${d.shop.id}/returns/${id}`)).body;
      const refundedAt = Date.parse(refunded.refundedAt);

      // Kept while the purpose may still need it (a transfer sent back, a question)…
      await purgeBankDetails(server.database.db, new Date(refundedAt + 89 * DAY));
      expect((await d.owner.get(`/api/shops/${d.shop.id}/returns/${id}`)).body.bankAccount).to.not.equal(null);
      // …and gone after the 90 days the form states, with who and when in the audit trail.
      expect(await purgeBankDetails(server.database.db, new Date(refundedAt + 91 * DAY))).to.be.at.least(1);
      const after = (await d.owner.get(`/api/shops/${d.shop.id}/returns/${id}`)).body;
      expect(after.bankAccount).to.equal(null);
      expect(after.bankPurgedAt).to.be.a('string');
      const audit = await d.owner.get(`/api/shops/${d.shop.id}/audit?objectId=${id}`);
      const deleted = audit.body.events.find((e: { action: string }) => e.action === 'return.bank_deleted');
      expect(deleted).to.deep.include({ actorType: 'system' });
      expect(deleted.summary).to.include({ retentionDays: 90 });
      expect((await d.as.contractor.post(`/api/shops/${d.shop.id}/returns/${id}/reveal-bank`, { reason: '返金の確認のため' })).status).to.equal(404);
    });

    it('deletes the bank details of an exchange that was sent (exchanged), like every ended return', async () => {
      // A COD order's exchange: the account was given for a price difference paid back by transfer.
      const order = await pushOrder(d, { paymentMethod: 'cod', codFee: 330 });
      const bankAccount = { bankName: 'みずほ銀行', branchName: '渋谷支店', accountType: 'ordinary', accountNumber: '7654321', holderKana: 'スズキ ハナコ' };
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number, kind: 'exchange', reason: 'size', bankAccount });
      for (const event of ['approve', 'receive', 'inspect', 'start_exchange', 'exchange_shipped']) await moved(d.owner, d.shop.id, r.id, { event });
      const exchanged = (await d.owner.get(`/api/shops/${d.shop.id}/returns/${r.id}`)).body;
      expect(exchanged.status).to.equal('exchanged');
      expect(exchanged.bankAccount).to.not.equal(null);
      const endedAt = Date.parse(exchanged.updatedAt);
      await purgeBankDetails(server.database.db, new Date(endedAt + 89 * DAY));
      expect((await d.owner.get(`/api/shops/${d.shop.id}/returns/${r.id}`)).body.bankAccount).to.not.equal(null);
      await purgeBankDetails(server.database.db, new Date(endedAt + 91 * DAY));
      const after = (await d.owner.get(`/api/shops/${d.shop.id}/returns/${r.id}`)).body;
      expect(after.bankAccount).to.equal(null);
      expect(after.bankPurgedAt).to.be.a('string');
    });
  });
}
