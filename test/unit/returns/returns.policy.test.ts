import { expect } from 'chai';
import { customerChoiceReasons, returnReasons, shopFaultReasons, type LegalBasis } from '../../../server/domains/returns/returns.model.ts';
import {
  checkPolicy,
  FREQUENT_RETURNS,
  legalBasisOf,
  windowFor,
  type PolicyCheck,
  type PolicyInput,
  type PolicyResult,
} from '../../../server/domains/returns/returns.policy.ts';
import { returnTermsInput, statutoryTerms, type ReturnTermsInput } from '../../../server/domains/returns/returns.terms.schema.ts';

const at = (iso: string) => new Date(iso);

/** Published terms: 14 days, nothing else unless a test says so; a tag the test names gets a label unless the test gives one. */
const terms = (over: Partial<ReturnTermsInput> = {}) => {
  const used = [...(over.nonReturnableTags ?? []), ...(over.windowDaysByTag ?? []).map((w) => w.tag)];
  return returnTermsInput.parse({
    acceptsReturns: true,
    windowDays: 14,
    returnShippingPaidBy: { size: 'customer', not_as_expected: 'customer', changed_mind: 'customer' },
    tagLabels: used.map((tag) => ({ tag, ja: `区分${tag}`, en: `category ${tag}` })),
    ...over,
  });
};

/**
 * Delivered 2026-11-20T15:00Z, which is 2026-11-21 00:00 in Tokyo; asked the next day, under
 * terms version 3. Every rule passes except that the terms do not auto-approve.
 */
const DELIVERED = at('2026-11-20T15:00:00Z');
const anInput = (over: Partial<PolicyInput> = {}): PolicyInput => ({
  reason: 'changed_mind',
  kind: 'return',
  termsVersion: 3,
  terms: terms(),
  deliveredAt: DELIVERED,
  shippedAt: at('2026-11-19T03:00:00Z'),
  items: [{ lineNo: 1, name: 'リネンシャツ', tags: ['apparel'] }],
  conditionsConfirmed: false,
  refundTotal: 3000,
  recentReturns: 0,
  now: at('2026-11-22T03:00:00Z'),
  ...over,
});

/** The statutory case: nothing published, so the order carries no terms version. */
const statutory = (over: Partial<PolicyInput> = {}) => anInput({ termsVersion: null, terms: statutoryTerms, ...over });

const checksOf = (r: PolicyResult, rule: PolicyCheck['rule']) => r.checks.filter((c) => c.rule === rule);
const only = (r: PolicyResult, rule: PolicyCheck['rule']): PolicyCheck => {
  const found = checksOf(r, rule);
  expect(found, `exactly one ${rule} check in ${JSON.stringify(r.checks)}`).to.have.length(1);
  return found[0]!;
};
const failedBlocking = (r: PolicyResult) => r.checks.filter((c) => !c.ok && c.blocking).map((c) => c.rule);

/** The shop's failures: a defect or an item not as described (契約不適合), the wrong item, late delivery (履行遅滞). */
const shopFaultBasis: Record<(typeof shopFaultReasons)[number], LegalBasis> = { defective: 'defect', not_as_described: 'defect', wrong_item: 'shop_error', late_delivery: 'late_delivery' };

describe('returns policy: legal basis', () => {
  const rows: Array<[reason: (typeof returnReasons)[number], termsVersion: number | null, goodwill: boolean, basis: LegalBasis]> = [
    ...returnReasons.flatMap((reason) =>
      ([3, null] as const).flatMap((version) =>
        [false, true].map((goodwill): [(typeof returnReasons)[number], number | null, boolean, LegalBasis] => {
          if (reason in shopFaultBasis) return [reason, version, goodwill, shopFaultBasis[reason as keyof typeof shopFaultBasis]];
          if (goodwill) return [reason, version, goodwill, 'goodwill'];
          return [reason, version, goodwill, version === null ? 'statutory' : 'terms'];
        }),
      ),
    ),
  ];

  for (const [reason, version, goodwill, basis] of rows) {
    it(`${reason} with terms version ${version ?? 'none'}${goodwill ? ', as goodwill,' : ''} is ${basis}`, () => {
      expect(legalBasisOf(reason, version, goodwill)).to.equal(basis);
      const r = checkPolicy(anInput({ reason, termsVersion: version, terms: version === null ? statutoryTerms : terms(), goodwill }));
      expect(r.basis).to.equal(basis);
    });
  }

  it('is not goodwill unless asked', () => {
    expect(legalBasisOf('size', 1)).to.equal('terms');
    expect(legalBasisOf('size', null)).to.equal('statutory');
  });

  it('covers every reason the portal offers: the customer-choice ones and the shop-fault ones, each once', () => {
    expect([...customerChoiceReasons, ...shopFaultReasons].sort()).to.deep.equal([...returnReasons].sort());
  });

  for (const reason of shopFaultReasons) {
    it(`says in words that a ${reason} claim is the shop’s to take back`, () => {
      const c = only(checkPolicy(anInput({ reason })), 'shop_fault');
      expect(c.ok).to.equal(true);
      expect(c.blocking).to.equal(false);
      expect(checkPolicy(anInput({ reason })).basis).to.equal(shopFaultBasis[reason]);
    });
  }
});

describe('returns policy: the window', () => {
  describe('statutory: 8 days, the delivery day being the first, closing at midnight in Tokyo', () => {
    // Delivered 2026-11-21 JST; day 8 is 2026-11-28 JST, which ends at 2026-11-28T14:59:59.999Z.
    const rows: Array<[now: string, inside: boolean]> = [
      ['2026-11-20T15:00:00Z', true], // the moment of delivery, 00:00 JST on day 1
      ['2026-11-24T03:00:00Z', true],
      ['2026-11-27T15:00:00Z', true], // 00:00 JST on day 8
      ['2026-11-28T14:59:59Z', true], // 23:59:59 JST on day 8
      ['2026-11-28T14:59:59.999Z', true],
      ['2026-11-28T15:00:00Z', false], // 00:00 JST on day 9
      ['2026-11-29T03:00:00Z', false],
      ['2027-01-10T00:00:00Z', false],
    ];
    for (const [now, inside] of rows) {
      it(`is ${inside ? 'inside' : 'outside'} at ${now}`, () => {
        const r = checkPolicy(statutory({ now: at(now) }));
        const c = only(r, 'window');
        expect(c.ok).to.equal(inside);
        expect(c.blocking).to.equal(true);
        expect(r.eligible).to.equal(inside);
        expect(r.windowEndsAt?.toISOString()).to.equal('2026-11-28T14:59:59.999Z');
        expect(c.ja).to.include('2026年11月28日').and.include('特定商取引法の8日間');
        expect(c.en).to.include('8-day').and.include('2026-11-28');
        if (!inside) expect(failedBlocking(r)).to.deep.equal(['window']);
      });
    }
  });

  describe('the Tokyo calendar day of delivery is day 1, whatever the UTC date', () => {
    const rows: Array<[delivered: string, days: number, endsAt: string, jaLastDay: string]> = [
      ['2026-11-20T14:59:59Z', 8, '2026-11-27T14:59:59.999Z', '2026年11月27日'], // 23:59:59 JST on the 20th
      ['2026-11-20T15:00:00Z', 8, '2026-11-28T14:59:59.999Z', '2026年11月28日'], // 00:00 JST on the 21st
      ['2026-03-01T00:00:00Z', 8, '2026-03-08T14:59:59.999Z', '2026年3月8日'], // no leading zeros
      ['2026-12-28T02:00:00Z', 8, '2027-01-04T14:59:59.999Z', '2027年1月4日'], // over the new year
      ['2028-02-25T01:00:00Z', 8, '2028-03-03T14:59:59.999Z', '2028年3月3日'], // over a leap day
    ];
    for (const [delivered, days, endsAt, jaLastDay] of rows) {
      it(`delivered ${delivered}: the ${days}-day window ends ${endsAt} (${jaLastDay})`, () => {
        const r = checkPolicy(statutory({ deliveredAt: at(delivered), now: at(delivered) }));
        expect(r.windowEndsAt?.toISOString()).to.equal(endsAt);
        expect(only(r, 'window').ja).to.include(jaLastDay);
      });
    }
  });

  describe('published terms count the same way with their own number of days', () => {
    it('14 days from 2026-11-21 JST end at the end of 2026-12-04 JST', () => {
      const inside = checkPolicy(anInput({ now: at('2026-12-04T14:59:59Z') }));
      expect(inside.windowEndsAt?.toISOString()).to.equal('2026-12-04T14:59:59.999Z');
      expect(only(inside, 'window').ok).to.equal(true);
      expect(only(inside, 'window').ja).to.include('14日間').and.include('2026年12月4日');
      expect(only(inside, 'window').en).to.include('14-day').and.include('2026-12-04');

      const outside = checkPolicy(anInput({ now: at('2026-12-04T15:00:00Z') }));
      expect(only(outside, 'window').ok).to.equal(false);
      expect(only(outside, 'window').blocking).to.equal(true);
      expect(outside.eligible).to.equal(false);
      expect(only(outside, 'window').ja).to.include('過ぎています').and.include('2026年12月4日');
    });
  });

  describe('tag windows', () => {
    const tagged = terms({ windowDays: 14, windowDaysByTag: [{ tag: 'sale', days: 7 }, { tag: 'furniture', days: 30 }, { tag: 'outdoor', days: 60 }] });
    const item = (lineNo: number, ...tags: string[]) => ({ lineNo, name: `商品${lineNo}`, tags });
    const rows: Array<[what: string, items: PolicyInput['items'], days: number]> = [
      ['no items: the general window', [], 14],
      ['an untagged item: the general window', [item(1)], 14],
      ['a tag without a window of its own: the general window', [item(1, 'apparel')], 14],
      ['a sale item: its shorter window', [item(1, 'sale')], 7],
      ['a furniture item: its longer window', [item(1, 'furniture')], 30],
      ['one item with two windowed tags: the longest', [item(1, 'furniture', 'outdoor')], 60],
      ['one item with a short and a long tag: the longest', [item(1, 'sale', 'furniture')], 30],
      ['a windowed tag beside an unwindowed one: the windowed one', [item(1, 'apparel', 'sale')], 7],
      ['two items with different tag windows: the shortest (each item is held to its own)', [item(1, 'sale'), item(2, 'furniture')], 7],
      ['an untagged item and an outdoor item: the shortest', [item(1), item(2, 'outdoor')], 14],
    ];
    for (const [what, items, days] of rows) {
      it(`${what} (${days} days)`, () => {
        expect(windowFor(tagged, items)).to.equal(days);
        const r = checkPolicy(anInput({ terms: tagged, items: items.length ? items : [item(1)] }));
        if (items.length) expect(only(r, 'window').ja).to.include(`${days}日間`);
      });
    }

    it('uses the tag window for the decision: a furniture item on day 30 is inside, on day 31 outside', () => {
      const items = [item(1, 'furniture')];
      // Day 1 is 2026-11-21 JST, day 30 is 2026-12-20 JST.
      const day30 = checkPolicy(anInput({ terms: tagged, items, now: at('2026-12-20T14:59:59Z') }));
      expect(only(day30, 'window').ok).to.equal(true);
      expect(day30.windowEndsAt?.toISOString()).to.equal('2026-12-20T14:59:59.999Z');
      const day31 = checkPolicy(anInput({ terms: tagged, items, now: at('2026-12-20T15:00:00Z') }));
      expect(only(day31, 'window').ok).to.equal(false);
      expect(day31.eligible).to.equal(false);
    });

    it('holds each item to its own window: a sale item on day 10 is outside even when returned with an untagged item', () => {
      const r = checkPolicy(anInput({ terms: tagged, items: [item(1, 'sale'), item(2)], now: at('2026-11-30T03:00:00Z') }));
      expect(r.eligible).to.equal(false);
      expect(checksOf(r, 'window').some((c) => !c.ok && c.blocking)).to.equal(true);
    });
  });

  describe('when the delivery date is unknown', () => {
    it('counts from shippedAt when deliveredAt is null', () => {
      const r = checkPolicy(statutory({ deliveredAt: null, shippedAt: DELIVERED, now: at('2026-11-28T14:59:59Z') }));
      expect(r.windowEndsAt?.toISOString()).to.equal('2026-11-28T14:59:59.999Z');
      expect(only(r, 'window').ok).to.equal(true);
      expect(checksOf(r, 'delivery_known')).to.deep.equal([]);
      // Past the estimate: the parcel arrived after it shipped, so a person checks instead of a refusal.
      const late = checkPolicy(statutory({ deliveredAt: null, shippedAt: DELIVERED, now: at('2026-11-28T15:00:00Z') }));
      expect(late.eligible).to.equal(true);
      expect(only(late, 'window')).to.include({ ok: false, blocking: false });
      expect(late.reviewReasons).to.include('delivery_estimated');
      expect(late.autoApprove).to.equal(false);
    });

    it('prefers deliveredAt over shippedAt when it has both', () => {
      const r = checkPolicy(statutory({ deliveredAt: DELIVERED, shippedAt: at('2026-11-10T00:00:00Z') }));
      expect(r.windowEndsAt?.toISOString()).to.equal('2026-11-28T14:59:59.999Z');
    });

    for (const [basis, input] of [
      ['terms', anInput({ terms: terms({ autoApprove: { enabled: true, maxAmount: 100_000 } }) })],
      ['statutory', statutory()],
      ['defect', anInput({ reason: 'defective' })],
    ] as const) {
      it(`${basis}: with neither date, a person checks (delivery_known, not blocking) and no window is set`, () => {
        const r = checkPolicy({ ...input, deliveredAt: null, shippedAt: null, now: at('2030-01-01T00:00:00Z') });
        const c = only(r, 'delivery_known');
        expect(c.ok).to.equal(false);
        expect(c.blocking).to.equal(false);
        expect(r.reviewReasons).to.include('delivery_unknown');
        expect(r.eligible).to.equal(true);
        expect(r.autoApprove).to.equal(false);
        expect(r.windowEndsAt).to.equal(null);
        expect(checksOf(r, 'window')).to.deep.equal([]);
      });
    }
  });

  describe('defects and the shop’s mistakes are never late', () => {
    // Past the window: the statutory one ends 2026-11-28T14:59:59.999Z, the 14-day one 2026-12-04T14:59:59.999Z.
    const late: Array<[what: string, input: PolicyInput, now: string]> = [
      ['a day past the statutory window', statutory(), '2026-11-28T15:00:00Z'],
      ['months past the statutory window', statutory(), '2027-06-01T00:00:00Z'],
      ['a day past the terms window', anInput(), '2026-12-04T15:00:00Z'],
      ['months past a closed shop’s terms window', anInput({ terms: terms({ acceptsReturns: false }) }), '2027-06-01T00:00:00Z'],
    ];
    for (const reason of shopFaultReasons) {
      for (const [what, input, now] of late) {
        it(`${reason}, ${what}: accepted, the window check says so without blocking`, () => {
          const r = checkPolicy({ ...input, reason, now: at(now) });
          expect(r.eligible).to.equal(true);
          const c = only(r, 'window');
          expect([c.ok, c.blocking]).to.deep.equal([true, false]);
          expect(c.ja).to.include('ショップ側の理由のため受け付けます');
          expect(failedBlocking(r)).to.deep.equal([]);
        });
      }
      it(`${reason}, inside the window: no window check fails`, () => {
        const r = checkPolicy(anInput({ reason }));
        expect(r.eligible).to.equal(true);
        expect(checksOf(r, 'window').every((c) => c.ok && !c.blocking)).to.equal(true);
      });
    }
  });
});

describe('returns policy: non-returnable tags', () => {
  const withTags = terms({
    nonReturnableTags: ['final_sale', 'underwear'],
    tagLabels: [
      { tag: 'final_sale', ja: '最終処分品', en: 'Final-sale items' },
      { tag: 'underwear', ja: '下着', en: 'Underwear' },
    ],
  });
  const items = [
    { lineNo: 1, name: 'ショーツ', tags: ['apparel', 'underwear'] },
    { lineNo: 2, name: 'リネンシャツ', tags: ['apparel'] },
  ];

  const rows: Array<[what: string, input: PolicyInput, blocks: boolean]> = [
    ['a return under the terms', anInput({ terms: withTags, items }), true],
    ['an exchange under the terms', anInput({ terms: withTags, items, kind: 'exchange' }), true],
    ['a statutory return', anInput({ termsVersion: null, terms: withTags, items }), true],
    ['a defect claim', anInput({ reason: 'defective', terms: withTags, items }), false],
    ['a wrong-item claim', anInput({ reason: 'wrong_item', terms: withTags, items }), false],
    ['a goodwill return', anInput({ goodwill: true, terms: withTags, items }), false],
  ];
  for (const [what, input, blocks] of rows) {
    it(`${blocks ? 'block' : 'do not block'} ${what}, naming the item and the label the customer reads, never the raw tag`, () => {
      const r = checkPolicy(input);
      const c = only(r, 'non_returnable');
      expect(c.ok).to.equal(!blocks);
      expect(c.blocking).to.equal(blocks);
      expect(r.eligible).to.equal(!blocks);
      expect(c.ja).to.include('ショーツ').and.include('下着').and.not.include('underwear');
      expect(c.en).to.include('ショーツ').and.include('Underwear').and.not.include('underwear');
      if (blocks) expect(c.ja).to.include('返品できません');
    });
  }

  it('gives one check per non-returnable item', () => {
    const two = [
      { lineNo: 1, name: 'ショーツ', tags: ['underwear'] },
      { lineNo: 2, name: 'アウトレット品', tags: ['final_sale'] },
      { lineNo: 3, name: 'リネンシャツ', tags: ['apparel'] },
    ];
    const r = checkPolicy(anInput({ terms: withTags, items: two }));
    expect(checksOf(r, 'non_returnable').map((c) => c.ja)).to.have.length(2);
    expect(checksOf(r, 'non_returnable').every((c) => !c.ok && c.blocking)).to.equal(true);
  });

  it('gives no check when no item has such a tag', () => {
    expect(checksOf(checkPolicy(anInput({ terms: withTags })), 'non_returnable')).to.deep.equal([]);
  });

  it('describes a goodwill return over a non-returnable tag as goodwill, not as a defect', () => {
    const c = only(checkPolicy(anInput({ goodwill: true, terms: withTags, items })), 'non_returnable');
    expect(c.ja).not.to.include('不良・誤配送');
  });
});

describe('returns policy: returns and exchanges not accepted', () => {
  const closed = terms({ acceptsReturns: false });

  for (const reason of customerChoiceReasons) {
    it(`acceptsReturns false blocks a ${reason} return`, () => {
      const r = checkPolicy(anInput({ reason, terms: closed }));
      const c = only(r, 'returns_accepted');
      expect([c.ok, c.blocking]).to.deep.equal([false, true]);
      expect(r.eligible).to.equal(false);
      expect(failedBlocking(r)).to.deep.equal(['returns_accepted']);
      expect(c.ja).to.include('受け付けていません');
    });
  }

  for (const reason of shopFaultReasons) {
    it(`acceptsReturns false does not block a ${reason} claim`, () => {
      const r = checkPolicy(anInput({ reason, terms: closed }));
      expect(checksOf(r, 'returns_accepted')).to.deep.equal([]);
      expect(r.eligible).to.equal(true);
    });
  }

  it('says returns are accepted when they are', () => {
    const c = only(checkPolicy(anInput()), 'returns_accepted');
    expect([c.ok, c.blocking]).to.deep.equal([true, true]);
  });

  const noExchanges = terms({ exchangesAccepted: false });
  const rows: Array<[what: string, input: PolicyInput, check: 'fails' | 'passes' | 'absent', eligible: boolean]> = [
    ['a size exchange, exchanges not accepted', anInput({ reason: 'size', kind: 'exchange', terms: noExchanges }), 'fails', false],
    ['a statutory exchange (the law gives a return, not an exchange)', statutory({ reason: 'size', kind: 'exchange' }), 'fails', false],
    ['a size return, exchanges not accepted', anInput({ reason: 'size', kind: 'return', terms: noExchanges }), 'absent', true],
    ['a defect exchange, exchanges not accepted', anInput({ reason: 'defective', kind: 'exchange', terms: noExchanges }), 'absent', true],
    ['a wrong-item exchange, exchanges not accepted', anInput({ reason: 'wrong_item', kind: 'exchange', terms: noExchanges }), 'absent', true],
    ['a size exchange, exchanges accepted', anInput({ reason: 'size', kind: 'exchange' }), 'passes', true],
  ];
  for (const [what, input, check, eligible] of rows) {
    it(`${what}: exchange check ${check}, ${eligible ? 'eligible' : 'not eligible'}`, () => {
      const r = checkPolicy(input);
      const found = checksOf(r, 'exchange_accepted');
      if (check === 'absent') expect(found).to.deep.equal([]);
      else {
        expect(found).to.have.length(1);
        expect(found[0]!.ok).to.equal(check === 'passes');
        expect(found[0]!.blocking).to.equal(true);
      }
      expect(r.eligible).to.equal(eligible);
    });
  }
});

describe('returns policy: conditions', () => {
  const rows: Array<[unopened: boolean, tagsAttached: boolean, confirmed: boolean, ja: string | null, en: string | null]> = [
    [false, false, false, null, null],
    [true, false, false, '未開封', 'unopened'],
    [false, true, false, 'タグ付き', 'tags attached'],
    [true, true, false, '未開封・タグ付き', 'unopened, tags attached'],
    [true, false, true, '未開封', 'unopened'],
    [true, true, true, '未開封・タグ付き', 'unopened, tags attached'],
  ];
  for (const [unopened, tagsAttached, confirmed, ja, en] of rows) {
    const name = [unopened && 'unopened', tagsAttached && 'tags attached'].filter(Boolean).join(' + ') || 'no conditions';
    it(`${name}, ${confirmed ? 'confirmed' : 'not confirmed'}: ${ja === null ? 'no check' : confirmed ? 'passes' : 'blocks'}`, () => {
      const r = checkPolicy(anInput({ terms: terms({ conditions: { unopened, tagsAttached } }), conditionsConfirmed: confirmed }));
      if (ja === null) {
        expect(checksOf(r, 'conditions')).to.deep.equal([]);
        expect(r.eligible).to.equal(true);
        return;
      }
      const c = only(r, 'conditions');
      expect([c.ok, c.blocking]).to.deep.equal([confirmed, true]);
      expect(r.eligible).to.equal(confirmed);
      expect(c.ja).to.include(ja);
      expect(c.en).to.include(en!);
    });
  }

  for (const reason of shopFaultReasons) {
    it(`do not apply to a ${reason} claim`, () => {
      const r = checkPolicy(anInput({ reason, terms: terms({ conditions: { unopened: true, tagsAttached: true } }) }));
      expect(checksOf(r, 'conditions')).to.deep.equal([]);
      expect(r.eligible).to.equal(true);
    });
  }
});

describe('returns policy: frequent returns', () => {
  const autoTerms = terms({ autoApprove: { enabled: true, maxAmount: 100_000 } });
  const rows: Array<[recent: number, flagged: boolean]> = [
    [0, false],
    [FREQUENT_RETURNS - 1, false],
    [FREQUENT_RETURNS, true],
    [FREQUENT_RETURNS + 5, true],
  ];
  for (const [recent, flagged] of rows) {
    it(`${recent} returns in 180 days: ${flagged ? 'flagged and reviewed, still eligible' : 'not flagged, auto-approved'}`, () => {
      const r = checkPolicy(anInput({ terms: autoTerms, recentReturns: recent }));
      expect(r.flags.includes('frequent_returns')).to.equal(flagged);
      expect(r.reviewReasons.includes('frequent_returns')).to.equal(flagged);
      expect(r.autoApprove).to.equal(!flagged);
      expect(r.eligible).to.equal(true);
      const found = checksOf(r, 'frequent_returns');
      if (!flagged) expect(found).to.deep.equal([]);
      else {
        expect(found).to.have.length(1);
        expect([found[0]!.ok, found[0]!.blocking]).to.deep.equal([false, false]);
        expect(found[0]!.ja).to.include(`過去180日に${recent}件`);
        expect(found[0]!.en).to.include(`${recent} returns`);
      }
    });
  }

  it('flags a frequent returner even for a defect claim', () => {
    const r = checkPolicy(anInput({ reason: 'defective', recentReturns: FREQUENT_RETURNS }));
    expect(r.flags).to.include('frequent_returns');
    expect(r.eligible).to.equal(true);
  });
});

describe('returns policy: auto-approval', () => {
  const auto = (enabled: boolean, maxAmount: number) => terms({ autoApprove: { enabled, maxAmount } });
  const rows: Array<[what: string, input: PolicyInput, approved: boolean, reviewReasons: string[], flags: string[]]> = [
    ['terms, enabled, well under the amount', anInput({ terms: auto(true, 5000), refundTotal: 3000 }), true, [], []],
    ['terms, enabled, exactly the amount', anInput({ terms: auto(true, 5000), refundTotal: 5000 }), true, [], []],
    ['terms, enabled, a zero refund under a zero amount', anInput({ terms: auto(true, 0), refundTotal: 0 }), true, [], []],
    ['terms, enabled, one yen above', anInput({ terms: auto(true, 5000), refundTotal: 5001 }), false, ['above_auto_approve_amount'], ['high_value']],
    ['terms, disabled', anInput({ terms: auto(false, 5000), refundTotal: 3000 }), false, ['auto_approve_off'], []],
    ['terms, the default (off)', anInput({ refundTotal: 1 }), false, ['auto_approve_off'], []],
    ['statutory', statutory({ refundTotal: 1 }), false, ['no_published_terms'], []],
    ['statutory, even with auto-approving terms passed in', anInput({ termsVersion: null, terms: auto(true, 100_000), refundTotal: 1 }), false, ['no_published_terms'], []],
    ['a defect', anInput({ reason: 'defective', terms: auto(true, 100_000) }), false, ['basis_defect'], []],
    ['a wrong item', anInput({ reason: 'wrong_item', terms: auto(true, 100_000) }), false, ['basis_shop_error'], []],
    ['goodwill', anInput({ goodwill: true, terms: auto(true, 100_000) }), false, ['basis_goodwill'], []],
  ];
  for (const [what, input, approved, reviewReasons, flags] of rows) {
    it(`${what}: ${approved ? 'approved by the rules' : `reviewed (${reviewReasons.join(', ')})`}`, () => {
      const r = checkPolicy(input);
      expect(r.eligible).to.equal(true);
      expect(r.autoApprove).to.equal(approved);
      expect(r.reviewReasons).to.deep.equal(reviewReasons);
      expect(r.flags).to.deep.equal(flags);
      const found = checksOf(r, 'auto_approve');
      if (approved) {
        expect(found).to.have.length(1);
        expect([found[0]!.ok, found[0]!.blocking]).to.deep.equal([true, false]);
      } else if (flags.includes('high_value')) {
        expect(found).to.have.length(1);
        expect([found[0]!.ok, found[0]!.blocking]).to.deep.equal([false, false]);
        expect(found[0]!.ja).to.include('5,000円');
        expect(found[0]!.en).to.include('¥5,000');
      } else {
        expect(found).to.deep.equal([]);
      }
    });
  }

  it('never auto-approves a request that is not eligible, however small', () => {
    const r = checkPolicy(anInput({ terms: auto(true, 100_000), refundTotal: 100, now: at('2027-01-01T00:00:00Z') }));
    expect(r.eligible).to.equal(false);
    expect(r.autoApprove).to.equal(false);
    expect(checksOf(r, 'auto_approve')).to.deep.equal([]);
  });
});

describe('returns policy: words', () => {
  const kitchenSink = terms({
    acceptsReturns: true,
    windowDaysByTag: [{ tag: 'furniture', days: 30 }],
    conditions: { unopened: true, tagsAttached: true },
    nonReturnableTags: ['underwear'],
    exchangesAccepted: false,
    autoApprove: { enabled: true, maxAmount: 1000 },
  });
  const items = [
    { lineNo: 1, name: 'ショーツ', tags: ['underwear'] },
    { lineNo: 2, name: 'チェア', tags: ['furniture'] },
  ];
  const cases: Array<[what: string, input: PolicyInput]> = [
    ['an everyday terms return', anInput()],
    ['a terms exchange with everything failing', anInput({ terms: kitchenSink, items, kind: 'exchange', recentReturns: 4, refundTotal: 5000, now: at('2027-02-01T00:00:00Z') })],
    ['the same, all passing', anInput({ terms: { ...kitchenSink, exchangesAccepted: true, nonReturnableTags: [] }, items, kind: 'exchange', conditionsConfirmed: true, refundTotal: 500 })],
    ['returns not accepted', anInput({ terms: terms({ acceptsReturns: false }) })],
    ['statutory, inside', statutory()],
    ['statutory, late', statutory({ now: at('2026-12-24T00:00:00Z') })],
    ['a late defect over a non-returnable tag', anInput({ reason: 'defective', terms: kitchenSink, items, now: at('2027-02-01T00:00:00Z') })],
    ['a wrong item', anInput({ reason: 'wrong_item', terms: kitchenSink, items })],
    ['goodwill', anInput({ goodwill: true, terms: kitchenSink, items })],
    ['delivery unknown', anInput({ deliveredAt: null, shippedAt: null })],
  ];
  const japanese = /[\u3040-\u30ff\u4e00-\u9fff]/;
  for (const [what, input] of cases) {
    it(`every check of ${what} is written in both Japanese and English`, () => {
      const r = checkPolicy(input);
      expect(r.checks).not.to.be.empty;
      for (const c of r.checks) {
        expect(c.ja.trim(), `${c.rule} ja`).not.to.equal('');
        expect(c.en.trim(), `${c.rule} en`).not.to.equal('');
        expect(c.ja, `${c.rule} ja is Japanese`).to.match(japanese);
        expect(c.ja, `${c.rule} ja dates are written 2026年11月28日`).not.to.match(/\d{4}-\d{2}-\d{2}/);
        expect(c.ja, `${c.rule} ja dates have no leading zeros`).not.to.match(/年0|月0/);
      }
    });
  }
});
