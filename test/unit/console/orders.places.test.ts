import { expect } from 'chai';
import { fieldErrors } from '../../../agent-console/src/fieldErrors.ts';
import { emptyFilter } from '../../../agent-console/src/components/orders/OrderFilters.tsx';
import { listPlaces, splitListErrors } from '../../../agent-console/src/components/orders/orders.places.ts';

/** The orders list's memory of where it was, and the 400s it must show somewhere. */
describe('the console’s orders list place', () => {
  afterEach(() => listPlaces.forget());

  const ownerSearch = { filter: { ...emptyFilter, q: 'taro@example.jp' }, cursors: [null, 'c2'] };

  it('belongs to one person in one shop: a contractor on the same PC never gets the owner’s search', () => {
    listPlaces.set('owner-1', 'shop-1', ownerSearch);
    expect(listPlaces.get('owner-1', 'shop-1')).to.deep.equal(ownerSearch);
    expect(listPlaces.get('contractor-1', 'shop-1')).to.equal(undefined);
    expect(listPlaces.get('owner-1', 'shop-2')).to.equal(undefined);
  });

  it('is forgotten when a session ends, even for the same person', () => {
    listPlaces.set('owner-1', 'shop-1', ownerSearch);
    listPlaces.forget();
    expect(listPlaces.get('owner-1', 'shop-1')).to.equal(undefined);
  });

  it('splits a 400 into what the filters show and what only a form-level message can, in the person’s language', () => {
    const details = [
      { path: 'q', message: 'Too big: expected string to have <=120 characters', ja: '120文字以内で入力してください。' },
      { in: 'query', path: 'cursor', message: 'use nextCursor from the previous page', ja: 'ページの位置が正しくありません。' },
    ];
    const shown = Object.keys(emptyFilter);
    const ja = splitListErrors(fieldErrors(details, 'ja'), shown);
    expect([...ja.fields]).to.deep.equal([['q', ['120文字以内で入力してください。']]]);
    expect(ja.formLevel).to.deep.equal(['ページの位置が正しくありません。']);
    expect(splitListErrors(fieldErrors(details, 'en'), shown).formLevel).to.deep.equal(['use nextCursor from the previous page']);
    expect(splitListErrors(fieldErrors([details[1]], 'ja'), shown).fields.size, 'the cursor is no filter').to.equal(0);
  });
});
