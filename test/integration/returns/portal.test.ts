import { expect } from 'chai';
import { and, eq, isNull } from 'drizzle-orm';
import { outbox } from '../../../server/core/outbox.tables.ts';
import { PORTAL_CODE_TOPIC } from '../../../server/domains/returns/returns.portal.auth.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { answeredBeforeBody } from '../../helpers/early.ts';
import { eventually } from '../../helpers/eventually.ts';
import { openDesk, publish, pushOrder, someTerms, type Desk, type PushedOrder } from './returns.helpers.ts';
import { csrfOf, png, signInToPortal, Visitor } from './portal.visitor.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] the returns portal, without JavaScript`, () => {
    let server: TestServer;
    let d: Desk;
    before(async () => {
      server = await startServer(kind);
      d = await openDesk(server);
      await publish(d, someTerms({ autoApprove: { enabled: false, maxAmount: 0 } }));
    });
    after(() => server.close());

    const portal = () => `/returns/${d.shop.id}`;

    /** Order number + contact, then the code from the mail: a signed-in visitor. */
    const signIn = (order: PushedOrder, contact = order.email): Promise<Visitor> => signInToPortal(server, d.shop.id, order, contact);

    it('shows the start page in Japanese with English alongside', async () => {
      const page = await new Visitor(server.url).get(portal());
      expect(page.status).to.equal(200);
      expect(page.html).to.include('注文番号').and.include('Order number');
    });

    it('files a return: order number and email, the mailed code, the review with its refund, then the request page', async () => {
      const order = await pushOrder(d);
      const v = await signIn(order);
      const orderPage = await v.get(`${portal()}/order`);
      expect(orderPage.html).to.include('マグカップ').and.include('name="qty_1"');
      const csrf = csrfOf(orderPage.html);
      const review = await v.post(`${portal()}/confirm`, { csrf, qty_1: '1', kind: 'return', reason: 'size' });
      expect(review.status, review.html).to.equal(200);
      // Same code as the API's preview: 1 mug of ¥2,750, nothing deducted on a partial return by card.
      const api = await d.owner.post(`/api/shops/${d.shop.id}/returns/preview`, { orderNumber: order.number, reason: 'size', items: [{ lineNo: 1, quantity: 1 }] });
      expect(api.body.refund.total).to.equal(2750);
      expect(review.html).to.include('返金額').and.include('¥2,750').and.include('この内容で申し込む');
      const submitted = await v.post(`${portal()}/submit`, { csrf, qty_1: '1', kind: 'return', reason: 'size' });
      expect(submitted.status, submitted.html).to.equal(302);
      const page = await v.get(submitted.location);
      expect(page.html).to.match(/R-\d+/).and.include('確認中');
      const list = await d.owner.get(`/api/shops/${d.shop.id}/returns`);
      const mine = list.body.returns.find((r: { orderNumber: string }) => r.orderNumber === order.number);
      expect(mine).to.include({ status: 'needs_review', reason: 'size' });
      const detail = await d.owner.get(`/api/shops/${d.shop.id}/returns/${mine.id}`);
      expect(detail.body.source).to.equal('portal');
      expect(detail.body.history[0]).to.include({ event: 'file', byKind: 'customer' });
    });

    it('answers a wrong order number and a wrong contact the same way, and sends no code for either', async () => {
      const order = await pushOrder(d);
      const before = server.smtp.mails.length;
      const wrongContact = await new Visitor(server.url).post(`${portal()}/code`, { orderNumber: order.number, contact: 'someone-else@example.jp' });
      const wrongNumber = await new Visitor(server.url).post(`${portal()}/code`, { orderNumber: 'NO-SUCH-1', contact: order.email });
      for (const r of [wrongContact, wrongNumber]) {
        expect(r.status).to.equal(302);
        expect(r.location).to.match(/\/verify\?c=/);
      }
      const v = new Visitor(server.url);
      const verify = await v.post(`${portal()}/verify`, { challenge: new URL(wrongContact.location, server.url).searchParams.get('c')!, code: '000000' });
      expect(verify.status).to.equal(400);
      // The barrier: each attempt put its code mail (or its 'no one') on the outbox in its own
      // request; once every such row of this shop has run, any mail it meant has been sent.
      await eventually(async () => {
        const owed = await server.database.db.select({ id: outbox.id }).from(outbox).where(and(eq(outbox.shopId, d.shop.id), eq(outbox.topic, PORTAL_CODE_TOPIC), isNull(outbox.completedAt), isNull(outbox.failedAt)));
        return owed.length === 0;
      }, 'the code mail jobs to have run');
      expect(server.smtp.mails.slice(before).filter((m) => m.to.includes(order.email))).to.have.length(0);
    });

    it('takes the phone number on the order, full-width digits and +81 included', async () => {
      const order = await pushOrder(d);
      await signIn(order, '＋81-90-1234-5678');
    });

    it('burns the code after five wrong tries', async () => {
      const order = await pushOrder(d);
      const v = new Visitor(server.url);
      const started = await v.post(`${portal()}/code`, { orderNumber: order.number, contact: order.email });
      const challenge = new URL(started.location, server.url).searchParams.get('c')!;
      const mail = await server.smtp.waitFor((m) => m.to.includes(order.email));
      const code = /^\s+(\d{6})$/m.exec(mail.text)![1]!;
      const wrong = code === '111111' ? '222222' : '111111';
      for (let i = 0; i < 5; i++) expect((await v.post(`${portal()}/verify`, { challenge, code: wrong })).status).to.equal(400);
      const sixth = await v.post(`${portal()}/verify`, { challenge, code: wrong });
      expect(sixth.status).to.equal(429);
      const late = await v.post(`${portal()}/verify`, { challenge, code });
      expect(late.status).to.equal(401);
    });

    it('refuses a form without the session’s token (403) and quantities above what is left (400), filing nothing', async () => {
      const order = await pushOrder(d);
      const v = await signIn(order);
      const csrf = csrfOf((await v.get(`${portal()}/order`)).html);
      expect((await v.post(`${portal()}/submit`, { qty_1: '1', kind: 'return', reason: 'size' })).status).to.equal(403);
      const tooMany = await v.post(`${portal()}/submit`, { csrf, qty_1: '3', kind: 'return', reason: 'size' });
      expect(tooMany.status).to.equal(400);
      expect(tooMany.html).to.include('入力内容をご確認ください');
      const notANumber = await v.post(`${portal()}/confirm`, { csrf, qty_1: '1.5', kind: 'return', reason: 'size' });
      expect(notANumber.status).to.equal(400);
      const badReason = await v.post(`${portal()}/confirm`, { csrf, qty_1: '1', kind: 'return', reason: '<script>' });
      expect(badReason.status).to.equal(400);
      expect(badReason.html).not.to.include('<script>');
      const list = await d.owner.get(`/api/shops/${d.shop.id}/returns?limit=100`);
      expect(list.body.returns.filter((r: { orderNumber: string }) => r.orderNumber === order.number)).to.have.length(0);
    });

    it('shows a sale item as not returnable on the review page, with no submit button', async () => {
      const order = await pushOrder(d, { lines: [{ sku: 'SALE-1', name: '福袋', quantity: 1, unitPrice: 3300, taxRate: 10, tags: ['sale'] }] });
      const v = await signIn(order);
      const csrf = csrfOf((await v.get(`${portal()}/order`)).html);
      const review = await v.post(`${portal()}/confirm`, { csrf, qty_1: '1', kind: 'return', reason: 'changed_mind' });
      expect(review.html).to.include('返品できません').and.not.include('この内容で申し込む');
      const defect = await v.post(`${portal()}/confirm`, { csrf, qty_1: '1', kind: 'return', reason: 'defective' });
      expect(defect.html).to.include('この内容で申し込む');
    });

    it('lets the customer withdraw while allowed, and never shows another order’s request', async () => {
      const order = await pushOrder(d);
      const v = await signIn(order);
      const csrf = csrfOf((await v.get(`${portal()}/order`)).html);
      const submitted = await v.post(`${portal()}/submit`, { csrf, qty_2: '1', kind: 'return', reason: 'not_as_expected' });
      const requestPath = submitted.location.split('?')[0]!;
      const other = await signIn(await pushOrder(d));
      expect((await other.get(requestPath)).status).to.equal(404);
      const page = await v.get(requestPath);
      expect(page.html).to.include('お申し込みを取り消す');
      const id = requestPath.split('/').pop()!;
      const withdrawn = await v.post(`${requestPath}/withdraw`, { csrf });
      expect(withdrawn.status, withdrawn.html).to.equal(302);
      expect((await v.get(requestPath)).html).to.include('取り消し');
      const again = await v.post(`${requestPath}/withdraw`, { csrf });
      expect(again.status).to.equal(409);
      const detail = await d.owner.get(`/api/shops/${d.shop.id}/returns/${id}`);
      expect(detail.body.status).to.equal('canceled');
    });

    it('files a defect claim with photos, which the shop’s people see (each view audited) through the API, never the customer', async () => {
      const order = await pushOrder(d);
      const v = await signIn(order);
      const csrf = csrfOf((await v.get(`${portal()}/order`)).html);
      const review = await v.post(`${portal()}/confirm`, { csrf, qty_1: '1', kind: 'return', reason: 'defective' });
      expect(review.html).to.include('enctype="multipart/form-data"').and.include('name="photos"');
      const filed = await v.postFiles(`${portal()}/submit`, { csrf, qty_1: '1', kind: 'return', reason: 'defective' }, [
        { bytes: png, type: 'image/png', name: '破損.png' },
        { bytes: png, type: 'image/png', name: 'box.png' },
      ]);
      expect(filed.status, filed.html).to.equal(302);
      const id = filed.location.split('?')[0]!.split('/').pop()!;
      const view = await d.as.contractor.get(`/api/shops/${d.shop.id}/returns/${id}`);
      expect(view.body.legalBasis).to.equal('defect');
      expect(view.body.photos.map((p: { filename: string }) => p.filename)).to.deep.equal(['破損.png', 'box.png']);
      const photo = await fetch(`${server.url}${view.body.photos[0].url}`, { headers: { cookie: d.as.contractor.cookie! } });
      expect(photo.status).to.equal(200);
      expect(photo.headers.get('content-type')).to.equal('image/png');
      expect(photo.headers.get('content-security-policy')).to.include('sandbox');
      expect(Buffer.from(await photo.arrayBuffer()).equals(png)).to.equal(true);
      const audit = await d.owner.get(`/api/shops/${d.shop.id}/audit?objectId=${id}&action=return_photo.viewed`);
      expect(audit.body.events).to.have.length(1);
      // The customer sees them on the portal (portal.customer.test.ts), never through the shop's API.
      expect((await v.get(`${portal()}/requests/${id}`)).html).not.to.include(view.body.photos[0].url);
      expect((await new Visitor(server.url).get(view.body.photos[0].url)).status).to.equal(401);
    });

    it('refuses a file that is not an image, or too many photos, and files nothing', async () => {
      const order = await pushOrder(d);
      const v = await signIn(order);
      const csrf = csrfOf((await v.get(`${portal()}/order`)).html);
      const fields = { csrf, qty_1: '1', kind: 'return', reason: 'defective' };
      const lying = await v.postFiles(`${portal()}/submit`, fields, [{ bytes: Buffer.from('<script>alert(1)</script>'), type: 'image/png', name: 'x.png' }]);
      expect(lying.status).to.equal(415);
      const pdf = await v.postFiles(`${portal()}/submit`, fields, [{ bytes: Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF'), type: 'application/pdf', name: 'x.pdf' }]);
      expect(pdf.status).to.equal(415);
      const six = Array.from({ length: 6 }, (_, i) => ({ bytes: png, type: 'image/png', name: `${i}.png` }));
      expect((await v.postFiles(`${portal()}/submit`, fields, six)).status).to.equal(413);
      const list = await d.owner.get(`/api/shops/${d.shop.id}/returns?limit=100`);
      expect(list.body.returns.filter((r: { orderNumber: string }) => r.orderNumber === order.number)).to.have.length(0);
    });

    it('asks a COD customer for the refund account, which contractors see masked until they reveal it with a reason', async () => {
      const order = await pushOrder(d, { paymentMethod: 'cod', codFee: 330 });
      const v = await signIn(order);
      const csrf = csrfOf((await v.get(`${portal()}/order`)).html);
      const fields = { csrf, qty_1: '1', kind: 'return', reason: 'size' };
      const review = await v.post(`${portal()}/confirm`, fields);
      expect(review.html).to.include('name="accountNumber"');
      const without = await v.post(`${portal()}/submit`, fields);
      expect(without.status).to.equal(400);
      const badKana = await v.post(`${portal()}/submit`, { ...fields, bankName: 'みずほ銀行', branchName: '渋谷支店', accountType: 'ordinary', accountNumber: '1234567', holderKana: 'Taro' });
      expect(badKana.status).to.equal(400);
      const filed = await v.post(`${portal()}/submit`, { ...fields, bankName: 'みずほ銀行', branchName: '渋谷支店', accountType: 'ordinary', accountNumber: '１２３４５６７', holderKana: 'ﾀﾅｶ ﾀﾛｳ' });
      expect(filed.status, filed.html).to.equal(302);
      const id = filed.location.split('?')[0]!.split('/').pop()!;
      const owner = await d.owner.get(`/api/shops/${d.shop.id}/returns/${id}`);
      expect(owner.body.bankAccount).to.deep.include({ accountNumber: '1234567', holderKana: 'タナカ タロウ', masked: false });
      const contractor = await d.as.contractor.get(`/api/shops/${d.shop.id}/returns/${id}`);
      expect(contractor.body.bankAccount).to.deep.include({ bankName: 'みずほ銀行', accountNumber: '*****67', masked: true });
      expect(JSON.stringify(contractor.body)).not.to.include('1234567');
      expect((await d.as.contractor.post(`/api/shops/${d.shop.id}/returns/${id}/reveal-bank`, { reason: 'x' })).status).to.equal(400);
      const revealed = await d.as.contractor.post(`/api/shops/${d.shop.id}/returns/${id}/reveal-bank`, { reason: '返金の振込を行うため' });
      expect(revealed.body.bankAccount.accountNumber).to.equal('1234567');
      const audit = await d.owner.get(`/api/shops/${d.shop.id}/audit?objectId=${id}`);
      const actions = audit.body.events.map((e: { action: string }) => e.action);
      expect(actions).to.include('return.bank_viewed').and.include('return.bank_revealed');
      const reveal = audit.body.events.find((e: { action: string }) => e.action === 'return.bank_revealed');
      expect(reveal.summary.reason).to.equal('返金の振込を行うため');
      expect(JSON.stringify(audit.body)).not.to.include('1234567');
      expect((await v.get(`${portal()}/requests/${id}`)).html).not.to.include('1234567');
    });

    it('answers a NUL character or a malformed order number with the page and a 400, never a 500', async () => {
      const nul = await new Visitor(server.url).post(`${portal()}/code`, { orderNumber: 'A\u0000B', contact: 'x@example.jp' });
      expect(nul.status).to.equal(400);
      expect(nul.html).to.include('注文番号');
      const order = await pushOrder(d);
      const v = await signIn(order);
      const csrf = csrfOf((await v.get(`${portal()}/order`)).html);
      const bad = await v.post(`${portal()}/confirm`, { csrf, qty_1: '1', kind: 'return', reason: 'size', comment: 'a\u0000b' });
      expect(bad.status).to.equal(400);
      expect(bad.html).to.include('入力内容をご確認ください');
    });

    it('asks no account of a COD exchange with nothing owed either way', async () => {
      const order = await pushOrder(d, { paymentMethod: 'cod', codFee: 330 });
      const v = await signIn(order);
      const csrf = csrfOf((await v.get(`${portal()}/order`)).html);
      const review = await v.post(`${portal()}/confirm`, { csrf, qty_1: '1', kind: 'exchange', reason: 'size' });
      // The same mug at the same price: nothing owed either way, so no account is asked for.
      expect(review.html).not.to.include('name="accountNumber"');
      expect((await v.post(`${portal()}/submit`, { csrf, qty_1: '1', kind: 'exchange', reason: 'size' })).status).to.equal(302);
    });

    it('shows a refused parcel on the customer’s page as a parcel that came back, with what is owed for COD', async () => {
      const order = await pushOrder(d, { paymentMethod: 'cod', codFee: 330, deliveredAt: null });
      const r = await d.as.agent.post(`/api/shops/${d.shop.id}/returns/refused-deliveries`, { orderNumber: order.number, fault: 'customer' });
      expect(r.status, r.text).to.equal(201);
      const v = await signIn(order);
      const page = await v.get(`${portal()}/requests/${r.body.id}`);
      expect(page.html).to.include('受け取り拒否により当店に戻りました').and.include('代金引換');
      expect(page.html).not.to.include('ご返送いただいた商品を受け取りました');
    });

    it('sends a visitor without a session back to the start, and answers an unknown shop with 404', async () => {
      const r = await new Visitor(server.url).get(`${portal()}/order`);
      expect(r.status).to.equal(302);
      expect(r.location).to.equal(portal());
      expect((await new Visitor(server.url).get('/returns/00000000-0000-4000-8000-000000000000')).status).to.equal(404);
      expect((await new Visitor(server.url).get('/returns/not-a-shop')).status).to.equal(404);
    });

    it('sends a photo upload without a session back to the start before its body is read', async () => {
      const multipart = { 'content-type': 'multipart/form-data; boundary=x' };
      const r = await answeredBeforeBody(server.url, `${portal()}/submit`, multipart, 40 * 1024 * 1024);
      expect(r.status).to.equal(302);
      expect(r.headers.location).to.equal(portal());
      const forged = await answeredBeforeBody(server.url, `${portal()}/submit`, { ...multipart, cookie: 'mdg_portal=not-a-session' }, 40 * 1024 * 1024);
      expect(forged.status).to.equal(302);
      const unknown = await answeredBeforeBody(server.url, '/returns/00000000-0000-4000-8000-000000000000/submit', multipart, 40 * 1024 * 1024);
      expect(unknown.status).to.equal(404);
    });
  });
}
