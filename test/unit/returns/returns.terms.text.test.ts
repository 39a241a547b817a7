import { expect } from 'chai';
import { customerChoiceReasons, STATUTORY_WINDOW_DAYS } from '../../../server/domains/returns/returns.model.ts';
import { returnTermsInput, type ReturnTerms, type ReturnTermsInput } from '../../../server/domains/returns/returns.terms.schema.ts';
import { describeTerms, reasonLabels, type Locale, type TermsSection } from '../../../server/domains/returns/returns.terms.text.ts';

const locales: Locale[] = ['ja', 'en'];

/** Published terms: 14 days, customer pays return shipping, nothing else unless a test says so. */
const terms = (over: Partial<ReturnTermsInput> = {}) =>
  returnTermsInput.parse({
    acceptsReturns: true,
    windowDays: 14,
    returnShippingPaidBy: { size: 'customer', not_as_expected: 'customer', changed_mind: 'customer', late_delivery: 'customer' },
    ...over,
  });

/** Everything a shop may state, each at a value the text can be checked for. */
const full = terms({
  windowDays: 10,
  windowDaysByTag: [
    { tag: 'sale', days: 7 },
    { tag: 'furniture', days: 30 },
  ],
  conditions: { unopened: true, tagsAttached: true, note: { ja: '洗濯済みの商品はお受けできません。', en: 'Washed items cannot be taken back.' } },
  returnShippingPaidBy: { size: 'shop', not_as_expected: 'customer', changed_mind: 'customer' },
  nonReturnableTags: ['final_sale', 'underwear'],
  tagLabels: [
    { tag: 'sale', ja: 'セール品', en: 'Sale items' },
    { tag: 'furniture', ja: '家具', en: 'Furniture' },
    { tag: 'final_sale', ja: '最終処分品', en: 'Final-sale items' },
    { tag: 'underwear', ja: '下着', en: 'Underwear' },
  ],
  deductions: { returnShipping: 800, outboundShipping: true, codFee: true, transferFee: 440, restockingPercent: 10 },
  exchangesAccepted: true,
  note: { ja: 'ご不明な点はお問い合わせください。', en: 'Ask us if anything is unclear.' },
});
const plain = terms();
const closed = terms({ acceptsReturns: false, nonReturnableTags: ['underwear'], tagLabels: [{ tag: 'underwear', ja: '下着', en: 'Underwear' }], exchangesAccepted: true });

const headings = (s: TermsSection[]) => s.map((x) => x.heading);
const section = (s: TermsSection[], heading: string): TermsSection => {
  const found = s.filter((x) => x.heading === heading);
  expect(found, `one section headed ${heading} in ${JSON.stringify(headings(s))}`).to.have.length(1);
  return found[0]!;
};
const allText = (s: TermsSection[]) => s.flatMap((x) => [x.heading, ...x.lines]).join('\n');

const H = {
  returns: { ja: '返品について', en: 'Returns' },
  period: { ja: '返品期間', en: 'Return period' },
  conditions: { ja: '返品の条件', en: 'Conditions' },
  shipping: { ja: '返品送料', en: 'Return shipping' },
  nonReturnable: { ja: '返品できない商品', en: 'Items that cannot be returned' },
  refunds: { ja: '返金について', en: 'Refunds' },
  exchanges: { ja: '交換', en: 'Exchanges' },
  other: { ja: 'その他', en: 'Other' },
  defects: { ja: '不良品・誤配送・お届けの遅れ', en: 'Defects, wrong items and late delivery' },
} satisfies Record<string, Record<Locale, string>>;

describe('return terms text: nothing published (the statutory rule)', () => {
  const expected: Record<Locale, string[]> = {
    ja: ['8日以内', '特定商取引法第15条の3', '商品到着日を含む', '返品の送料はお客様のご負担'],
    en: ['within 8 days of delivery', 'Act on Specified Commercial Transactions', 'Article 15-3', 'the delivery day included', 'The buyer pays the return shipping'],
  };
  for (const l of locales) {
    it(`${l}: states the 8 days under 特定商取引法 and that the buyer pays return shipping, then the defects section`, () => {
      const s = describeTerms(null, l);
      expect(headings(s)).to.deep.equal([H.returns[l], H.defects[l]]);
      const text = section(s, H.returns[l]).lines.join('\n');
      for (const phrase of expected[l]) expect(text).to.include(phrase);
      expect(text).to.include(String(STATUTORY_WINDOW_DAYS));
    });
  }

  it('ja says it is the 特定商取引法 and says 8日', () => {
    const text = allText(describeTerms(null, 'ja'));
    expect(text).to.include('8日').and.include('特定商取引法');
  });

  it('states that a notice by mail, phone or chat counts when it reaches the shop, and that the request never lapses, with the reminder', () => {
    const text = section(describeTerms(null, 'ja'), H.returns.ja).lines.join('\n');
    expect(text).to.include('期間内に当店に届いたお申し出').and.include('メール・お電話・チャット');
    expect(text).to.include('28日を目安に').and.include('3日前にメールでお知らせします').and.include('取り消されません').and.include('当店に届いてから');
    expect(text).not.to.include('期限までにご返送がない場合');
  });

  it('says no published terms exist in both locales', () => {
    expect(allText(describeTerms(null, 'ja'))).to.include('返品特約を定めていません');
    expect(allText(describeTerms(null, 'en'))).to.include('has not published return terms');
  });
});

describe('return terms text: published terms', () => {
  const order = ['period', 'conditions', 'shipping', 'nonReturnable', 'refunds', 'exchanges', 'other', 'defects'] as const;
  for (const l of locales) {
    it(`${l}: full terms give every section, in order, the defects section last`, () => {
      expect(headings(describeTerms(full, l))).to.deep.equal(order.map((k) => H[k][l]));
    });

    it(`${l}: plain terms give only the sections that have something to say`, () => {
      expect(headings(describeTerms(plain, l))).to.deep.equal(['period', 'shipping', 'refunds', 'exchanges', 'defects'].map((k) => H[k as keyof typeof H][l]));
    });
  }

  describe('the window', () => {
    it('states the general window counted from the delivery day, in both locales', () => {
      expect(section(describeTerms(full, 'ja'), H.period.ja).lines[0]).to.equal('商品到着日を1日目として10日以内にお申し込みください。');
      expect(section(describeTerms(full, 'en'), H.period.en).lines[0]).to.equal('Apply within 10 days of delivery, the delivery day counting as the first.');
    });

    it('lists each tag window after the general one, by the label customers read', () => {
      expect(section(describeTerms(full, 'ja'), H.period.ja).lines.slice(1, 3)).to.deep.equal(['セール品は7日以内です。', '家具は30日以内です。']);
      expect(section(describeTerms(full, 'en'), H.period.en).lines.slice(1, 3)).to.deep.equal(['Sale items: 7 days.', 'Furniture: 30 days.']);
    });

    it('matches labels to tags as the schema normalises both', () => {
      const t = terms({ windowDaysByTag: [{ tag: 'ＳＡＬＥ', days: 5 }], tagLabels: [{ tag: 'Sale', ja: 'セール品', en: 'Sale items' }] });
      expect(section(describeTerms(t, 'ja'), H.period.ja).lines).to.include('セール品は5日以内です。');
    });

    it('has the general line, how a notice reaches the shop and the sending deadline when no tag has a window', () => {
      for (const l of locales) expect(section(describeTerms(plain, l), H.period[l]).lines).to.have.length(3);
      expect(section(describeTerms(plain, 'ja'), H.period.ja).lines[1]).to.include('メール・お電話・チャット').and.include('期間内に当店に届いた');
    });

    it('states how long the customer has to send the item once approved, the reminder, and that the request ends after it, as the machine does', () => {
      const t = terms({ shipWithinDays: 10 });
      expect(section(describeTerms(t, 'ja'), H.period.ja).lines.at(-1)).to.equal('承認後10日以内に商品をご返送ください（期限の3日前にメールでお知らせします）。期限までにご返送がない場合、お申し込みは終了します。');
      expect(section(describeTerms(t, 'en'), H.period.en).lines.at(-1)).to.equal('Once approved, send the item back within 10 days (we remind you by mail 3 days before). If it has not been sent by then, the request ends.');
    });
  });

  describe('conditions', () => {
    const rows: Array<[what: string, conditions: ReturnTermsInput['conditions'], ja: string[], en: string[]]> = [
      ['unopened', { unopened: true }, ['未開封・未使用の商品に限ります。'], ['Items must be unopened and unused.']],
      ['tags attached', { tagsAttached: true }, ['タグが付いた状態に限ります。'], ['Tags must be attached.']],
      [
        'both, with a note',
        { unopened: true, tagsAttached: true, note: { ja: '箱も必要です。', en: 'Keep the box.' } },
        ['未開封・未使用の商品に限ります。', 'タグが付いた状態に限ります。', '箱も必要です。'],
        ['Items must be unopened and unused.', 'Tags must be attached.', 'Keep the box.'],
      ],
      ['a note alone', { note: { ja: '箱も必要です。', en: 'Keep the box.' } }, ['箱も必要です。'], ['Keep the box.']],
    ];
    for (const [what, conditions, ja, en] of rows) {
      it(`${what}: listed in both locales`, () => {
        const t = terms({ conditions });
        expect(section(describeTerms(t, 'ja'), H.conditions.ja).lines).to.deep.equal(ja);
        expect(section(describeTerms(t, 'en'), H.conditions.en).lines).to.deep.equal(en);
      });
    }

    it('no conditions: no conditions section', () => {
      for (const l of locales) expect(headings(describeTerms(plain, l))).not.to.include(H.conditions[l]);
    });
  });

  describe('who pays return shipping', () => {
    for (const l of locales) {
      it(`${l}: one line per reason of the customer’s choice, with the reason’s label and the payer`, () => {
        const lines = section(describeTerms(full, l), H.shipping[l]).lines;
        expect(lines).to.have.length(customerChoiceReasons.length);
        const payer = (p: 'shop' | 'customer') => (l === 'ja' ? (p === 'shop' ? '当店負担' : 'お客様負担') : p === 'shop' ? 'paid by us' : 'paid by you');
        customerChoiceReasons.forEach((r, i) => {
          expect(lines[i]).to.equal(`${reasonLabels[r][l]}: ${payer(full.returnShippingPaidBy[r])}`);
        });
      });
    }

    it('follows the terms: size paid by the shop, changed mind by the customer', () => {
      const ja = section(describeTerms(full, 'ja'), H.shipping.ja).lines;
      expect(ja).to.include('サイズが合わない: 当店負担').and.include('お客様のご都合: お客様負担');
      const en = section(describeTerms(full, 'en'), H.shipping.en).lines;
      expect(en).to.include('Wrong size: paid by us').and.include('Changed my mind: paid by you');
    });
  });

  describe('items that cannot be returned', () => {
    it('names them by their labels, never by the raw tag, and keeps the shop’s failures out of it', () => {
      expect(section(describeTerms(full, 'ja'), H.nonReturnable.ja).lines).to.deep.equal(['最終処分品、下着は返品できません（不良・商品説明との違い・誤配送・お届けの遅れを除く）。']);
      expect(section(describeTerms(full, 'en'), H.nonReturnable.en).lines).to.deep.equal(['Final-sale items, Underwear cannot be returned (except defects, items not as described, our mistakes and late delivery).']);
      for (const l of locales) expect(allText(describeTerms(full, l))).not.to.include('final_sale');
    });

    it('still reads sensibly for a version published before labels: the shop’s category, and how to check', () => {
      // Stored versions are never rewritten: one from before labels has tags and no tagLabels.
      const old = { ...terms(), nonReturnableTags: ['sale'], windowDaysByTag: [{ tag: 'gift', days: 30 }], tagLabels: undefined } as unknown as ReturnTerms;
      const ja = describeTerms(old, 'ja');
      expect(section(ja, H.nonReturnable.ja).lines).to.deep.equal(['当店が返品不可とした区分（sale）の商品は返品できません。対象かどうかは商品ページまたはお問い合わせでご確認ください（不良・誤配送などを除く）。']);
      expect(section(ja, H.period.ja).lines).to.include('当店が区分「gift」とした商品は30日以内です。');
      expect(allText(ja)).not.to.include('「sale」の表示がある商品');
      expect(section(describeTerms(old, 'en'), H.nonReturnable.en).lines[0]).to.include('categories we marked as non-returnable (sale)');
    });

    it('has no such section when there are none', () => {
      for (const l of locales) expect(headings(describeTerms(plain, l))).not.to.include(H.nonReturnable[l]);
    });
  });

  describe('deductions', () => {
    const rows: Array<[what: string, deductions: ReturnTermsInput['deductions'], ja: string, en: string]> = [
      ['return shipping', { returnShipping: 800 }, '返送用伝票を当店が手配した場合の返送料 800円', 'return shipping when we send you a label: ¥800'],
      ['return shipping with a thousands separator', { returnShipping: 1100 }, '返送料 1,100円', '¥1,100'],
      ['outbound shipping', { outboundShipping: true }, 'お届け時の送料は返金しません', 'the original shipping is not refunded'],
      ['the COD fee', { codFee: true }, '代引き手数料は返金しません', 'the cash-on-delivery fee is not refunded'],
      ['the transfer fee', { transferFee: 440 }, '銀行振込で返金する場合の振込手数料 440円', 'bank transfer fee when refunded by transfer: ¥440'],
      ['a zero transfer fee, still stated', { transferFee: 0 }, '振込手数料 0円', '¥0'],
      ['restocking', { restockingPercent: 10 }, '再入荷手数料 商品代金の10%', 'restocking fee: 10% of the goods'],
    ];
    for (const [what, deductions, ja, en] of rows) {
      it(`${what}: stated, after the sentence saying it is deducted`, () => {
        const t = terms({ deductions });
        const jaLines = section(describeTerms(t, 'ja'), H.refunds.ja).lines;
        const enLines = section(describeTerms(t, 'en'), H.refunds.en).lines;
        expect(jaLines).to.have.length(2);
        expect(enLines).to.have.length(2);
        expect(jaLines[0]).to.equal('お客様都合の返品では、次の金額を差し引いて返金します。');
        expect(enLines[0]).to.equal('For returns of your choice we deduct:');
        expect(jaLines[1]).to.include(ja);
        expect(enLines[1]).to.include(en);
      });
    }

    it('all of them: one line each, in the order the schema lists them', () => {
      const ja = section(describeTerms(full, 'ja'), H.refunds.ja).lines;
      expect(ja).to.have.length(6);
      ['返送料 800円', 'お届け時の送料', '代引き手数料', '振込手数料 440円', '10%'].forEach((p, i) => expect(ja[i + 1]).to.include(p));
      const en = section(describeTerms(full, 'en'), H.refunds.en).lines;
      expect(en).to.have.length(6);
      ['¥800', 'original shipping', 'cash-on-delivery', '¥440', '10%'].forEach((p, i) => expect(en[i + 1]).to.include(p));
    });

    it('none: says nothing is deducted', () => {
      expect(section(describeTerms(plain, 'ja'), H.refunds.ja).lines).to.deep.equal(['お客様都合の返品でも、商品代金から差し引くものはありません。']);
      expect(section(describeTerms(plain, 'en'), H.refunds.en).lines).to.deep.equal(['Nothing is deducted from refunds of your choice.']);
    });

    it('false flags are not deductions', () => {
      const t = terms({ deductions: { outboundShipping: false, codFee: false } });
      expect(section(describeTerms(t, 'en'), H.refunds.en).lines).to.deep.equal(['Nothing is deducted from refunds of your choice.']);
    });
  });

  describe('exchanges', () => {
    const rows: Array<[accepted: boolean, ja: string, en: string]> = [
      [true, '同じ条件で交換を受け付けます。', 'Exchanges are accepted on the same terms'],
      [false, 'お客様都合の交換はお受けしておりません。', 'We do not exchange items of your choice.'],
    ];
    for (const [accepted, ja, en] of rows) {
      it(`${accepted ? 'accepted' : 'not accepted'}: says so in both locales`, () => {
        const t = terms({ exchangesAccepted: accepted });
        expect(section(describeTerms(t, 'ja'), H.exchanges.ja).lines.join('')).to.include(ja);
        expect(section(describeTerms(t, 'en'), H.exchanges.en).lines.join('')).to.include(en);
      });
    }
  });

  it('ends with the shop’s note under Other when it has one', () => {
    expect(section(describeTerms(full, 'ja'), H.other.ja).lines).to.deep.equal(['ご不明な点はお問い合わせください。']);
    expect(section(describeTerms(full, 'en'), H.other.en).lines).to.deep.equal(['Ask us if anything is unclear.']);
    for (const l of locales) expect(headings(describeTerms(plain, l))).not.to.include(H.other[l]);
  });
});

describe('return terms text: returns not accepted', () => {
  for (const l of locales) {
    it(`${l}: says returns and exchanges of the customer’s choice are not accepted, and still has the defects section`, () => {
      const s = describeTerms(closed, l);
      expect(headings(s)).to.deep.equal([H.returns[l], H.defects[l]]);
      expect(section(s, H.returns[l]).lines).to.deep.equal([l === 'ja' ? 'お客様のご都合による返品・交換はお受けしておりません。' : 'We do not accept returns or exchanges of the customer’s choice.']);
    });
  }
});

describe('return terms text: the defects section', () => {
  const cases: Array<[what: string, t: ReturnTerms | null]> = [
    ['nothing published', null],
    ['plain terms', plain],
    ['full terms', full],
    ['returns not accepted', closed],
  ];
  for (const [what, t] of cases) {
    for (const l of locales) {
      it(`${what}, ${l}: closes with defects and wrong items, whatever the window or tags, the shop paying, one year to notify`, () => {
        const s = describeTerms(t, l);
        const last = s[s.length - 1]!;
        expect(last.heading).to.equal(H.defects[l]);
        const text = last.lines.join('\n');
        if (l === 'ja') expect(text).to.include('返品期間や返品不可の指定にかかわらず').and.include('送料は当店が負担します').and.include('1年以内').and.include('お約束の日を過ぎて').and.include('目安を過ぎてもお申し出は取り消されません');
        else expect(text).to.include('whatever the return period or the item').and.include('We pay the shipping').and.include('within one year').and.include('after the promised date').and.include('Your request stands');
      });
    }
  }
});

describe('return terms text: every section in both locales', () => {
  const cases: Array<[what: string, t: ReturnTerms | null]> = [
    ['nothing published', null],
    ['plain terms', plain],
    ['full terms', full],
    ['returns not accepted', closed],
    ['exchanges not accepted, some deductions', terms({ exchangesAccepted: false, deductions: { codFee: true, transferFee: 330 } })],
  ];
  const japanese = /[\u3040-\u30ff\u4e00-\u9fff]/;
  for (const [what, t] of cases) {
    it(`${what}: a heading and at least one non-empty line for every section, ja and en alike`, () => {
      const ja = describeTerms(t, 'ja');
      const en = describeTerms(t, 'en');
      expect(ja.length).to.equal(en.length);
      ja.forEach((s, i) => {
        const e = en[i]!;
        for (const x of [s, e]) {
          expect(x.heading.trim()).not.to.equal('');
          expect(x.lines).not.to.be.empty;
          for (const line of x.lines) expect(line.trim(), x.heading).not.to.equal('');
        }
        expect(s.heading).to.match(japanese);
        expect(e.heading).not.to.match(japanese);
        expect(s.lines.length, `${s.heading} / ${e.heading}`).to.equal(e.lines.length);
      });
    });
  }
});
