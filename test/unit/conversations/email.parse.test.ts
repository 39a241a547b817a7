import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../server/config.ts';
import { DomainError } from '../../../server/core/errors.ts';
import { inboundEmailConfig } from '../../../server/domains/conversations/conversations.email.ts';
import { mailTarget, readMail, replyAddress, shopAddress } from '../../../server/domains/conversations/conversations.email.parse.ts';

const inbound = { secret: 'an-inbound-secret-of-some-length', domain: 'reply.example.jp' };

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(DomainError);
    return (e as DomainError).message;
  }
  throw new Error('expected a DomainError');
};

describe('reply addresses', () => {
  const id = randomUUID();

  it('a signed reply address fits in a mail local part and leads back to its conversation', () => {
    const address = replyAddress(inbound, id);
    expect(address).to.match(new RegExp(`^reply\\+${id}\\.[\\w-]{16}@reply\\.example\\.jp$`));
    expect(address.split('@')[0]!.length).to.be.at.most(64);
    expect(mailTarget(inbound, ['someone@else.jp', address])).to.deep.equal({ kind: 'reply', conversationId: id });
  });

  it('a mail system that lower-cases the address still reaches the conversation', () => {
    expect(mailTarget(inbound, [replyAddress(inbound, id).toLowerCase()])).to.deep.equal({ kind: 'reply', conversationId: id });
    expect(mailTarget({ ...inbound }, [replyAddress(inbound, id).replace('reply.example.jp', 'REPLY.Example.JP')])).to.deep.equal({ kind: 'reply', conversationId: id });
  });

  it('a signature made with another secret, or for another conversation, is refused', () => {
    const other = replyAddress({ ...inbound, secret: 'a-different-secret-of-some-length' }, id);
    expect(refusal(() => mailTarget(inbound, [other]))).to.match(/signature/);
    const [local, domain] = replyAddress(inbound, id).split('@');
    const swapped = `${local!.replace(id, randomUUID())}@${domain}`;
    expect(refusal(() => mailTarget(inbound, [swapped]))).to.match(/signature/);
  });

  it('a shop address opens a ticket in that shop; a good reply address wins over it', () => {
    const shopId = randomUUID();
    expect(mailTarget(inbound, [shopAddress(inbound, shopId)])).to.deep.equal({ kind: 'shop', shopId });
    expect(mailTarget(inbound, [shopAddress(inbound, shopId), replyAddress(inbound, id)])).to.deep.equal({ kind: 'reply', conversationId: id });
  });

  it('addresses of other domains, or other local parts at ours, are no recipient', () => {
    expect(refusal(() => mailTarget(inbound, [replyAddress(inbound, id).replace('reply.example.jp', 'reply.example.com'), `info@${inbound.domain}`]))).to.match(/no recipient/);
    expect(refusal(() => mailTarget(inbound, []))).to.match(/no recipient/);
  });
});

describe('reading a raw mail', () => {
  const b64 = (s: string) => `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`;
  // ISO-2022-JP bytes of "届きました。" and "Re: 返品について" (checked against the platform's decoder below).
  const JIS_BODY = Buffer.from('GyRCRk8kLSReJDckPyEjGyhC', 'base64');
  const JIS_SUBJECT = 'UmU6IBskQkpWSUokSyREJCQkRhsoQg==';

  function mail(headers: string[], body: Buffer) {
    return Buffer.concat([Buffer.from(`${headers.join('\r\n')}\r\nMIME-Version: 1.0\r\n\r\n`), body]);
  }

  it('an ISO-2022-JP mail with an encoded subject reads as Japanese text, with recipients from every header', async () => {
    expect(new TextDecoder('iso-2022-jp').decode(JIS_BODY)).to.equal('届きました。');
    const raw = mail(
      [
        `From: ${b64('山田 花子')} <Hanako@Example.jp>`,
        'To: shop@example.jp',
        'Cc: a@example.jp, b@example.jp',
        'Delivered-To: reply+x@reply.example.jp',
        'X-Original-To: shop+y@reply.example.jp',
        `Subject: =?ISO-2022-JP?B?${JIS_SUBJECT}?=`,
        'Message-ID: <abc-123@mail.example.jp>',
        'Content-Type: text/plain; charset=ISO-2022-JP',
        'Content-Transfer-Encoding: 7bit',
      ],
      Buffer.concat([JIS_BODY, Buffer.from('\r\n')]),
    );
    const m = await readMail(raw);
    expect(m.subject).to.equal('Re: 返品について');
    expect(m.text.trim()).to.equal('届きました。');
    expect(m.from).to.deep.equal({ address: 'Hanako@Example.jp', name: '山田 花子' });
    expect(m.recipients).to.have.members(['shop@example.jp', 'a@example.jp', 'b@example.jp', 'reply+x@reply.example.jp', 'shop+y@reply.example.jp']);
  });

  it('an HTML-only mail reads as text, its blockquote as quoted lines', async () => {
    const m = await readMail(mail(['From: a@example.jp', 'To: b@example.jp', 'Content-Type: text/html; charset=utf-8'], Buffer.from('<p>了解です</p><blockquote>前のメール</blockquote>')));
    expect(m.text).to.equal('了解です\n\n> 前のメール');
  });

  it('the same Message-ID gives the same client id whatever the bytes; without one, the bytes decide', async () => {
    const a = await readMail(mail(['From: a@example.jp', 'Message-ID: <same@example.jp>', 'Received: by mx1'], Buffer.from('本文')));
    const b = await readMail(mail(['From: a@example.jp', 'Message-ID: <same@example.jp>', 'Received: by mx2'], Buffer.from('本文')));
    const c = await readMail(mail(['From: a@example.jp', 'Message-ID: <other@example.jp>'], Buffer.from('本文')));
    expect(a.clientId).to.equal(b.clientId).and.match(/^mail-[0-9a-f]{40}$/);
    expect(c.clientId).to.not.equal(a.clientId);
    const d1 = await readMail(mail(['From: a@example.jp'], Buffer.from('本文')));
    const d2 = await readMail(mail(['From: a@example.jp'], Buffer.from('本文')));
    const d3 = await readMail(mail(['From: a@example.jp'], Buffer.from('別の本文')));
    expect(d1.clientId).to.equal(d2.clientId);
    expect(d3.clientId).to.not.equal(d1.clientId);
  });

  it('bytes that are no mail give no recipients and no text, without failing', async () => {
    const m = await readMail(Buffer.from('\u0000\u0001 not a mail at all'));
    expect(m.recipients).to.deep.equal([]);
    expect(m.from).to.equal(null);
  });
});

describe('replies by mail, configured', () => {
  const env = { NODE_ENV: 'test' };

  it('are off unless both the secret and the domain are set', () => {
    expect(inboundEmailConfig(loadConfig(env))).to.equal(undefined);
    const on = inboundEmailConfig(loadConfig({ ...env, INBOUND_EMAIL_SECRET: inbound.secret, INBOUND_EMAIL_DOMAIN: 'Reply.Example.JP', INBOUND_EMAIL_LIMIT_MB: '2' }));
    expect(on).to.deep.equal({ secret: inbound.secret, domain: 'reply.example.jp', limitBytes: 2 * 1024 * 1024 });
  });

  it('refuse one without the other, a short secret, or a domain that is not one', () => {
    expect(() => loadConfig({ ...env, INBOUND_EMAIL_SECRET: inbound.secret })).to.throw(ConfigError, /together/);
    expect(() => loadConfig({ ...env, INBOUND_EMAIL_DOMAIN: 'reply.example.jp' })).to.throw(ConfigError, /together/);
    expect(() => loadConfig({ ...env, INBOUND_EMAIL_SECRET: 'short', INBOUND_EMAIL_DOMAIN: 'reply.example.jp' })).to.throw(ConfigError, /INBOUND_EMAIL_SECRET/);
    expect(() => loadConfig({ ...env, INBOUND_EMAIL_SECRET: inbound.secret, INBOUND_EMAIL_DOMAIN: 'reply@example.jp' })).to.throw(ConfigError, /INBOUND_EMAIL_DOMAIN/);
  });
});
