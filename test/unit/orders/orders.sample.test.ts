import { expect } from 'chai';
import { orderInput, orderNumber } from '../../../server/domains/orders/orders.schema.ts';
import { sampleOrder, sampleOrderCurl, sampleOrderNumber } from '../../../server/domains/orders/orders.sample.ts';

describe("the first-run checklist's sample order", () => {
  it('is an order the API accepts, under a valid order number', () => {
    expect(orderInput.safeParse(sampleOrder).success).to.equal(true);
    expect(orderNumber.safeParse(sampleOrderNumber).success).to.equal(true);
  });

  it('is sent as one PUT, a dry run, with the key and JSON, quoted for the shell', () => {
    const cmd = sampleOrderCurl('https://desk.example.jp', 'shop-1', 'mdg_abc');
    expect(cmd).to.include("curl -X PUT 'https://desk.example.jp/api/shops/shop-1/orders/TEST-0001?dryRun=true'");
    expect(cmd).to.include("-H 'Authorization: Bearer mdg_abc'");
    const body = /-d '(.*)'$/s.exec(cmd)![1]!;
    expect(JSON.parse(body)).to.deep.equal(sampleOrder);
  });
});
