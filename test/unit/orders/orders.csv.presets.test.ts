import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { CsvFileError, parseOrdersCsv, type ParsedCsv } from '../../../server/domains/orders/orders.csv.ts';
import { reasonInJapanese } from '../../../server/domains/orders/orders.csv.ja.ts';
import { paymentOf, phoneOf, prefectureOf } from '../../../server/domains/orders/orders.presets.values.ts';

const bytes = (name: string) => readFileSync(new URL(`../../fixtures/exports/${name}`, import.meta.url));
const text = (name: string) => {
  const b = bytes(name);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return new TextDecoder('shift_jis').decode(b);
  }
};
const utf8 = (s: string) => new TextEncoder().encode(s);
const order = (r: ParsedCsv, n: string) => {
  const o = r.orders.find((x) => x.orderNumber === n);
  if (!o) throw new Error(`no order ${n}; errors: ${JSON.stringify(r.errors)}`);
  return o.input;
};

/** A CSV edited cell by cell: `edit(header, rows)` gets the parsed cells. */
function edited(name: string, edit: (header: string[], rows: string[][]) => void): Uint8Array {
  const [header, ...rows] = parse(text(name).replace(/^\ufeff/, '')) as [string[], ...string[][]];
  edit(header, rows);
  const q = (c: string) => (/[",]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
  return utf8([header, ...rows].map((r) => r.map(q).join(',')).join('\r\n'));
}
const set = (header: string[], row: string[], column: string, value: string) => {
  row[header.indexOf(column)] = value;
};

function fileError(f: () => unknown): CsvFileError {
  try {
    f();
  } catch (e) {
    if (e instanceof CsvFileError) return e;
    throw e;
  }
  throw new Error('expected a CsvFileError');
}

describe('order CSV presets: the platforms\' own exports', () => {
  describe('Shopify (orders_export.csv, UTF-8, order columns on the first row only)', () => {
    const r = parseOrdersCsv(bytes('shopify-orders_export.csv'));

    it('is recognised from its header row and reads every order without errors', () => {
      expect(r.preset).to.equal('shopify');
      expect(r.encoding).to.equal('utf-8');
      expect(r.errors).to.deep.equal([]);
      expect(r.orders.map((o) => [o.orderNumber, o.lines])).to.deep.equal([['#1001', [2, 3]], ['#1002', [4]], ['#1003', [5]]]);
    });

    it('maps the billing name, the +81 phone, the apostrophe zip, the JP-13 province and the address in Japanese order', () => {
      expect(order(r, '#1001')).to.deep.include({
        orderedAt: '2026-11-25T14:03:00+09:00',
        customer: { name: '山田 太郎', email: 'taro@example.jp', phone: '090-1234-5678', postcode: '150-0001', prefecture: '東京都', address: '渋谷区神宮前1-2-3 メゾン101' },
        shippingFee: 500,
        paymentMethod: 'credit_card',
        shippedAt: '2026-11-26T10:00:00+09:00',
      });
    });

    it('tells the 8% line from the 10% line by the order\'s tax lines', () => {
      expect(order(r, '#1001').lines.map((l) => [l.sku, l.unitPrice, l.quantity, l.taxRate])).to.deep.equal([
        ['TEA-01', 1980, 2, 8],
        ['CUP-02', 3300, 1, 10],
      ]);
      expect(order(r, '#1003').lines[0]!.taxRate).to.equal(8);
    });

    it('reads Cancelled at as the cancellation', () => {
      expect(order(r, '#1003').cancelledAt).to.equal('2026-11-28T12:30:00+09:00');
      expect(order(r, '#1001').cancelledAt).to.equal(undefined);
    });

    it('reads the discount code and amount as the coupon, and 代金引換 as COD', () => {
      expect(order(r, '#1002')).to.deep.include({ coupon: { code: 'WELCOME', discount: 200 }, paymentMethod: 'cod' });
      expect(order(r, '#1002').customer.prefecture).to.equal('大阪府');
    });

    it('finds the columns in any order and among extra columns', () => {
      const moved = edited('shopify-orders_export.csv', (header, rows) => {
        header.reverse().push('Custom Column');
        for (const row of rows) row.reverse().push('x');
      });
      const again = parseOrdersCsv(moved);
      expect(again.preset).to.equal('shopify');
      expect(again.errors).to.deep.equal([]);
      expect(again.orders.map((o) => o.input)).to.deep.equal(r.orders.map((o) => o.input));
    });

    it('names its own column in the report: a bad Lineitem price is reported at "Lineitem price"', () => {
      const bad = parseOrdersCsv(edited('shopify-orders_export.csv', (h, rows) => set(h, rows[1]!, 'Lineitem price', '3,300円くらい')));
      expect(bad.errors.map((e) => [e.line, e.column])).to.deep.equal([
        [2, null], // order rejected: line 3 has an error
        [3, 'Lineitem price'],
      ]);
      expect(bad.orders.map((o) => o.orderNumber)).to.deep.equal(['#1002', '#1003']);
    });

    it('refuses a file whose Lineitem price column was renamed, naming the Shopify column', () => {
      const e = fileError(() => parseOrdersCsv(edited('shopify-orders_export.csv', (h) => set(h, h, 'Lineitem price', 'Price'))));
      expect(e.message).to.include('Shopify').and.include('"Lineitem price"');
      expect(e.ja).to.include('Shopify').and.include('「Lineitem price」');
      expect(e.details).to.deep.equal({ preset: 'shopify', missing: ['Lineitem price'] });
    });

    it('reads a province written as a number or a name, and leaves it out for an address abroad', () => {
      const variants = parseOrdersCsv(
        edited('shopify-orders_export.csv', (h, rows) => {
          set(h, rows[0]!, 'Shipping Province', '13');
          set(h, rows[2]!, 'Shipping Province', 'Osaka');
          set(h, rows[3]!, 'Shipping Country', 'United States');
          set(h, rows[3]!, 'Shipping Province', 'NY');
        }),
      );
      expect(variants.errors).to.deep.equal([]);
      expect(order(variants, '#1001').customer.prefecture).to.equal('東京都');
      expect(order(variants, '#1002').customer.prefecture).to.equal('大阪府');
      expect(order(variants, '#1003').customer.prefecture).to.equal(undefined);
    });

    it('reports an order whose 8% and 10% lines cannot be told apart at the Tax 1 Name column', () => {
      const unclear = parseOrdersCsv(
        edited('shopify-orders_export.csv', (h, rows) => {
          set(h, rows[0]!, 'Tax 1 Value', '1');
          set(h, rows[0]!, 'Tax 2 Value', '1');
        }),
      );
      expect(unclear.errors.filter((e) => e.column === 'Tax 1 Name').map((e) => e.line)).to.deep.equal([2, 3]);
      expect(unclear.errors[0]!.reason).to.match(/8% and 10%/);
      expect(reasonInJapanese(unclear.errors[0]!.reason)).to.match(/^8% と 10% の税が混在/);
    });

    it('does not search the 8%/10% splits of an order of more than 12 lines (2^lines of them: a 10 MB file of 16-line orders held the server for half a minute); it is reported instead', () => {
      const prices = [1080, 2160, 540, 1296, 864, 3240, 1100, 2200, 550, 3300, 1650, 4400, 770];
      const rate8 = prices.slice(0, 6).reduce((a, b) => a + b, 0);
      const rate10 = prices.slice(6).reduce((a, b) => a + b, 0);
      const many = parseOrdersCsv(
        edited('shopify-orders_export.csv', (h, rows) => {
          const [first, second] = [rows[0]!, rows[1]!];
          const extra = prices.slice(2).map(() => [...second]);
          rows.splice(2, 0, ...extra);
          [first, second, ...extra].forEach((r, i) => {
            set(h, r, 'Lineitem price', String(prices[i]));
            set(h, r, 'Lineitem quantity', '1');
            set(h, r, 'Lineitem sku', `SKU-${i}`);
          });
          set(h, first, 'Tax 1 Value', String(Math.floor((rate8 * 8) / 108)));
          set(h, first, 'Tax 2 Value', String(Math.floor((rate10 * 10) / 110)));
        }),
      );
      expect(many.errors.filter((e) => e.orderNumber === '#1001' && e.column === 'Tax 1 Name')).to.have.length(13);
      expect(many.orders.map((o) => o.orderNumber)).to.deep.equal(['#1002', '#1003']);
    });

    it('refuses an order in another currency at its Lineitem price, in Japanese too', () => {
      const usd = parseOrdersCsv(edited('shopify-orders_export.csv', (h, rows) => set(h, rows[3]!, 'Currency', 'USD')));
      expect(usd.orders.map((o) => o.orderNumber)).to.deep.equal(['#1001', '#1002']);
      expect(usd.errors).to.deep.equal([{ line: 5, orderNumber: '#1003', column: 'Lineitem price', reason: 'the order is in USD; only orders in yen (JPY) can be imported' }]);
      expect(reasonInJapanese(usd.errors[0]!.reason)).to.equal('この注文は USD 建てです。円（JPY）建ての注文だけを取り込めます');
    });

    it('refuses an order of a shop whose prices exclude tax (its Total is the lines, shipping and Taxes) rather than storing the prices without tax', () => {
      const excluded = parseOrdersCsv(
        edited('shopify-orders_export.csv', (h, rows) => {
          const r = rows[3]!;
          for (const [c, v] of [['Lineitem price', '1800'], ['Subtotal', '1800'], ['Shipping', '500'], ['Taxes', '230'], ['Total', '2530'], ['Tax 1 Name', 'JCT 10%'], ['Tax 1 Value', '230']] as const) set(h, r, c, v);
        }),
      );
      expect(excluded.orders.map((o) => o.orderNumber)).to.deep.equal(['#1001', '#1002']);
      expect(excluded.errors).to.deep.equal([
        { line: 5, orderNumber: '#1003', column: 'Lineitem price', reason: 'the shop’s prices exclude tax (Total 2530 yen = the lines and shipping + Taxes 230 yen); madoguchi stores what the customer paid per line: connect the store instead, which adds each line’s tax' },
      ]);
      expect(reasonInJapanese(excluded.errors[0]!.reason)).to.match(/^このストアの価格は税抜です/);
    });

    it('uses the line\'s name where the store sets no SKU', () => {
      const noSku = parseOrdersCsv(edited('shopify-orders_export.csv', (h, rows) => set(h, rows[1]!, 'Lineitem sku', '')));
      expect(order(noSku, '#1001').lines.map((l) => l.sku)).to.deep.equal(['TEA-01', '湯呑み']);
    });

    it('takes an order without a payment gateway (fully discounted) as "other"', () => {
      const free = parseOrdersCsv(edited('shopify-orders_export.csv', (h, rows) => set(h, rows[3]!, 'Payment Method', '')));
      expect(order(free, '#1003').paymentMethod).to.equal('other');
    });
  });

  describe('BASE (Shift_JIS, order columns on every row)', () => {
    const r = parseOrdersCsv(bytes('base-orders.csv'));

    it('is recognised and decoded as Shift_JIS, every order read', () => {
      expect([r.preset, r.encoding, r.errors]).to.deep.equal(['base', 'shift_jis', []]);
      expect(r.orders.map((o) => o.orderNumber)).to.deep.equal(['154D88A39E454289', '2B7C11D0E9F84A31']);
    });

    it('joins 氏 and 名, ships to the 配送先 address, and names a variation in the item', () => {
      const o = order(r, '154D88A39E454289');
      expect(o.customer).to.deep.equal({ name: '山田 太郎', email: 'taro@example.jp', phone: '090-1234-5678', postcode: '150-0001', prefecture: '東京都', address: '渋谷区神宮前1-2-3 メゾン101' });
      expect(o.lines.map((l) => [l.sku, l.name, l.unitPrice, l.taxRate])).to.deep.equal([
        ['TEA-01-CAN', '抹茶 100g（缶入り）', 1980, 8],
        ['CUP-02', '湯呑み ～藍～', 3300, 10],
      ]);
    });

    it('reads 代金引換 with its fee, the gift address, and a negative 調整金額 as a discount', () => {
      expect(order(r, '2B7C11D0E9F84A31')).to.deep.include({ paymentMethod: 'cod', codFee: 330, coupon: { discount: 100 }, shippingFee: 0 });
      expect(order(r, '2B7C11D0E9F84A31').customer).to.deep.include({ name: '佐藤 花子', prefecture: '京都府', postcode: '604-8001' });
    });

    it('reports a bad 価格 at the 価格 column', () => {
      const bad = parseOrdersCsv(edited('base-orders.csv', (h, rows) => set(h, rows[2]!, '価格', 'abc')));
      expect(bad.preset).to.equal('base');
      expect(bad.errors).to.have.length(1);
      expect(bad.errors[0]).to.include({ line: 4, orderNumber: '2B7C11D0E9F84A31', column: '価格' });
    });

    it('refuses a file without its 注文ID column, naming it', () => {
      const e = fileError(() => parseOrdersCsv(edited('base-orders.csv', (h) => set(h, h, '注文ID', '注文番号X'))));
      expect(e.details).to.deep.equal({ preset: 'base', missing: ['注文ID'] });
      expect(e.ja).to.include('BASE').and.include('「注文ID」');
    });
  });

  describe('カラーミーショップ (sales_all.csv, Shift_JIS)', () => {
    const r = parseOrdersCsv(bytes('colorme-sales_all.csv'));

    it('is recognised and reads the purchaser, the 配送先 and the items', () => {
      expect([r.preset, r.encoding, r.errors]).to.deep.equal(['colorme', 'shift_jis', []]);
      const o = order(r, '123456789');
      expect(o).to.deep.include({ orderedAt: '2026-11-25T14:03:00+09:00', shippingFee: 500, paymentMethod: 'credit_card' });
      expect(o.lines.map((l) => [l.sku, l.name, l.unitPrice, l.quantity])).to.deep.equal([
        ['140001', '抹茶 100g', 1980, 2],
        ['140002', '湯呑み', 3300, 1],
      ]);
    });

    it('takes 決済手数料 as the COD fee of a 代金引換 order and 割引金額 as its discount', () => {
      expect(order(r, '123456790')).to.deep.include({ paymentMethod: 'cod', codFee: 330, coupon: { discount: 200 } });
    });
  });

  describe('MakeShop (Shift_JIS)', () => {
    const r = parseOrdersCsv(bytes('makeshop-orders.csv'));

    it('is recognised and joins 日付 and 注文時間 (hhmmss) into the order time', () => {
      expect([r.preset, r.encoding, r.errors]).to.deep.equal(['makeshop', 'shift_jis', []]);
      expect(order(r, 'P171323551145213731').orderedAt).to.equal('2026-11-25T14:03:00+09:00');
      expect(order(r, 'P171323551145213732').orderedAt).to.equal('2026-11-27T09:15:00+09:00');
      expect(order(r, 'P171323551145213732')).to.deep.include({ paymentMethod: 'cod', codFee: 330 });
      expect(order(r, 'P171323551145213731').lines.map((l) => [l.sku, l.unitPrice])).to.deep.equal([
        ['TEA-01', 1980],
        ['CUP-02', 3300],
      ]);
    });
  });

  describe('STORES (UTF-8 with BOM)', () => {
    it('is recognised and reads its orders', () => {
      const r = parseOrdersCsv(bytes('stores-orders.csv'));
      expect([r.preset, r.encoding, r.errors]).to.deep.equal(['stores', 'utf-8', []]);
      expect(order(r, '2611250001')).to.deep.include({ shippedAt: '2026-11-26T00:00:00+09:00', paymentMethod: 'credit_card' });
      expect(order(r, '2611250001').lines.map((l) => l.name)).to.deep.equal(['抹茶 100g（缶入り）', '湯呑み']);
    });
  });

  describe('a saved column mapping (custom)', () => {
    const file = utf8(
      ['受注番号,受注日時,お客様,メール,品番,品名,個数,税込単価,決済', 'R-1,2026/11/25 14:03,山田 太郎,taro@example.jp,A-1,抹茶,2,1980,クレジットカード決済', 'R-1,,,,B-2,湯呑み,1,3300,'].join('\n'),
    );
    const mapping = {
      columns: {
        order_number: '受注番号',
        ordered_at: '受注日時',
        customer_name: 'お客様',
        customer_email: 'メール',
        sku: '品番',
        item_name: '品名',
        quantity: '個数',
        unit_price: '税込単価',
        payment_method: '決済',
      },
      defaults: { taxRate: 8 as const },
    };

    it('is used when no preset matches and every header it names is in the file, with its defaults', () => {
      const r = parseOrdersCsv(file, 'auto', { mapping });
      expect([r.preset, r.errors]).to.deep.equal(['custom', []]);
      expect(order(r, 'R-1')).to.deep.include({ paymentMethod: 'credit_card' });
      expect(order(r, 'R-1').lines.map((l) => [l.sku, l.taxRate])).to.deep.equal([
        ['A-1', 8],
        ['B-2', 8],
      ]);
    });

    it('reports a bad cell at the file\'s own header', () => {
      const bad = parseOrdersCsv(utf8(new TextDecoder().decode(file).replace(',2,1980,', ',two,1980,')), 'auto', { mapping });
      expect(bad.errors[0]).to.include({ line: 2, column: '個数' });
    });

    it('with mode "saved", refuses a file missing a mapped header, naming it', () => {
      const e = fileError(() => parseOrdersCsv(bytes('base-orders.csv'), 'auto', { mapping, mode: 'saved' }));
      expect(e.details).to.have.property('missing').that.includes('受注番号');
    });

    it('without a saved mapping, an unknown file still gets madoguchi\'s missing-columns error', () => {
      const e = fileError(() => parseOrdersCsv(file));
      expect(e.message).to.match(/^missing required columns/);
    });
  });

  describe('platform values', () => {
    it('reads prefectures as codes, numbers, romaji and short names', () => {
      expect(['JP-13', '13', 'jp-01', 'Tokyo', 'Tōkyō', 'Hokkaido', 'Osaka-fu', '東京', '京都府', 'Kochi'].map(prefectureOf)).to.deep.equal([
        '東京都', '東京都', '北海道', '東京都', '東京都', '北海道', '大阪府', '東京都', '京都府', '高知県',
      ]);
      expect(prefectureOf('JP-99')).to.equal('JP-99');
    });

    it('reads Kyoto written in romaji without its suffix (its name ends in the "to" of Tokyo-to)', () => {
      expect(['Kyoto', 'Kyōto', 'KYOTO', 'Kyoto-fu', 'Kyoto Prefecture', 'Tokyo-to', 'Tokyo to'].map(prefectureOf)).to.deep.equal(['京都府', '京都府', '京都府', '京都府', '京都府', '東京都', '東京都']);
    });

    it('reads the gateways and labels of the platforms', () => {
      const cases: Record<string, string> = {
        'Shopify Payments': 'credit_card',
        shopify_payments: 'credit_card',
        'Cash on Delivery (COD)': 'cod',
        代金引換: 'cod',
        'クレジットカード決済': 'credit_card',
        '銀行振込(ショップ口座)': 'bank_transfer',
        コンビニ決済: 'convenience_store',
        'NP後払い': 'deferred',
        PayPay: 'e_money',
        'キャリア決済': 'carrier_billing',
        'Gift card': 'other',
      };
      for (const [label, method] of Object.entries(cases)) expect(paymentOf(label), label).to.equal(method);
    });

    it('writes +81 phones the Japanese way', () => {
      expect(['+81 90-1234-5678', '+81-3-1234-5678', '+819012345678', '03 (1234) 5678'].map(phoneOf)).to.deep.equal(['090-1234-5678', '03-1234-5678', '09012345678', '0312345678']);
    });

    it('takes a phone written with a leading apostrophe (how Shopify keeps a spreadsheet from reading +81 as a formula), as zips are', () => {
      expect(["'+81 90-1234-5678", "'03-1234-5678"].map(phoneOf)).to.deep.equal(['090-1234-5678', '03-1234-5678']);
      const quoted = parseOrdersCsv(
        edited('shopify-orders_export.csv', (h, rows) => {
          set(h, rows[0]!, 'Shipping Phone', "'+81 90-1234-5678");
          set(h, rows[0]!, 'Billing Phone', "'+81 90-1234-5678");
        }),
      );
      expect(quoted.errors).to.deep.equal([]);
      expect(order(quoted, '#1001').customer.phone).to.equal('090-1234-5678');
    });
  });
});
