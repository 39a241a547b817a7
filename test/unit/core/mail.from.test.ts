import { expect } from 'chai';
import { fromWithName } from '../../../server/core/mail.ts';

describe("mail sent on a shop's behalf: the From", () => {
  it("keeps MAIL_FROM's address and puts the shop's name in front of it", () => {
    expect(fromWithName('窓口 madoguchi <no-reply@madoguchi.example>', '山田商店')).to.deep.equal({ name: '山田商店', address: 'no-reply@madoguchi.example' });
    expect(fromWithName('no-reply@madoguchi.example', '山田商店')).to.deep.equal({ name: '山田商店', address: 'no-reply@madoguchi.example' });
  });

  it('leaves MAIL_FROM as it is without a name, or when no address can be read from it', () => {
    expect(fromWithName('窓口 madoguchi <no-reply@madoguchi.example>', undefined)).to.equal('窓口 madoguchi <no-reply@madoguchi.example>');
    expect(fromWithName('madoguchi support', '山田商店')).to.equal('madoguchi support');
  });
});
