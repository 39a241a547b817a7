import { expect } from 'chai';
import { maskAddress, maskEmail, maskPhone, maskPostcode, masksContactData } from '../../../server/domains/orders/orders.mask.ts';

describe('masking contact data', () => {
  it('masks only for contractors', () => {
    expect(['owner', 'staff', 'agent', 'contractor', 'api_key'].filter((r) => masksContactData(r as 'owner'))).to.deep.equal(['contractor']);
  });

  const cases: [string, (v: string) => string, string, string][] = [
    ['an email keeps first letters and the top-level domain', maskEmail, 'taro.tanaka@example.co.jp', 't***@e***.jp'],
    ['an email without a dot in the domain', maskEmail, 'a@localhost', 'a***@l***'],
    ['a phone keeps the last four digits', maskPhone, '090-1234-5678', '***-****-5678'],
    ['an international phone keeps the last four digits', maskPhone, '+81-90-1234-5678', '***-****-5678'],
    ['a postcode keeps its first three digits (the area)', maskPostcode, '150-0001', '150-****'],
    ['an address is hidden whole', maskAddress, '渋谷区神宮前1-2-3', '****'],
  ];
  for (const [name, fn, input, output] of cases) {
    it(name, () => expect(fn(input)).to.equal(output));
  }
});
