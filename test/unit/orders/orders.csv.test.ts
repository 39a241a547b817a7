import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { CsvFileError, maxCsvRows, parseOrdersCsv, type CsvEncoding, type ParsedCsv } from '../../../server/domains/orders/orders.csv.ts';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../../fixtures/csv/${name}`, import.meta.url)));
const utf8 = (text: string) => new TextEncoder().encode(text);

/** Shift_JIS (CP932) bytes of:
 *  注文番号,注文日時,氏名,メールアドレス,商品コード,商品名,数量,単価,税率,支払方法\r\n
 *  D-1,2026/12/24 18:00,田中 陽子,yoko@example.jp,CAKE,ケーキ,1,\3800,10,コンビニ払い\r\n
 *  (0x5C is the yen sign in Shift_JIS), computed once with Python's str.encode('cp932'). */
const sjisBytes = Uint8Array.from(
  Buffer.from(
    '928d95b694d48d862c928d95b693fa8e9e2c8e8196bc2c8381815b838b83418368838c83582c8fa495698352815b83682c8fa4956996bc2c909497ca2c' +
      '925089bf2c90c597a62c8e7895a595fb96400d0a442d312c323032362f31322f32342031383a30302c9363928620977a8e712c796f6b6f406578616d70' +
      '6c652e6a702c43414b452c8350815b834c2c312c5c333830302c31302c835283938372836a95a582a20d0a',
    'hex',
  ),
);

const requiredHeader = [
  'order_number', 'ordered_at', 'customer_name', 'customer_email', 'sku', 'item_name', 'quantity', 'unit_price', 'tax_rate', 'payment_method',
];

type Cells = Record<string, string>;
const baseRow: Cells = {
  order_number: 'A-1',
  ordered_at: '2026/11/25 14:03',
  customer_name: '山田 太郎',
  customer_email: 'taro@example.jp',
  sku: 'TEA-01',
  item_name: '抹茶',
  quantity: '1',
  unit_price: '1980',
  tax_rate: '8',
  payment_method: 'credit_card',
};

const escape = (cell: string) => (/[",\n\r]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);

/** A CSV text with the required columns plus `extra` ones; each row is `baseRow` with overrides. */
function csvText(rows: Partial<Cells>[], extra: string[] = []): string {
  const header = [...requiredHeader, ...extra];
  const lines = rows.map((r) => header.map((h) => escape({ ...baseRow, ...r }[h] ?? '')).join(','));
  return `${[header.join(','), ...lines].join('\n')}\n`;
}
const csv = (rows: Partial<Cells>[], extra: string[] = []) => utf8(csvText(rows, extra));

function fileError(bytes: Uint8Array, hint?: CsvEncoding | 'auto'): CsvFileError {
  try {
    parseOrdersCsv(bytes, hint);
  } catch (e) {
    expect(e).to.be.instanceOf(CsvFileError);
    return e as CsvFileError;
  }
  return expect.fail('expected a CsvFileError');
}

/** The single order of a file that must import cleanly. */
function onlyOrder(result: ParsedCsv) {
  expect(result.errors).to.deep.equal([]);
  expect(result.orders).to.have.length(1);
  return result.orders[0]!;
}

describe('orders CSV import (parseOrdersCsv)', () => {
  describe('encodings', () => {
    it('reads a UTF-8 file with English headers and groups its rows into orders', () => {
      const result = parseOrdersCsv(fixture('orders-utf8.csv'));
      expect(result.encoding).to.equal('utf-8');
      expect(result.rows).to.equal(3);
      expect(result.errors).to.deep.equal([]);
      expect(result.orders.map((o) => [o.orderNumber, o.lines])).to.deep.equal([['A-1001', [2, 3]], ['A-1002', [4]]]);
      const [a, b] = result.orders;
      expect(a!.input).to.deep.equal({
        orderedAt: '2026-11-25T14:03:00+09:00',
        customer: { name: '山田 太郎', email: 'taro@example.jp', phone: '03-1234-5678', postcode: '150-0001', prefecture: '東京都', address: '渋谷区神宮前1-2-3' },
        lines: [
          { sku: 'TEA-01', name: '抹茶 100g', quantity: 2, unitPrice: 1980, taxRate: 8, tags: [] },
          { sku: 'CUP-02', name: '湯呑み', quantity: 1, unitPrice: 3300, taxRate: 10, tags: [] },
        ],
        shippingFee: 500,
        codFee: 0,
        paymentMethod: 'credit_card',
        carrier: 'ヤマト運輸',
        trackingNumber: '1234-5678-9012',
        shippedAt: '2026-11-26T00:00:00+09:00',
        deliveredAt: '2026-11-27T00:00:00+09:00',
      });
      expect(b!.input).to.deep.equal({
        orderedAt: '2026-11-25T20:15:00+09:00',
        customer: { name: '佐藤 花子', email: 'hanako@example.jp', prefecture: '大阪府' },
        lines: [{ sku: 'TEA-01', name: '抹茶 100g', quantity: 1, unitPrice: 1980, taxRate: 8, tags: [] }],
        shippingFee: 0,
        codFee: 330,
        coupon: { code: 'WELCOME', discount: 200 },
        paymentMethod: 'cod',
      });
    });

    it('strips the BOM of a UTF-8 file and reads Japanese headers, CRLF line ends and unknown columns', () => {
      const bytes = fixture('orders-utf8-bom.csv');
      expect([...bytes.slice(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
      const result = parseOrdersCsv(bytes);
      expect(result.encoding).to.equal('utf-8');
      const order = onlyOrder(result);
      expect(order.orderNumber).to.equal('B-2001');
      expect(order.lines).to.deep.equal([2, 3]);
      expect(order.input.orderedAt).to.equal('2026-11-25T09:05:00+09:00');
      expect(order.input.customer.name).to.equal('鈴木 一郎');
      expect(order.input.lines.map((l) => [l.sku, l.quantity, l.unitPrice, l.taxRate])).to.deep.equal([
        ['SOAP-01', 3, 880, 10],
        ['TOWEL-02', 1, 2200, 10],
      ]);
      expect(order.input.trackingNumber).to.equal('5555-6666-7777');
      expect(order.input).to.not.have.property('deliveredAt');
    });

    it('detects a Shift_JIS file automatically', () => {
      const bytes = fixture('orders-sjis.csv');
      expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).to.throw();
      const result = parseOrdersCsv(bytes);
      expect(result.encoding).to.equal('shift_jis');
      expect(result.rows).to.equal(2);
      expect(result.orders.map((o) => o.orderNumber)).to.deep.equal(['C-3002']);
      expect(result.orders[0]!.input).to.deep.include({ paymentMethod: 'bank_transfer', shippingFee: 0 });
      expect(result.orders[0]!.input.lines).to.deep.equal([{ sku: 'MISO-01', name: '白みそ', quantity: 2, unitPrice: 640, taxRate: 8, tags: [] }]);
      // the other order has an invalid postcode; the column is named as written in the Shift_JIS header
      expect(result.errors).to.deep.equal([{ line: 2, orderNumber: 'C-3001', column: '郵便番号', reason: 'expected a postcode such as 150-0001' }]);
    });

    it('reads Shift_JIS when the hint says so, taking the 0x5C byte as a yen sign', () => {
      for (const hint of ['shift_jis', 'auto'] as const) {
        const result = parseOrdersCsv(sjisBytes, hint);
        expect(result.encoding).to.equal('shift_jis');
        const order = onlyOrder(result);
        expect(order.orderNumber).to.equal('D-1');
        expect(order.input.customer.name).to.equal('田中 陽子');
        expect(order.input.paymentMethod).to.equal('convenience_store');
        expect(order.input.lines).to.deep.equal([{ sku: 'CAKE', name: 'ケーキ', quantity: 1, unitPrice: 3800, taxRate: 10, tags: [] }]);
      }
    });

    it('reads a UTF-8 file when the hint says utf-8', () => {
      expect(parseOrdersCsv(fixture('orders-utf8.csv'), 'utf-8').orders).to.have.length(2);
    });

    it('takes a pure ASCII file as UTF-8', () => {
      expect(parseOrdersCsv(csv([{ customer_name: 'Taro Yamada' }])).encoding).to.equal('utf-8');
    });

    it('rejects Shift_JIS bytes hinted as UTF-8, naming the encoding', () => {
      const err = fileError(sjisBytes, 'utf-8');
      expect(err.message).to.equal('the file is not valid UTF-8 text');
      expect(err.details).to.deep.equal({ encoding: 'utf-8' });
    });

    it('rejects bytes hinted as Shift_JIS that are not Shift_JIS, naming the encoding', () => {
      const err = fileError(Uint8Array.from([0x61, 0x2c, 0xff, 0xfe, 0x0a]), 'shift_jis');
      expect(err.message).to.equal('the file is not valid Shift_JIS text');
    });

    it('rejects bytes that are neither UTF-8 nor Shift_JIS', () => {
      // 0xFF is never valid in UTF-8, and 0xA0 / 0xFD–0xFF are not valid Shift_JIS bytes
      const err = fileError(Uint8Array.from([0x61, 0x2c, 0x62, 0x0a, 0xa0, 0xfd, 0xff, 0x0a]));
      expect(err.message).to.equal('the file is neither UTF-8 nor Shift_JIS text');
    });
  });

  describe('whole-file errors', () => {
    it('rejects an empty file', () => {
      expect(fileError(new Uint8Array()).message).to.equal('the file is empty');
      expect(fileError(utf8('\n\r\n  \n')).message).to.equal('the file is empty');
      expect(fileError(utf8('\ufeff')).message).to.equal('the file is empty');
    });

    it('rejects a file whose only rows are empty cells as having no header row', () => {
      expect(fileError(utf8(',,,\n,,\n')).message).to.match(/no header row/);
    });

    it('rejects a file with a missing required column, naming it', () => {
      const text = csvText([{}]).replace('tax_rate', 'vat');
      const err = fileError(utf8(text));
      expect(err.message).to.equal('missing required columns: tax_rate (税率)');
      expect(err.details).to.deep.equal({ missing: ['tax_rate'] });
    });

    it('names every missing required column', () => {
      const err = fileError(utf8('注文番号,注文日時,氏名,メールアドレス,商品名,数量,税率\nA-1,2026/11/25,x,x@example.jp,y,1,10\n'));
      expect(err.message).to.equal(
        'missing required columns: sku (商品コード / SKU), unit_price (単価 / 単価(税込)), payment_method (支払方法)',
      );
    });

    it('rejects a file without a header row', () => {
      const text = csvText([{}, {}]).split('\n').slice(1).join('\n');
      const err = fileError(utf8(text));
      expect(err.message).to.match(/^missing required columns: order_number \(注文番号\), ordered_at/);
      expect(err.message).to.match(/the first row must be a header row/);
    });

    it('says so when a file looks tab-separated', () => {
      const err = fileError(utf8(`${requiredHeader.join('\t')}\n`));
      expect(err.message).to.match(/tab-separated/);
    });

    it('rejects two columns that mean the same field', () => {
      const err = fileError(utf8(csvText([{}], ['注文者氏名'])));
      expect(err.message).to.equal('the columns "customer_name" and "注文者氏名" both mean customer_name; keep only one of them');
    });

    it('rejects an unclosed quote with the line where its row starts', () => {
      const text = `${csvText([{}, { order_number: 'A-2' }])}\nA-3,2026/11/25,"unclosed,x@example.jp,S,n,1,1,10,cod\nA-4,2026/11/25,y,y@example.jp,S,n,1,1,10,cod\n`;
      const err = fileError(utf8(text));
      expect(err.message).to.match(/^the file is not valid CSV \(line 5\): a quoted field in the row starting on line 5 is never closed$/);
      expect(err.details).to.deep.include({ line: 5, code: 'CSV_QUOTE_NOT_CLOSED' });
    });

    it('rejects a malformed closing quote with its line number', () => {
      const text = `${csvText([{}])}A-2,"2026/11/25"x,y,y@example.jp,S,n,1,1,10,cod\n`;
      const err = fileError(utf8(text));
      expect(err.message).to.match(/^the file is not valid CSV \(line 3\)/);
      expect(err.details).to.deep.include({ line: 3, code: 'CSV_INVALID_CLOSING_QUOTE' });
    });

    it('rejects a stray quote inside an unquoted field with its line number', () => {
      const text = `${csvText([{}])}\nA-2,2026/11/25,y,y@example.jp,S,15"モニター,1,1,10,cod\n`;
      const err = fileError(utf8(text));
      expect(err.message).to.match(/^the file is not valid CSV \(line 4\): Invalid Opening Quote/);
    });

    it(`rejects more than ${maxCsvRows} data rows`, () => {
      const row = csvText([{}]).split('\n')[1]!;
      const text = `${requiredHeader.join(',')}\n${`${row}\n`.repeat(maxCsvRows + 1)}`;
      const err = fileError(utf8(text));
      expect(err.message).to.equal(`the file has ${maxCsvRows + 1} data rows; at most ${maxCsvRows} are accepted per file`);
    });

    it('says every file-level problem in Japanese too, with the same line or count', () => {
      const row = csvText([{}]).split('\n')[1]!;
      const cases: Array<[Uint8Array, CsvEncoding | 'auto', RegExp]> = [
        [Uint8Array.from(Buffer.from(`${requiredHeader.join(',')}\n`, 'utf16le')), 'auto', /^1 行目に NUL 文字があります。UTF-16/],
        [sjisBytes, 'utf-8', /^UTF-8 の文字として読めない/],
        [Uint8Array.from([0x61, 0x2c, 0x62, 0x0a, 0xa0, 0xfd, 0xff, 0x0a]), 'auto', /^UTF-8 でも Shift_JIS でもない/],
        [new Uint8Array(), 'auto', /^ファイルが空です$/],
        [utf8(',,,\n,,\n'), 'auto', /見出し行がありません/],
        [utf8(`${csvText([{}])}\nA-3,2026/11/25,"unclosed,x@example.jp,S,n,1,1,10,cod\n`), 'auto', /^CSV として読めません（4 行目）：この行から始まる引用符/],
        [utf8(`${csvText([{}])}A-2,"2026/11/25"x,y,y@example.jp,S,n,1,1,10,cod\n`), 'auto', /^CSV として読めません（3 行目）。引用符/],
        [utf8(`${requiredHeader.join(',')}\n${`${row}\n`.repeat(maxCsvRows + 1)}`), 'auto', new RegExp(`^データが ${maxCsvRows + 1} 行あります`)],
        [utf8(csvText([{}]).replace('tax_rate', 'vat')), 'auto', /^必須の列がありません：tax_rate \(税率\)$/],
        [utf8(`${requiredHeader.join('\t')}\n`), 'auto', /タブ区切り/],
        [utf8(csvText([{}], ['注文者氏名'])), 'auto', /^列「customer_name」と「注文者氏名」は同じ項目/],
      ];
      for (const [bytes, hint, ja] of cases) {
        const err = fileError(bytes, hint);
        expect(err.ja, err.message).to.match(ja);
      }
    });
  });

  describe('header', () => {
    it('matches English column names case-insensitively and ignoring surrounding spaces', () => {
      const text = csvText([{}]).replace('order_number,ordered_at', ' Order_Number , ORDERED_AT');
      const order = onlyOrder(parseOrdersCsv(utf8(text)));
      expect(order.orderNumber).to.equal('A-1');
    });

    it('accepts every Japanese alias, full-width brackets included', () => {
      const header = '注文番号,注文日時,注文者氏名,メールアドレス,電話番号,郵便番号,都道府県,住所,SKU,商品名,数量,単価（税込）,税率,送料,代引手数料,クーポンコード,クーポン値引額,支払方法,配送業者,伝票番号,発送日,配達日';
      const row = 'J-1,2026/11/25 10:00,山田 花子,hanako@example.jp,０３－１２３４－５６７８,１５０－０００１,東京都,渋谷区1-1,S-1,みかん,2,"1,000",8,800,330,FALL,100,代引き,ヤマト運輸,1111-2222-3333,2026/11/26,2026/11/27';
      const order = onlyOrder(parseOrdersCsv(utf8(`${header}\n${row}\n`)));
      expect(order.input).to.deep.equal({
        orderedAt: '2026-11-25T10:00:00+09:00',
        customer: { name: '山田 花子', email: 'hanako@example.jp', phone: '03-1234-5678', postcode: '150-0001', prefecture: '東京都', address: '渋谷区1-1' },
        lines: [{ sku: 'S-1', name: 'みかん', quantity: 2, unitPrice: 1000, taxRate: 8, tags: [] }],
        shippingFee: 800,
        codFee: 330,
        coupon: { code: 'FALL', discount: 100 },
        paymentMethod: 'cod',
        carrier: 'ヤマト運輸',
        trackingNumber: '1111-2222-3333',
        shippedAt: '2026-11-26T00:00:00+09:00',
        deliveredAt: '2026-11-27T00:00:00+09:00',
      });
    });

    it('accepts the alternative Japanese aliases', () => {
      const header = '注文番号,注文日時,氏名,メールアドレス,商品コード,商品名,数量,単価,税率,支払方法,代引き手数料,クーポン割引,追跡番号,お届け日';
      const row = 'J-2,2026/11/25,佐藤,sato@example.jp,S-1,みかん,1,500,8,代金引換,300,50,9999,2026/11/28';
      const order = onlyOrder(parseOrdersCsv(utf8(`${header}\n${row}\n`)));
      expect(order.input).to.deep.include({ codFee: 300, coupon: { discount: 50 }, trackingNumber: '9999', deliveredAt: '2026-11-28T00:00:00+09:00' });
    });

    it('accepts a file with a header and no data rows', () => {
      expect(parseOrdersCsv(utf8(`${requiredHeader.join(',')}\n`))).to.deep.equal({ encoding: 'utf-8', preset: 'madoguchi', rows: 0, orders: [], errors: [] });
    });
  });

  describe('grouping rows into orders', () => {
    it('makes one order of the rows sharing an order number, lines in file order', () => {
      const order = onlyOrder(
        parseOrdersCsv(csv([{ sku: 'A', quantity: '1' }, { sku: 'B', quantity: '2' }, { sku: 'C', quantity: '3' }])),
      );
      expect(order.lines).to.deep.equal([2, 3, 4]);
      expect(order.input.lines.map((l) => [l.sku, l.quantity])).to.deep.equal([['A', 1], ['B', 2], ['C', 3]]);
    });

    it('groups rows of the same order that are not adjacent', () => {
      const result = parseOrdersCsv(
        csv([
          { order_number: 'A-1', sku: 'A' },
          { order_number: 'A-2', sku: 'X', customer_email: 'other@example.jp' },
          { order_number: 'A-1', sku: 'B' },
        ]),
      );
      expect(result.errors).to.deep.equal([]);
      expect(result.orders.map((o) => [o.orderNumber, o.lines, o.input.lines.map((l) => l.sku)])).to.deep.equal([
        ['A-1', [2, 4], ['A', 'B']],
        ['A-2', [3], ['X']],
      ]);
    });

    it('takes order-level values from the first row when later rows leave them blank', () => {
      const order = onlyOrder(
        parseOrdersCsv(
          csv(
            [
              { sku: 'A', shipping_fee: '500', carrier: 'ヤマト運輸' },
              { sku: 'B', ordered_at: '', customer_name: '', customer_email: '', payment_method: '' },
            ],
            ['shipping_fee', 'carrier'],
          ),
        ),
      );
      expect(order.input).to.deep.include({ shippingFee: 500, carrier: 'ヤマト運輸', paymentMethod: 'credit_card' });
      expect(order.input.lines).to.have.length(2);
    });

    it('rejects an order whose later row disagrees on an order-level column', () => {
      const result = parseOrdersCsv(
        csv(
          [
            { sku: 'A', shipping_fee: '500' },
            { sku: 'B', shipping_fee: '500' },
            { sku: 'C', shipping_fee: '800' },
            { order_number: 'A-2', sku: 'A' },
          ],
          ['shipping_fee'],
        ),
      );
      expect(result.orders.map((o) => o.orderNumber)).to.deep.equal(['A-2']);
      expect(result.errors).to.deep.equal([
        { line: 2, orderNumber: 'A-1', column: null, reason: 'order rejected: line 4 has an error' },
        { line: 3, orderNumber: 'A-1', column: null, reason: 'order rejected: line 4 has an error' },
        { line: 4, orderNumber: 'A-1', column: 'shipping_fee', reason: 'order-level column shipping_fee differs from line 2' },
      ]);
    });

    it('reports a disagreeing customer, payment method and date on the later row', () => {
      const result = parseOrdersCsv(
        csv([{ sku: 'A' }, { sku: 'B', customer_email: 'hanako@example.jp', payment_method: 'cod', ordered_at: '2026/11/25 14:04' }]),
      );
      expect(result.orders).to.deep.equal([]);
      expect(result.errors.filter((e) => e.line === 3).map((e) => e.column)).to.deep.equal(['ordered_at', 'customer_email', 'payment_method']);
    });

    it('rejects a later row giving an order-level value the first row left blank', () => {
      const result = parseOrdersCsv(csv([{ sku: 'A' }, { sku: 'B', carrier: '佐川急便' }], ['carrier']));
      expect(result.errors).to.deep.include({ line: 3, orderNumber: 'A-1', column: 'carrier', reason: 'order-level column carrier differs from line 2' });
    });

    it('does not count the same value written differently as a disagreement', () => {
      const order = onlyOrder(
        parseOrdersCsv(
          csv(
            [
              { sku: 'A', shipping_fee: '¥1,000', ordered_at: '2026/11/25 14:03', payment_method: 'クレジットカード' },
              { sku: 'B', shipping_fee: '1000円', ordered_at: '2026-11-25T05:03:00Z', payment_method: 'credit_card' },
            ],
            ['shipping_fee'],
          ),
        ),
      );
      expect(order.input.orderedAt).to.equal('2026-11-25T14:03:00+09:00');
      expect(order.input.shippingFee).to.equal(1000);
    });
  });

  describe('value conversion', () => {
    it('reads product tags from one cell, split on commas, 、 or bars, in NFKC lower case', () => {
      const order = onlyOrder(parseOrdersCsv(csv([{ tags: 'Sale、ＧＩＦＴ | underwear' }], ['tags'])));
      expect(order.input.lines[0]!.tags).to.deep.equal(['sale', 'gift', 'underwear']);
      const ja = onlyOrder(parseOrdersCsv(utf8(csvText([{ tags: '' }], ['tags']).replace('tags', '商品タグ'))));
      expect(ja.input.lines[0]!.tags).to.deep.equal([]);
    });

    const one = (cells: Partial<Cells>, extra: string[] = []) => onlyOrder(parseOrdersCsv(csv([cells], extra))).input;
    const errorsOf = (cells: Partial<Cells>, extra: string[] = []) => parseOrdersCsv(csv([cells], extra)).errors;

    it('reads money written as 1,980, ¥1,980, ￥1,980, 1980円, full-width digits and 1980.0', () => {
      for (const written of ['1980', '1,980', '¥1,980', '￥１，９８０', '1980円', '1,980 円', '１９８０', '¥ 1980', '1980.0']) {
        expect(one({ unit_price: written }).lines[0]!.unitPrice, written).to.equal(1980);
      }
    });

    it('rejects money that is not a whole number of yen', () => {
      expect(errorsOf({ unit_price: '1980.5' })).to.deep.equal([
        { line: 2, orderNumber: 'A-1', column: 'unit_price', reason: 'expected a whole number of yen such as 1,980, got the fraction "1980.5"' },
      ]);
      expect(errorsOf({ unit_price: 'about 2000' })[0]!.reason).to.equal('expected a whole number of yen such as 1,980, got "about 2000"');
      expect(errorsOf({ unit_price: '19,80' })[0]!.column).to.equal('unit_price');
    });

    it('leaves the range of money to the schema', () => {
      expect(errorsOf({ shipping_fee: '-500' }, ['shipping_fee'])).to.deep.equal([
        { line: 2, orderNumber: 'A-1', column: 'shipping_fee', reason: 'Too small: expected number to be >=0' },
      ]);
    });

    it('reads quantities with full-width digits and rejects fractions and words', () => {
      expect(one({ quantity: '３' }).lines[0]!.quantity).to.equal(3);
      expect(one({ quantity: '1,200' }).lines[0]!.quantity).to.equal(1200);
      expect(errorsOf({ quantity: '1.5' })[0]).to.deep.include({ column: 'quantity', reason: 'expected a whole number such as 2, got the fraction "1.5"' });
      expect(errorsOf({ quantity: 'two' })[0]).to.deep.include({ column: 'quantity', reason: 'expected a whole number such as 2, got "two"' });
      expect(errorsOf({ quantity: '0' })[0]).to.deep.include({ column: 'quantity', reason: 'Too small: expected number to be >=1' });
    });

    it('reads tax rates written as 10, 8, 10% and ８％', () => {
      for (const [written, rate] of [['10', 10], ['8', 8], ['10%', 10], ['８％', 8], [' 8 % ', 8]] as const) {
        expect(one({ tax_rate: written }).lines[0]!.taxRate, written).to.equal(rate);
      }
    });

    it('rejects tax rates other than 10 and 8', () => {
      expect(errorsOf({ tax_rate: '5%' })).to.deep.equal([{ line: 2, orderNumber: 'A-1', column: 'tax_rate', reason: 'expected 10 or 8' }]);
      expect(errorsOf({ tax_rate: 'reduced' })[0]).to.deep.include({ column: 'tax_rate', reason: 'expected a tax rate such as 10 or 8%, got "reduced"' });
    });

    it('reads dates without an offset as Japan time and keeps ISO dates with an offset', () => {
      const cases: [string, string][] = [
        ['2026/11/25', '2026-11-25T00:00:00+09:00'],
        ['2026-11-25', '2026-11-25T00:00:00+09:00'],
        ['2026/11/25 14:03', '2026-11-25T14:03:00+09:00'],
        ['2026-11-25 14:03:00', '2026-11-25T14:03:00+09:00'],
        ['2026/1/5 9:03', '2026-01-05T09:03:00+09:00'],
        ['２０２６／１１／２５　１４：０３', '2026-11-25T14:03:00+09:00'],
        ['2026-11-25T14:03:00+09:00', '2026-11-25T14:03:00+09:00'],
        ['2026-11-25T05:03:00Z', '2026-11-25T05:03:00Z'],
        ['2026-11-25T05:03:00.250+00:00', '2026-11-25T05:03:00.250+00:00'],
        ['2026-11-25T14:03+0900', '2026-11-25T14:03:00+09:00'],
      ];
      for (const [written, iso] of cases) expect(one({ ordered_at: written }).orderedAt, written).to.equal(iso);
    });

    it('rejects dates that are not dates', () => {
      for (const written of ['2026/02/30', '2026/13/01', '25/11/2026', '2026/11/25 24:00', 'yesterday']) {
        const [error] = errorsOf({ ordered_at: written });
        expect(error, written).to.deep.include({ line: 2, column: 'ordered_at' });
        expect(error!.reason).to.match(/^expected a date such as 2026\/11\/25/);
      }
    });

    it('omits empty optional cells, so fees default to 0 and no coupon or shipping dates are set', () => {
      const optional = ['customer_phone', 'postcode', 'prefecture', 'address', 'shipping_fee', 'cod_fee', 'coupon_code', 'coupon_discount', 'carrier', 'tracking_number', 'shipped_at', 'delivered_at'];
      const input = one({}, optional);
      expect(input).to.deep.equal({
        orderedAt: '2026-11-25T14:03:00+09:00',
        customer: { name: '山田 太郎', email: 'taro@example.jp' },
        lines: [{ sku: 'TEA-01', name: '抹茶', quantity: 1, unitPrice: 1980, taxRate: 8, tags: [] }],
        shippingFee: 0,
        codFee: 0,
        paymentMethod: 'credit_card',
      });
      expect(input).to.not.have.any.keys('shippedAt', 'deliveredAt', 'coupon');
    });

    it('reads shipping and delivery dates', () => {
      const input = one({ shipped_at: '2026/11/26', delivered_at: '2026/11/27 18:30' }, ['shipped_at', 'delivered_at']);
      expect(input).to.deep.include({ shippedAt: '2026-11-26T00:00:00+09:00', deliveredAt: '2026-11-27T18:30:00+09:00' });
    });

    it('maps Japanese payment labels and English values to payment methods', () => {
      const cases: [string, string][] = [
        ['credit_card', 'credit_card'], ['Credit Card', 'credit_card'], ['クレジットカード', 'credit_card'], ['カード', 'credit_card'], ['ｸﾚｼﾞｯﾄｶｰﾄﾞ', 'credit_card'],
        ['cod', 'cod'], ['代金引換', 'cod'], ['代引き', 'cod'], ['代引', 'cod'],
        ['bank_transfer', 'bank_transfer'], ['銀行振込', 'bank_transfer'],
        ['convenience_store', 'convenience_store'], ['コンビニ払い', 'convenience_store'], ['コンビニ決済', 'convenience_store'],
        ['carrier_billing', 'carrier_billing'], ['キャリア決済', 'carrier_billing'],
        ['deferred', 'deferred'], ['後払い', 'deferred'],
        ['e_money', 'e_money'], ['電子マネー', 'e_money'],
        ['other', 'other'], ['その他', 'other'],
      ];
      for (const [written, method] of cases) expect(one({ payment_method: written }).paymentMethod, written).to.equal(method);
    });

    it('rejects an unknown payment method', () => {
      const [error] = errorsOf({ payment_method: 'PayPay' });
      expect(error).to.deep.include({ line: 2, orderNumber: 'A-1', column: 'payment_method' });
      expect(error!.reason).to.match(/^unknown payment method "PayPay"; expected one of credit_card, cod,/);
    });

    it('applies the schema normalisation to postcodes and phone numbers', () => {
      const input = one({ postcode: '１５００００１', customer_phone: '０９０－１２３４－５６７８' }, ['postcode', 'customer_phone']);
      expect(input.customer).to.deep.include({ postcode: '150-0001', phone: '090-1234-5678' });
    });

    it('trims cells, full-width spaces included', () => {
      const input = one({ customer_name: '\u3000山田 太郎 ', customer_email: ' taro@example.jp ', sku: ' TEA-01\t' });
      expect(input.customer).to.deep.include({ name: '山田 太郎', email: 'taro@example.jp' });
      expect(input.lines[0]!.sku).to.equal('TEA-01');
    });

    it('reads a coupon with a discount, with or without a code, and ignores a zero discount without a code', () => {
      const extra = ['coupon_code', 'coupon_discount'];
      expect(one({ coupon_code: 'WELCOME', coupon_discount: '¥200' }, extra).coupon).to.deep.equal({ code: 'WELCOME', discount: 200 });
      expect(one({ coupon_discount: '200' }, extra).coupon).to.deep.equal({ discount: 200 });
      expect(one({ coupon_code: 'FREESHIP', coupon_discount: '0' }, extra).coupon).to.deep.equal({ code: 'FREESHIP', discount: 0 });
      expect(one({ coupon_discount: '0' }, extra)).to.not.have.property('coupon');
    });

    it('rejects a coupon code without a discount', () => {
      expect(errorsOf({ coupon_code: 'WELCOME' }, ['coupon_code', 'coupon_discount'])).to.deep.equal([
        { line: 2, orderNumber: 'A-1', column: 'coupon_code', reason: 'a coupon code needs a coupon discount (write 0 if the coupon gives no discount)' },
      ]);
    });
  });

  describe('row errors', () => {
    it('returns the good orders and reports each bad row with its line, order number, column and reason', () => {
      const result = parseOrdersCsv(
        csv(
          [
            { order_number: 'G-1' },
            { order_number: 'B-1', customer_email: 'not-an-email' },
            { order_number: 'G-2', sku: 'A' },
            { order_number: 'B-2', quantity: 'x' },
            { order_number: 'G-2', sku: 'B' },
            { order_number: '1003?' },
            { order_number: 'B-3', shipping_fee: '12.5' },
          ],
          ['shipping_fee'],
        ),
      );
      expect(result.rows).to.equal(7);
      expect(result.orders.map((o) => [o.orderNumber, o.lines])).to.deep.equal([['G-1', [2]], ['G-2', [4, 6]]]);
      expect(result.errors).to.deep.equal([
        { line: 3, orderNumber: 'B-1', column: 'customer_email', reason: 'expected an email address' },
        { line: 5, orderNumber: 'B-2', column: 'quantity', reason: 'expected a whole number such as 2, got "x"' },
        {
          line: 7,
          orderNumber: null,
          column: 'order_number',
          reason: 'invalid order number "1003?": expected 1–64 letters, digits, "_", "." or "-", optionally after a leading "#" (#1001)',
        },
        { line: 8, orderNumber: 'B-3', column: 'shipping_fee', reason: 'expected a whole number of yen such as 1,980, got the fraction "12.5"' },
      ]);
    });

    it('lists every row of a rejected order, pointing the others at the first bad line', () => {
      const result = parseOrdersCsv(
        csv([{ sku: 'A' }, { sku: 'B' }, { sku: 'C', unit_price: 'free' }, { sku: 'D', tax_rate: '3' }]),
      );
      expect(result.orders).to.deep.equal([]);
      expect(result.errors).to.deep.equal([
        { line: 2, orderNumber: 'A-1', column: null, reason: 'order rejected: line 4 has an error' },
        { line: 3, orderNumber: 'A-1', column: null, reason: 'order rejected: line 4 has an error' },
        { line: 4, orderNumber: 'A-1', column: 'unit_price', reason: 'expected a whole number of yen such as 1,980, got "free"' },
        { line: 5, orderNumber: 'A-1', column: 'tax_rate', reason: 'expected 10 or 8' },
      ]);
    });

    it('reports several errors of one row separately', () => {
      const result = parseOrdersCsv(csv([{ quantity: '', unit_price: 'x', payment_method: '?' }]));
      expect(result.errors.map((e) => [e.line, e.column])).to.deep.equal([[2, 'quantity'], [2, 'unit_price'], [2, 'payment_method']]);
      expect(result.errors[0]!.reason).to.equal('a value is required');
    });

    it('reports an empty order number without grouping the row', () => {
      const result = parseOrdersCsv(csv([{ order_number: '' }, { order_number: 'A-2' }]));
      expect(result.orders.map((o) => o.orderNumber)).to.deep.equal(['A-2']);
      expect(result.errors).to.deep.equal([{ line: 2, orderNumber: null, column: 'order_number', reason: 'the order number is empty' }]);
    });

    it('counts line breaks inside quoted fields when numbering lines', () => {
      const text = csvText([
        { order_number: 'M-1', item_name: '詰め合わせ\n（抹茶・ほうじ茶）\n限定' },
        { order_number: 'M-2', customer_email: 'broken' },
      ]);
      const result = parseOrdersCsv(utf8(text));
      expect(result.rows).to.equal(2);
      expect(result.orders[0]!.lines).to.deep.equal([2]);
      expect(result.orders[0]!.input.lines[0]!.name).to.equal('詰め合わせ\n（抹茶・ほうじ茶）\n限定');
      expect(result.errors).to.deep.equal([{ line: 5, orderNumber: 'M-2', column: 'customer_email', reason: 'expected an email address' }]);
    });

    it('numbers lines the same in a CRLF file with quoted line breaks', () => {
      const text = csvText([
        { order_number: 'M-1', item_name: 'a\nb' },
        { order_number: 'M-1', sku: 'X', item_name: 'c\n\nd' },
        { order_number: 'M-2', quantity: 'none' },
      ]).replace(/\n/g, '\r\n');
      const result = parseOrdersCsv(utf8(text));
      expect(result.orders[0]!.lines).to.deep.equal([2, 4]);
      expect(result.orders[0]!.input.lines.map((l) => l.name)).to.deep.equal(['a\nb', 'c\n\nd']);
      expect(result.errors.map((e) => e.line)).to.deep.equal([7]);
    });

    it('skips blank lines without counting them as rows, keeping physical line numbers', () => {
      const [header, first, second] = csvText([{ order_number: 'A-1' }, { order_number: 'A-2', unit_price: '?' }]).split('\n');
      const result = parseOrdersCsv(utf8(`${header}\n\n${first}\n   \n,,,,,,,,,\n\n${second}\n\n`));
      expect(result.rows).to.equal(2);
      expect(result.orders.map((o) => [o.orderNumber, o.lines])).to.deep.equal([['A-1', [3]]]);
      expect(result.errors.map((e) => [e.line, e.orderNumber])).to.deep.equal([[7, 'A-2']]);
    });

    it('reports a row with a different number of fields than the header, rejecting its order', () => {
      const text = `${csvText([{ sku: 'A' }, { order_number: 'A-2' }])}A-1,2026/11/25,x\nA-3,too,many,${'x,'.repeat(12)}x\n`;
      const result = parseOrdersCsv(utf8(text));
      expect(result.rows).to.equal(4);
      expect(result.orders.map((o) => o.orderNumber)).to.deep.equal(['A-2']);
      expect(result.errors).to.deep.equal([
        { line: 2, orderNumber: 'A-1', column: null, reason: 'order rejected: line 4 has an error' },
        { line: 4, orderNumber: 'A-1', column: null, reason: 'the row has 3 fields but the header has 10' },
        { line: 5, orderNumber: 'A-3', column: null, reason: 'the row has 16 fields but the header has 10' },
      ]);
    });

    it('reports a coupon larger than the goods on the coupon column, through the schema', () => {
      const result = parseOrdersCsv(
        csv(
          [
            { sku: 'A', unit_price: '1000', quantity: '2', coupon_discount: '3000' },
            { sku: 'B', unit_price: '500', coupon_discount: '3000' },
          ],
          ['coupon_discount'],
        ),
      );
      expect(result.orders).to.deep.equal([]);
      expect(result.errors).to.deep.equal([
        { line: 2, orderNumber: 'A-1', column: 'coupon_discount', reason: 'the coupon (3000 yen) exceeds the goods (2500 yen)' },
        { line: 3, orderNumber: 'A-1', column: null, reason: 'order rejected: line 2 has an error' },
      ]);
    });

    it('maps schema issues of an order line to the row and column of that line', () => {
      const result = parseOrdersCsv(csv([{ sku: 'A' }, { sku: 'B', item_name: 'x'.repeat(201) }, { sku: 'A' }]));
      expect(result.errors).to.deep.equal([
        { line: 2, orderNumber: 'A-1', column: null, reason: 'order rejected: line 3 has an error' },
        { line: 3, orderNumber: 'A-1', column: 'item_name', reason: 'Too big: expected string to have <=200 characters' },
        { line: 4, orderNumber: 'A-1', column: 'sku', reason: 'sku A appears twice at the same price; add the quantities' },
      ]);
    });

    it('maps schema issues of order-level fields to the first row of the order', () => {
      const result = parseOrdersCsv(csv([{ sku: 'A', cod_fee: '330' }, { sku: 'B' }], ['cod_fee', 'prefecture']));
      expect(result.errors).to.deep.equal([
        { line: 2, orderNumber: 'A-1', column: 'cod_fee', reason: 'a COD fee needs paymentMethod "cod"' },
        { line: 3, orderNumber: 'A-1', column: null, reason: 'order rejected: line 2 has an error' },
      ]);
      const prefecture = parseOrdersCsv(csv([{ prefecture: '東京' }], ['prefecture']));
      expect(prefecture.errors).to.deep.equal([{ line: 2, orderNumber: 'A-1', column: 'prefecture', reason: 'expected a prefecture such as 東京都' }]);
    });

    it('names the column as written in the header', () => {
      const text = '注文番号,注文日時,氏名,メールアドレス,商品コード,商品名,数量,単価（税込）,税率,支払方法\nJ-1,2026/11/25,山田,yamada@example.jp,S,n,1,千円,10,カード\n';
      expect(parseOrdersCsv(utf8(text)).errors).to.deep.equal([
        { line: 2, orderNumber: 'J-1', column: '単価（税込）', reason: 'expected a whole number of yen such as 1,980, got "千円"' },
      ]);
    });

    it('does not report schema issues twice for cells that already failed conversion', () => {
      const result = parseOrdersCsv(csv([{ ordered_at: 'soon', payment_method: '??', quantity: 'x', customer_email: 'bad' }]));
      // conversion errors first, then the schema's (the email), one each
      expect(result.errors.map((e) => e.column)).to.deep.equal(['ordered_at', 'quantity', 'payment_method', 'customer_email']);
    });
  });
});
