import { expect } from 'chai';
import { DomainError } from '../../../server/core/errors.ts';
import { replyBody, stripQuoted } from '../../../server/domains/conversations/conversations.email.parse.ts';
import { MESSAGE_MAX } from '../../../server/domains/conversations/conversations.schema.ts';

const previous = ['> 山田 花子 様', '>', '> 「テスト商店」へのお問い合わせ（#12）に、担当者から返信がありました。', '> ■ 佐藤（2026/11/25 10:00）', '> 明日発送いたします。'].join('\n');

describe('quoted earlier mail is removed from a reply', () => {
  const cases: Array<[string, string]> = [
    ['Gmail in Japanese', `届きました。\nありがとうございます。\n\n2026年11月25日(水) 10:00 テスト商店 <no-reply@shop.example.jp>:\n\n${previous}\n`],
    ['Gmail in Japanese with the address wrapped to the next line', `届きました。\nありがとうございます。\n\n2026年11月25日(水) 10:00 テスト商店 <\nno-reply@shop.example.jp>:\n\n${previous}\n`],
    ['Apple Mail in Japanese', `届きました。\nありがとうございます。\n\n2026/11/25 10:00、テスト商店 <no-reply@shop.example.jp>のメッセージ：\n\n${previous}\n`],
    ['Outlook in Japanese (separator)', `届きました。\nありがとうございます。\n\n----- 元のメッセージ -----\n差出人: テスト商店 <no-reply@shop.example.jp>\n送信日時: 2026年11月25日 10:00\n\n山田 花子 様\n明日発送いたします。\n`],
    ['Outlook in Japanese (header block only)', `届きました。\nありがとうございます。\n\n________________________________\n差出人: テスト商店 <no-reply@shop.example.jp>\n送信日時: 2026年11月25日 10:00\n宛先: hanako@example.jp\n\n山田 花子 様\n`],
    ['Thunderbird in Japanese', `届きました。\nありがとうございます。\n\n2026/11/25 10:00 テスト商店 さんは書きました:\n${previous}\n`],
    ['Gmail in English', `届きました。\nありがとうございます。\n\nOn Wed, Nov 25, 2026 at 10:00 AM Test Shop <no-reply@shop.example.jp> wrote:\n\n${previous}\n`],
    ['Outlook in English', `届きました。\nありがとうございます。\n\n-----Original Message-----\nFrom: Test Shop <no-reply@shop.example.jp>\nSent: Wednesday, November 25, 2026 10:00 AM\n\nDear Hanako,\n`],
    ['only quoted lines', `届きました。\nありがとうございます。\n\n${previous}\n`],
    ['Windows line ends', `届きました。\r\nありがとうございます。\r\n\r\n2026年11月25日(水) 10:00 テスト商店 <no-reply@shop.example.jp>:\r\n\r\n${previous.replace(/\n/g, '\r\n')}\r\n`],
  ];
  for (const [client, mail] of cases) {
    it(`${client}: only the new text is kept`, () => {
      expect(stripQuoted(mail)).to.equal('届きました。\nありがとうございます。');
    });
  }

  it('answers written between quoted lines are kept, the quoted lines dropped', () => {
    expect(stripQuoted('> 色はどちらですか？\n青でお願いします。\n> サイズは？\nMでお願いします。\n')).to.equal('青でお願いします。\nMでお願いします。');
  });

  it('a mobile signature after the text is dropped', () => {
    expect(stripQuoted('了解しました。\n\nSent from my iPhone\n')).to.equal('了解しました。');
  });

  it('a line of the customer that mentions a date and ends with a colon is not taken for a reply header', () => {
    const text = '2026年11月25日に届いた商品について:\n箱が潰れていました。\n次のメッセージ:\n写真を送ります。';
    expect(stripQuoted(text)).to.equal(text);
  });

  it('a mail without any quote is kept whole', () => {
    expect(stripQuoted('注文番号 A-1001 の件です。\n\n返品したいです。')).to.equal('注文番号 A-1001 の件です。\n\n返品したいです。');
  });
});

describe('the message body stored from a mail', () => {
  const invalid = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(e).to.be.instanceOf(DomainError);
      return (e as DomainError).code;
    }
    throw new Error('expected a DomainError');
  };

  it('is the reply without the quote, trimmed, with runs of blank lines shortened', () => {
    expect(replyBody('\n\n届きました。   \n\n\n\nまた連絡します。\n\n2026年11月25日(水) 10:00 店 <a@b.jp>:\n> 前\n')).to.equal('届きました。\n\nまた連絡します。');
  });

  it('loses control characters that mail programs leave, but keeps tabs', () => {
    expect(replyBody('品番\tA-1\u0007\u000c です')).to.equal('品番\tA-1 です');
  });

  it('is refused when only the quoted earlier mail is there', () => {
    expect(invalid(() => replyBody(`2026年11月25日(水) 10:00 店 <a@b.jp>:\n${previous}\n`))).to.equal('invalid_input');
    expect(invalid(() => replyBody('   \n\n'))).to.equal('invalid_input');
  });

  it(`is refused, not cut, when longer than ${MESSAGE_MAX} characters`, () => {
    expect(invalid(() => replyBody('あ'.repeat(MESSAGE_MAX + 1)))).to.equal('invalid_input');
    expect(replyBody('あ'.repeat(MESSAGE_MAX))).to.have.length(MESSAGE_MAX);
  });
});
