import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { replyAddress, shopAddress } from '../../../server/domains/conversations/conversations.email.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import type { SinkMail } from '../../helpers/smtp.ts';
import { agentClient, ask, cid, connected, waitFor, widgetClient, type AgentSocket } from '../../helpers/sockets.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { newCustomer } from '../../fixtures/chat.ts';

const SECRET = 'inbound-test-secret-0123456789abcdef';
const DOMAIN = 'reply.example.jp';
const inbound = { secret: SECRET, domain: DOMAIN };

const encoded = (s: string) => `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`;

/** A raw mail as a mail program writes it: UTF-8 text in base64, Japanese headers in RFC 2047. */
function rawMail(m: { from: string; fromName?: string; to: string; subject: string; text: string; messageId?: string; extraHeaders?: string[] }): string {
  const headers = [
    `From: ${m.fromName ? `${encoded(m.fromName)} ` : ''}<${m.from}>`,
    `To: ${m.to}`,
    `Subject: ${encoded(m.subject)}`,
    'Date: Wed, 25 Nov 2026 10:05:00 +0900',
    ...(m.messageId ? [`Message-ID: <${m.messageId}>`] : []),
    ...(m.extraHeaders ?? []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
  ];
  const body = Buffer.from(m.text.replace(/\n/g, '\r\n')).toString('base64').replace(/.{76}/g, '$&\r\n');
  return `${headers.join('\r\n')}\r\n\r\n${body}\r\n`;
}

/** The customer's answer on top of the agent's mail, quoted the way Gmail in Japanese does. */
const gmailReply = (answer: string, previous: SinkMail) =>
  `${answer}\n\n2026年11月25日(水) 10:00 窓口 madoguchi <no-reply@madoguchi.localhost>:\n\n${previous.text
    .trim()
    .split('\n')
    .map((l) => `> ${l}`.trimEnd())
    .join('\n')}\n`;

for (const kind of dbKinds) {
  describe(`[${kind}] tickets by email`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let shop: TestShop;
    let agentHttp: TestClient;
    let agent: AgentSocket;

    before(async () => {
      server = await startServer(kind, { config: { INBOUND_EMAIL_SECRET: SECRET, INBOUND_EMAIL_DOMAIN: DOMAIN, REPLY_MAIL_DELAY_SECONDS: '1', INBOUND_EMAIL_LIMIT_MB: '1' } });
      shop = await makeShop(server.database);
      agentHttp = await signedIn(server.url, shop.people.agent);
      agent = agentClient(server.url, shop.id, agentHttp.cookie);
      await connected(agent);
    });
    after(async () => {
      agent.disconnect();
      await server.close();
    });

    const post = (raw: string | Buffer, opts: { secret?: string; type?: string } = {}) =>
      fetch(`${server.url}/api/inbound/email`, {
        method: 'POST',
        headers: { authorization: `Bearer ${opts.secret ?? SECRET}`, 'content-type': opts.type ?? 'message/rfc822' },
        body: typeof raw === 'string' ? raw : new Uint8Array(raw),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

    /** A widget chat with one customer message and one agent reply the customer never reads. */
    async function chatWithUnreadReply() {
      const email = `hanako-${randomBytes(4).toString('hex')}@example.jp`;
      const c = await newCustomer(server.url, shop.id, { name: '山田 花子', email });
      const w = widgetClient(server.url, shop.id, c.token);
      await connected(w);
      const conversationId = (await ask(w, 'conversation:open', {})).conversation.id as string;
      await ask(w, 'message:send', { conversationId, clientId: cid(), body: '注文した商品がまだ届きません。' });
      w.disconnect();
      const reply = await agentHttp.post(`/api/shops/${shop.id}/conversations/${conversationId}/messages`, { clientId: cid(), body: '確認いたします。明日発送の予定です。' });
      expect(reply.status, reply.text).to.equal(201);
      const mail = await server.smtp.waitFor((m) => m.to.includes(email), 15_000);
      return { email, conversationId, mail };
    }

    it("an unread agent reply is mailed with a signed Reply-To, and the customer's answer by mail lands in the conversation without the quote, live for the agent", async () => {
      const { email, conversationId, mail } = await chatWithUnreadReply();
      const replyTo = mail.raw.replyTo?.value[0]?.address;
      expect(replyTo).to.equal(replyAddress(inbound, conversationId));
      expect(mail.text).to.include('このメールにそのままご返信いただければ').and.include('simply reply to this mail');

      await ask(agent, 'conversation:join', { conversationId });
      const arrives = waitFor(agent, 'message', (m: any) => m.conversationId === conversationId && m.authorKind === 'customer' && m.seq === 3);
      const raw = rawMail({ from: email, fromName: '山田 花子', to: replyTo!, subject: `Re: ${mail.subject}`, text: gmailReply('ありがとうございます。\n明日お待ちしています。', mail), messageId: `${randomUUID()}@mail.example.jp` });
      const r = await post(raw);
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      expect(r.body).to.include({ conversationId, seq: 3, duplicate: false, opened: false });
      const live = await arrives;
      expect(live.body).to.equal('ありがとうございます。\n明日お待ちしています。');
      expect(live.authorName).to.equal('山田 花子');

      const again = await post(raw);
      expect(again.status).to.equal(200);
      expect(again.body).to.include({ conversationId, messageId: r.body.messageId, duplicate: true });
      const stored = await agentHttp.get(`/api/shops/${shop.id}/conversations/${conversationId}/messages`);
      expect(stored.body.messages.map((m: any) => [m.seq, m.authorKind])).to.deep.equal([
        [1, 'customer'],
        [2, 'agent'],
        [3, 'customer'],
      ]);
    });

    it('a reply by mail reopens a resolved conversation', async () => {
      const { email, conversationId, mail } = await chatWithUnreadReply();
      const resolved = await agentHttp.patch(`/api/shops/${shop.id}/conversations/${conversationId}`, { status: 'resolved' });
      expect(resolved.status, resolved.text).to.equal(200);
      const r = await post(rawMail({ from: email, to: replyAddress(inbound, conversationId), subject: 'Re: 返信', text: 'まだ届いていません。', messageId: `${randomUUID()}@mail.example.jp` }));
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      expect(r.body).to.include({ conversationId, opened: false });
      const c = await agentHttp.get(`/api/shops/${shop.id}/conversations/${conversationId}`);
      expect(c.body.status).to.equal('open');
      expect(mail.subject).to.include(`#${c.body.number}`);
    });

    it('an out-of-office answer is accepted but not stored, and does not reopen a resolved conversation', async () => {
      const { email, conversationId } = await chatWithUnreadReply();
      await agentHttp.patch(`/api/shops/${shop.id}/conversations/${conversationId}`, { status: 'resolved' });
      for (const header of ['Auto-Submitted: auto-replied', 'Precedence: auto_reply', 'X-Autoreply: yes']) {
        const r = await post(rawMail({ from: email, to: replyAddress(inbound, conversationId), subject: '不在のお知らせ', text: '12月1日まで不在です。', messageId: `${randomUUID()}@mail.example.jp`, extraHeaders: [header] }));
        expect(r.status).to.equal(200);
        expect(r.body).to.deep.equal({ ignored: 'automatic_reply' });
      }
      const c = await agentHttp.get(`/api/shops/${shop.id}/conversations/${conversationId}`);
      expect(c.body.status).to.equal('resolved');
      const msgs = await agentHttp.get(`/api/shops/${shop.id}/conversations/${conversationId}/messages`);
      expect(msgs.body.messages.map((m: { body: string }) => m.body)).to.not.include('12月1日まで不在です。');
    });

    it('a reply by mail to a closed conversation opens a new email conversation for the same customer', async () => {
      const { email, conversationId } = await chatWithUnreadReply();
      const closed = await agentHttp.patch(`/api/shops/${shop.id}/conversations/${conversationId}`, { status: 'closed' });
      expect(closed.status, closed.text).to.equal(200);
      const old = (await agentHttp.get(`/api/shops/${shop.id}/conversations/${conversationId}`)).body;
      const raw = rawMail({ from: email, to: replyAddress(inbound, conversationId), subject: 'Re: 返信', text: 'もう一つ質問があります。', messageId: `${randomUUID()}@mail.example.jp` });
      const r = await post(raw);
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      expect(r.body).to.include({ opened: true, duplicate: false, seq: 1 });
      expect(r.body.conversationId).to.not.equal(conversationId);
      const fresh = (await agentHttp.get(`/api/shops/${shop.id}/conversations/${r.body.conversationId}`)).body;
      expect(fresh).to.include({ channel: 'email', subject: `Re: #${old.number}`, status: 'open' });
      expect(fresh.customer.id).to.equal(old.customer.id);
      const again = await post(raw);
      expect(again.body).to.include({ conversationId: r.body.conversationId, duplicate: true });
    });

    it('a mail to the shop address opens a new email ticket, visible in the inbox once even when posted twice', async () => {
      const from = `taro-${randomBytes(4).toString('hex')}@example.jp`;
      const inboxUpdate = waitFor(agent, 'conversation:updated', (c: any) => c.channel === 'email' && c.subject === '返品の相談');
      const raw = rawMail({ from, fromName: '田中 太郎', to: `テスト商店 <${shopAddress(inbound, shop.id)}>`, subject: '返品の相談', text: 'サイズが合わなかったので返品したいです。', messageId: `${randomUUID()}@mail.example.jp` });
      const r = await post(raw);
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      expect(r.body).to.include({ opened: true, duplicate: false, seq: 1 });
      expect((await post(raw)).body).to.include({ conversationId: r.body.conversationId, duplicate: true });

      const inbox = await agentHttp.get(`/api/shops/${shop.id}/conversations?q=${encodeURIComponent('返品の相談')}`);
      expect(inbox.status, inbox.text).to.equal(200);
      const tickets = inbox.body.conversations.filter((c: any) => c.customer.email === from);
      expect(tickets).to.have.length(1);
      expect(tickets[0]).to.include({ id: r.body.conversationId, channel: 'email', subject: '返品の相談', status: 'open', lastMessagePreview: 'サイズが合わなかったので返品したいです。' });
      expect(tickets[0].customer.name).to.equal('田中 太郎');
      expect((await inboxUpdate).id).to.equal(r.body.conversationId);
    });

    it('a mail without Message-ID posted twice is stored once, and a sender without a display name is named by the address', async () => {
      const from = `jiro-${randomBytes(4).toString('hex')}@example.jp`;
      const raw = rawMail({ from, to: shopAddress(inbound, shop.id), subject: '問い合わせ', text: '在庫はありますか？' });
      const a = await post(raw);
      const b = await post(raw);
      expect(a.status, JSON.stringify(a.body)).to.equal(200);
      expect(b.body).to.include({ conversationId: a.body.conversationId, duplicate: true });
      const c = (await agentHttp.get(`/api/shops/${shop.id}/conversations/${a.body.conversationId}`)).body;
      expect(c.customer.name).to.equal(from.split('@')[0]);
    });

    it('attachments in a mail are not stored, and do not stop its text', async () => {
      const from = `saburo-${randomBytes(4).toString('hex')}@example.jp`;
      const boundary = 'b-123';
      const raw = [
        `From: <${from}>`,
        `To: ${shopAddress(inbound, shop.id)}`,
        `Subject: ${encoded('写真付き')}`,
        `Message-ID: <${randomUUID()}@mail.example.jp>`,
        'MIME-Version: 1.0',
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain; charset=UTF-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        '破損の写真を添付します。',
        `--${boundary}`,
        'Content-Type: image/png; name="a.png"',
        'Content-Disposition: attachment; filename="a.png"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('not really a png').toString('base64'),
        `--${boundary}--`,
        '',
      ].join('\r\n');
      const r = await post(Buffer.from(raw, 'utf8'));
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      const m = await agentHttp.get(`/api/shops/${shop.id}/conversations/${r.body.conversationId}/messages`);
      expect(m.body.messages.map((x: any) => [x.body, x.attachments.length])).to.deep.equal([['破損の写真を添付します。', 0]]);
    });

    it('refuses what it cannot take: wrong secret 401; tampered signature, unknown recipient, unknown shop or conversation, only a quote 400; too large 413; wrong type 415', async () => {
      const id = randomUUID();
      const good = replyAddress(inbound, id);
      const mail = (to: string, text = '本文です。') => rawMail({ from: 'x@example.jp', to, subject: 's', text, messageId: `${randomUUID()}@example.jp` });

      const noSecret = await fetch(`${server.url}/api/inbound/email`, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: mail(good) });
      expect(noSecret.status).to.equal(401);
      expect((await post(mail(good), { secret: 'wrong-secret-wrong-secret-wrong' })).status).to.equal(401);

      const sig = good.slice(good.indexOf('.') + 1, good.indexOf('@'));
      // Another letter, not just another case of it (the signature is compared case-blind).
      const tampered = good.replace(`.${sig}@`, `.${sig[0]!.toLowerCase() === 'a' ? 'b' : 'a'}${sig.slice(1)}@`);
      const t = await post(mail(tampered));
      expect(t.status).to.equal(400);
      expect(t.body.error).to.include({ code: 'invalid_input' });
      expect(t.body.error.message).to.match(/signature/);

      const unknown = await post(mail(`info@${DOMAIN}`));
      expect(unknown.status).to.equal(400);
      expect(unknown.body.error.message).to.match(/no recipient/);

      const noShop = await post(mail(shopAddress(inbound, randomUUID())));
      expect(noShop.status).to.equal(400);
      expect(noShop.body.error.message).to.match(/no shop/);

      const gone = await post(mail(good));
      expect(gone.status).to.equal(400);
      expect(gone.body.error.message).to.match(/no longer exists/);

      const onlyQuote = await post(mail(shopAddress(inbound, shop.id), '> 以前のメール\n> です'));
      expect(onlyQuote.status).to.equal(400);

      const big = Buffer.concat([Buffer.from(mail(shopAddress(inbound, shop.id))), Buffer.alloc(1024 * 1024 + 10, 'a')]);
      expect((await post(big)).status).to.equal(413);

      expect((await post(JSON.stringify({ to: good }), { type: 'application/json' })).status).to.equal(415);
    });

    it('answers 404 when replies by mail are not configured, and reply mails then carry no Reply-To', async () => {
      // Its own database: sharing this suite's, the suite server's dispatcher (which signs
      // Reply-To) could hand the reply mail to its own worker first.
      const plain = await startServer(kind, { config: { REPLY_MAIL_DELAY_SECONDS: '1' } });
      try {
        const shop = await makeShop(plain.database);
        const r = await fetch(`${plain.url}/api/inbound/email`, { method: 'POST', headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'message/rfc822' }, body: 'To: x@y.jp\r\n\r\nhi' });
        expect(r.status).to.equal(404);
        const email = `plain-${randomBytes(4).toString('hex')}@example.jp`;
        const c = await newCustomer(plain.url, shop.id, { email });
        const w = widgetClient(plain.url, shop.id, c.token);
        await connected(w);
        const conversationId = (await ask(w, 'conversation:open', {})).conversation.id as string;
        w.disconnect();
        const staff = await signedIn(plain.url, shop.people.staff);
        expect((await staff.post(`/api/shops/${shop.id}/conversations/${conversationId}/messages`, { clientId: cid(), body: '承知しました。' })).status).to.equal(201);
        const mail = await plain.smtp.waitFor((m) => m.to.includes(email), 15_000);
        expect(mail.raw.replyTo).to.equal(undefined);
        expect(mail.text).to.include('ショップのページのチャット');
      } finally {
        await plain.close();
      }
    });
  });
}
