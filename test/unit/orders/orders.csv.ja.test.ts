import { expect } from 'chai';
import { parseOrdersCsv } from '../../../server/domains/orders/orders.csv.ts';
import { reasonInJapanese } from '../../../server/domains/orders/orders.csv.ja.ts';

const header = 'order_number,ordered_at,customer_name,customer_email,postcode,sku,item_name,quantity,unit_price,tax_rate,shipping_fee,cod_fee,coupon_code,payment_method';
const good = ['A-1', '2026/11/25 14:03', '山田 太郎', 'taro@example.jp', '150-0001', 'TEA-01', '抹茶', '1', '1980', '8', '500', '', '', 'credit_card'];
const row = (change: Record<number, string>) => good.map((c, i) => change[i] ?? c).join(',');

/** Every reason the parser gives in the import report has Japanese of its own, not the English behind a lead-in. */
describe('the import report in Japanese', () => {
  it('words each kind of bad cell, row and order in Japanese, keeping the value that was written', () => {
    const rows = [
      row({ 0: 'B-1', 8: '1980.5' }),
      row({ 0: 'B-2', 7: 'two' }),
      row({ 0: 'B-3', 9: 'ten' }),
      row({ 0: 'B-4', 1: '2026/13/01' }),
      row({ 0: 'B-5', 13: 'paypay?' }),
      row({ 0: 'B-6', 4: '〒なし' }),
      row({ 0: 'B-7', 3: 'not-an-email' }),
      row({ 0: 'B-8', 9: '5' }),
      row({ 0: 'B-9', 11: '330' }),
      row({ 0: 'B-10', 12: 'WELCOME' }),
      row({ 0: '' }),
      row({ 0: 'B-11', 10: '-1' }),
      'B-12,2026/11/25',
      row({ 0: 'B-13', 10: '500' }),
      row({ 0: 'B-13', 10: '700', 5: 'TEA-02' }),
    ];
    const { errors } = parseOrdersCsv(new TextEncoder().encode([header, ...rows].join('\n')));
    expect(errors.length).to.be.greaterThan(rows.length - 1);
    for (const e of errors) {
      const ja = reasonInJapanese(e.reason);
      expect(ja, e.reason).not.to.match(/^この値を確認してください/);
      expect(ja, e.reason).to.match(/[ぁ-んァ-ン一-龯]/);
    }
    expect(reasonInJapanese(errors.find((e) => e.orderNumber === 'B-1')!.reason)).to.equal('円単位の整数（例：1,980）で書いてください。"1980.5" は小数です');
    expect(reasonInJapanese(errors.find((e) => e.orderNumber === 'B-6')!.reason)).to.equal('郵便番号は 150-0001 のように入力してください');
  });

  it('keeps an unknown reason readable rather than dropping it', () => {
    expect(reasonInJapanese('something new')).to.equal('この値を確認してください（something new）');
  });
});
