import { expect } from 'chai';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { storeErrorOf } from '../../../server/domains/stores/stores.service.ts';

describe('a failed sync run as the console shows it', () => {
  it('a database refusal names its SQLSTATE, never the query or its values (customer contact data)', () => {
    const cause = Object.assign(new Error('deadlock detected'), { code: '40P01', severity: 'ERROR' });
    const e = new DrizzleQueryError('insert into "orders" ("customer_name", "customer_email") values ($1, $2)', ['田中 太郎', 'taro@example.jp'], cause);
    const { error, kind } = storeErrorOf(e);
    expect(kind).to.equal('unavailable');
    expect(error.code).to.equal('database');
    expect(error.message + error.ja).to.not.include('taro@example.jp').and.not.include('田中').and.not.include('insert');
    expect(error.message).to.include('40P01');
  });

  it('a query that failed without a SQLSTATE (the connection dropped) says so without its values either', () => {
    const e = new DrizzleQueryError('update "orders" set "address" = $1', ['渋谷区神宮前1-2-3'], new Error('Connection terminated unexpectedly'));
    const { error } = storeErrorOf(e);
    expect(error.code).to.equal('database');
    expect(error.message + error.ja).to.not.include('渋谷区').and.not.include('update');
  });
});
