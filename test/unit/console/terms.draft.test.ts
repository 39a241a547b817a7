import { expect } from 'chai';
import { fieldErrors, errorsAt, readable, splitTags, toBody, toDraft, usedTags } from '../../../agent-console/src/components/returns/terms.draft.ts';
import { returnsMessages } from '../../../server/domains/returns/returns.messages.ts';
import { returnTermsInput, statutoryTerms, type ReturnTerms } from '../../../server/domains/returns/returns.terms.schema.ts';

/** The console's terms form: what it loads is what it sends back, and what people clear is cleared. */
describe('the console’s return terms draft', () => {
  const full: ReturnTerms = returnTermsInput.parse({
    acceptsReturns: true,
    windowDays: 14,
    windowDaysByTag: [{ tag: 'gift', days: 30 }],
    conditions: { unopened: true, tagsAttached: false, note: { ja: '箱も必要です', en: 'Keep the box' } },
    returnShippingPaidBy: { size: 'customer', not_as_expected: 'shop', changed_mind: 'customer' },
    nonReturnableTags: ['sale', '下着'],
    tagLabels: [
      { tag: 'sale', ja: 'セール品', en: 'Sale items' },
      { tag: '下着', ja: '下着・肌着', en: 'Underwear' },
      { tag: 'gift', ja: 'ギフトセット', en: 'Gift sets' },
    ],
    deductions: { returnShipping: 770, outboundShipping: true, codFee: true, transferFee: 220, restockingPercent: 10 },
    exchangesAccepted: false,
    autoApprove: { enabled: true, maxAmount: 5000 },
    agentRefundLimit: 3000,
    keepItemThreshold: 500,
    shipWithinDays: 10,
    refusedDelivery: { chargeShipping: true, returnShippingFee: 800 },
    note: { ja: 'その他', en: 'Other' },
  });

  /** What the server reads: the body as JSON (which leaves out undefined). */
  const wire = (body: unknown) => JSON.parse(JSON.stringify(body)) as unknown;

  it('sends back every field as it was loaded', () => {
    for (const t of [full, statutoryTerms]) expect(returnTermsInput.parse(wire(toBody(toDraft(t), t)))).to.deep.equal(t);
  });

  it('clears an optional amount or note that was emptied, instead of keeping the loaded one', () => {
    const d = { ...toDraft(full), transferFee: ' ', note: { ja: '', en: '' }, refusedChargeShipping: false };
    const sent = returnTermsInput.parse(wire(toBody(d, full)));
    expect(sent.deductions).to.not.have.property('transferFee');
    expect(sent).to.not.have.property('note');
    expect(sent.refusedDelivery).to.deep.equal({ chargeShipping: false });
  });

  it('keeps a field the form does not know, from the loaded version', () => {
    const loaded = { ...full, someNewRule: true } as unknown as ReturnTerms;
    expect(toBody(toDraft(loaded), loaded)).to.have.property('someNewRule', true);
  });

  it('sends an empty or malformed number as null, so the server names the field', () => {
    const body = wire(toBody({ ...toDraft(full), windowDays: '', shipWithinDays: 'x' }, full)) as Record<string, unknown>;
    expect(body.windowDays).to.equal(null);
    expect(body.shipWithinDays).to.equal(null);
    const r = returnTermsInput.safeParse(body);
    expect(r.success).to.equal(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).to.include.members(['windowDays', 'shipWithinDays']);
  });

  it('reads full-width digits and splits tags on spaces, commas and 読点', () => {
    expect(toBody({ ...toDraft(full), windowDays: '３０' }, full).windowDays).to.equal(30);
    expect(splitTags(' sale,下着、 gift  ')).to.deep.equal(['sale', '下着', 'gift']);
  });

  it('keeps one label per tag in use, as the server stores the tag, and drops labels of tags no longer named', () => {
    const d = { ...toDraft(full), nonReturnableTags: 'ＳＡＬＥ 福袋', windowDaysByTag: [{ key: 1, tag: 'sale', days: '7' }] };
    expect(usedTags(d)).to.deep.equal(['sale', '福袋']);
    expect(toBody(d, full).tagLabels).to.deep.equal([
      { tag: 'sale', ja: 'セール品', en: 'Sale items' },
      { tag: '福袋', ja: '', en: '' },
    ]);
  });

  it('shows the server’s messages in the reader’s language, and never English in Japanese', () => {
    expect(readable(returnsMessages.windowDays.en, 'ja')).to.equal(returnsMessages.windowDays.ja);
    expect(readable(returnsMessages.windowDays.en, 'en')).to.equal(returnsMessages.windowDays.en);
    expect(readable('Invalid input: expected boolean, received null', 'ja')).to.equal('この項目の入力内容を確認してください。');
  });

  it('files the server’s 400 details by path, a parent path taking its children', () => {
    const errors = fieldErrors([{ in: 'body', path: 'deductions.transferFee', message: 'too big' }, { in: 'body', path: '', message: 'bad' }, 'junk']);
    expect(errorsAt(errors, 'deductions')).to.deep.equal(['too big']);
    expect(errorsAt(errors, 'deductions', true)).to.deep.equal([]);
    expect(errorsAt(errors, '', true)).to.deep.equal(['bad']);
  });
});
