/**
 * Shopify's order export (Orders → Export, "orders_export.csv", UTF-8): one row per line item, the order's
 * own columns on its first row only; `Lineitem price` is tax-included in Japan; tax lines `Tax 1 Name`
 * (`JCT 10%`) / `Tax 1 Value` up to five; `Shipping Province` a code (`JP-13`).
 */
import { blank, derive, firstNonBlank, firstOf, orUndefined, payment, phone, type Get, type OrderRecord, type Preset } from './orders.presets.read.ts';
import { isJapan, postcodeOf, prefectureOf, rateOf, yenOf } from './orders.presets.values.ts';

/** Tax lines of an order: Shopify writes `Tax 1 Name` (`JCT 10%`) and `Tax 1 Value` up to five, on the first row. */
function shopifyTaxLines(get: Get): { rate: number; value: number }[] {
  const lines: { rate: number; value: number }[] = [];
  for (let i = 1; i <= 5; i++) {
    const rate = rateOf(get(`Tax ${i} Name`));
    const value = yenOf(get(`Tax ${i} Value`));
    if (rate !== null && value !== null && !lines.some((l) => l.rate === rate)) lines.push({ rate, value });
  }
  return lines;
}

/**
 * Which lines are 8% and which 10% when an order has both: the split whose tax (tax-included prices,
 * rounded down per rate as Japanese receipts do) comes closest to the tax lines, if one split is clearly
 * closest. Orders of more than SPLIT_LINES lines with two rates are not guessed at: the splits are 2^lines,
 * and a file of 16-line orders (65,536 splits each) held the server for seconds per megabyte.
 */
const SPLIT_LINES = 12;

function splitRates(amounts: number[], taxes: { rate: number; value: number }[]): number[] | null {
  if (amounts.length > SPLIT_LINES || taxes.length !== 2) return null;
  const [a, b] = taxes as [{ rate: number; value: number }, { rate: number; value: number }];
  let best: { miss: number; mask: number } | null = null;
  let tie = false;
  for (let mask = 0; mask < 1 << amounts.length; mask++) {
    let sumA = 0;
    let sumB = 0;
    amounts.forEach((x, i) => ((mask >> i) & 1 ? (sumA += x) : (sumB += x)));
    const miss = Math.abs(Math.floor((sumA * a.rate) / (100 + a.rate)) - a.value) + Math.abs(Math.floor((sumB * b.rate) / (100 + b.rate)) - b.value);
    if (!best || miss < best.miss) {
      best = { miss, mask };
      tie = false;
    } else if (miss === best.miss) tie = true;
  }
  // Discounts move the tax a little; more than a few yen per line is not a match.
  if (!best || tie || best.miss > 2 * amounts.length) return null;
  return amounts.map((_, i) => ((best.mask >> i) & 1 ? a.rate : b.rate));
}

function shopifyTax(records: OrderRecord[]): void {
  const taxes = shopifyTaxLines(records[0]!.get).filter((t) => t.rate === 8 || t.rate === 10);
  if (taxes.length <= 1) {
    const rate = String(taxes[0]?.rate ?? 10);
    for (const r of records) r.values.tax_rate = rate;
    return;
  }
  const amounts = records.map((r) => (yenOf(r.get('Lineitem price')) ?? NaN) * (yenOf(r.get('Lineitem quantity')) ?? NaN));
  if (amounts.some(Number.isNaN)) {
    // A price or quantity that cannot be read is reported at its own cell and rejects the order; no guess about tax is needed.
    for (const r of records) r.values.tax_rate = String(taxes[0]!.rate);
    return;
  }
  const rates = splitRates(amounts, taxes);
  records.forEach((r, i) => {
    if (rates) r.values.tax_rate = String(rates[i]);
    else r.problems.tax_rate = 'the order has 8% and 10% tax lines and the line prices do not tell which line is which; split it or import it with a tax_rate column';
  });
}

/**
 * Whether the order's amounts say the shop's prices exclude tax: its Total is the lines and shipping less
 * the discount plus Taxes, and not without them. Such a shop's `Lineitem price` is not what the customer
 * paid, and the export has no per-line tax to add; an order whose amounts say neither is left as it is.
 */
function taxExcludedTotal(records: OrderRecord[]): { total: number; taxes: number } | null {
  const get = records[0]!.get;
  const [total, taxes] = [yenOf(get('Total')), yenOf(get('Taxes'))];
  const lines = records.reduce((s, r) => s + (yenOf(r.get('Lineitem price')) ?? NaN) * (yenOf(r.get('Lineitem quantity')) ?? NaN), 0);
  const before = lines + (yenOf(get('Shipping')) ?? 0) - (yenOf(get('Discount Amount')) ?? 0);
  if (total === null || !taxes || Number.isNaN(before)) return null;
  return before !== total && before + taxes === total ? { total, taxes } : null;
}

/** COD is a manual payment method in Shopify; its fee, where a shop charges one, is not a column of the export. */
export const shopify: Preset = {
  id: 'shopify',
  label: 'Shopify',
  needs: ['Name', 'Email', 'Created at', 'Lineitem quantity', 'Lineitem name', 'Lineitem price', 'Lineitem sku'],
  marks: ['Financial Status', 'Fulfillment Status', 'Billing Name', 'Shipping Name', 'Shipping Province', 'Payment Method', 'Lineitem compare at price'],
  columns: {
    order_number: 'Name',
    ordered_at: 'Created at',
    customer_name: firstNonBlank('Billing Name', 'Shipping Name'),
    customer_email: 'Email',
    customer_phone: phone('Shipping Phone', 'Billing Phone', 'Phone'),
    postcode: derive(['Shipping Zip', 'Billing Zip'], (get) => orUndefined(postcodeOf(firstOf(get, 'Shipping Zip', 'Billing Zip')))),
    prefecture: derive(['Shipping Province', 'Shipping Province Name', 'Shipping Country'], (get) => {
      if (!isJapan(get('Shipping Country'))) return undefined;
      const p = firstOf(get, 'Shipping Province', 'Shipping Province Name');
      return p ? prefectureOf(p) : undefined;
    }),
    address: derive(['Shipping Address1', 'Shipping City', 'Shipping Address2', 'Shipping Street'], (get) => {
      // Japanese order: 市区町村 then 番地, the building after a space.
      const [first = '', ...rest] = get('Shipping Address1').trim() ? [get('Shipping Address1'), get('Shipping Address2')] : [get('Shipping Street')];
      return orUndefined([`${get('Shipping City').trim()}${first.trim()}`, ...rest.map((s) => s.trim())].filter(Boolean).join(' '));
    }),
    // Many small stores never set SKUs; the line's name (product and variant, "Tシャツ - M") then stands in for it.
    sku: derive(['Lineitem sku', 'Lineitem name'], (get) => orUndefined(get('Lineitem sku').trim() || get('Lineitem name').trim().slice(0, 64))),
    item_name: 'Lineitem name',
    quantity: 'Lineitem quantity',
    unit_price: 'Lineitem price',
    tax_rate: derive(['Tax 1 Name', 'Tax 1 Value'], () => undefined),
    shipping_fee: 'Shipping',
    coupon_code: 'Discount Code',
    coupon_discount: 'Discount Amount',
    payment_method: payment('Payment Method'),
    shipped_at: 'Fulfilled at',
    cancelled_at: 'Cancelled at',
  },
  finishOrder: (records) => {
    // A store selling in several currencies exports each order in its own; only yen amounts are madoguchi's.
    const currency = records[0]!.get('Currency').trim().toUpperCase();
    if (currency && currency !== 'JPY') {
      for (const r of records) {
        r.problems.unit_price = `the order is in ${currency}; only orders in yen (JPY) can be imported`;
        r.values.tax_rate = '10'; // not asked: the price already refuses the line
      }
      return;
    }
    const excluded = taxExcludedTotal(records);
    if (excluded) {
      for (const r of records) {
        r.problems.unit_price = `the shop’s prices exclude tax (Total ${excluded.total} yen = the lines and shipping + Taxes ${excluded.taxes} yen); madoguchi stores what the customer paid per line: connect the store instead, which adds each line’s tax`;
        r.values.tax_rate = '10'; // not asked: the price already refuses the line
      }
      return;
    }
    shopifyTax(records);
    // A free order (a 100% discount) names no gateway.
    const first = records[0]!;
    if (first.values.payment_method === undefined && blank(first.get('Payment Method'))) first.values.payment_method = 'other';
  },
};
