import { expect } from 'chai';
import { carrierHint, mobileCarrierOf } from '../../../server/domains/maillog/maillog.carriers.ts';

describe('Japanese mobile carrier addresses', () => {
  const cases: [string, string | null][] = [
    ['taro@docomo.ne.jp', 'docomo'],
    ['Taro@DOCOMO.NE.JP', 'docomo'],
    ['taro@ezweb.ne.jp', 'au'],
    ['taro@biz.ezweb.ne.jp', 'au'],
    ['taro@au.com', 'au'],
    ['taro@softbank.ne.jp', 'softbank'],
    ['taro@i.softbank.jp', 'softbank'],
    ['taro@d.vodafone.ne.jp', 'softbank'],
    ['taro@ymobile.ne.jp', 'ymobile'],
    ['taro@yahoo.ne.jp', null],
    ['taro@uqmobile.jp', 'uqmobile'],
    ['taro@rakumail.jp', 'rakuten'],
    ['taro@gmail.com', null],
    ['taro@notdocomo.ne.jp', null],
    ['taro@docomo.ne.jp.example.com', null],
    ['090-1234-5678', null],
    ['', null],
  ];
  for (const [address, carrier] of cases) {
    it(`${address || '(empty)'} → ${carrier ?? 'none'}`, () => expect(mobileCarrierOf(address)).to.equal(carrier));
  }

  it('tells a carrier customer, in Japanese and English, which domain to allow', () => {
    const h = carrierHint('hanako@au.com', 'mail.shop.example.jp')!;
    expect(h.carrier).to.equal('au');
    expect(h.ja).to.include('「@mail.shop.example.jp」からのメールを受信できるよう設定してください').and.include('povo');
    expect(h.en).to.include('"@mail.shop.example.jp"');
    expect(carrierHint('hanako@example.jp', 'mail.shop.example.jp')).to.equal(null);
  });
});
