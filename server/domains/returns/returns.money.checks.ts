/**
 * The checks of returns.money's input: an order of whole units at whole yen, a coupon within
 * its goods, and a request that fits what is left of the order. Each failure is an
 * `invalid_input` naming the field; where a customer can cause it, in their words too.
 * Structural types, so returns.money imports this module and nothing comes back.
 */
import { DomainError } from '../../core/errors.ts';

/** A line of the order, as far as the checks read it. */
interface LineFacts {
  lineNo: number;
  quantity: number;
  unitPrice: number;
}

/** Units of a line, asked for or taken. */
interface Taken {
  lineNo: number;
  quantity: number;
}

type Path = Array<string | number>;

/** `say`: the reason in the customer's words too, where a customer can cause it (the portal shows it). */
function fail(message: string, details: { path: Path; say?: { ja: string; en: string } } & Record<string, unknown>): never {
  throw new DomainError('invalid_input', message, details);
}

const isCount = (n: number) => Number.isSafeInteger(n) && n > 0;
const isYen = (n: number) => Number.isSafeInteger(n) && n >= 0;
export const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);

/** Lines must be whole units at whole yen, each lineNo once; returns the goods subtotal. */
export function checkLines(lines: readonly LineFacts[], at: Path): number {
  const seen = new Set<number>();
  lines.forEach((l, i) => {
    if (seen.has(l.lineNo)) fail(`line ${l.lineNo} appears twice on the order`, { path: [...at, i, 'lineNo'], lineNo: l.lineNo });
    seen.add(l.lineNo);
    if (!isCount(l.quantity)) fail(`the quantity of line ${l.lineNo} must be a positive whole number`, { path: [...at, i, 'quantity'], lineNo: l.lineNo });
    if (!isYen(l.unitPrice)) fail(`the price of line ${l.lineNo} must be whole yen, not negative`, { path: [...at, i, 'unitPrice'], lineNo: l.lineNo });
  });
  const goods = sum(lines.map((l) => l.quantity * l.unitPrice));
  if (!Number.isSafeInteger(goods)) fail('the goods total is too large', { path: at });
  return goods;
}

export function checkCoupon(discount: number, goods: number, at: Path): void {
  if (!isYen(discount)) fail('the coupon must be whole yen, not negative', { path: at, discount });
  if (discount > goods) fail(`the coupon (¥${discount}) is larger than the goods (¥${goods})`, { path: at, discount, goods });
}

export function checkOrder(order: { lines: readonly LineFacts[]; shippingFee: number; codFee: number; couponDiscount: number }): void {
  const goods = checkLines(order.lines, ['order', 'lines']);
  if (!isYen(order.shippingFee)) fail('the shipping fee must be whole yen, not negative', { path: ['order', 'shippingFee'] });
  if (!isYen(order.codFee)) fail('the COD fee must be whole yen, not negative', { path: ['order', 'codFee'] });
  checkCoupon(order.couponDiscount, goods, ['order', 'couponDiscount']);
}

/** What other returns already took of each line, summed. */
export function takenEarlier(req: { earlier: readonly Taken[] }, byLine: Map<number, LineFacts>): Map<number, number> {
  const taken = new Map<number, number>();
  req.earlier.forEach((e, i) => {
    const line = byLine.get(e.lineNo);
    if (!line) fail(`line ${e.lineNo} is not on this order`, { path: ['earlier', i, 'lineNo'], lineNo: e.lineNo });
    if (!isYen(e.quantity)) fail(`an earlier return of line ${e.lineNo} has a quantity that is not a whole number`, { path: ['earlier', i, 'quantity'], lineNo: e.lineNo });
    const total = (taken.get(e.lineNo) ?? 0) + e.quantity;
    if (total > line.quantity) fail(`earlier returns take ${total} of line ${e.lineNo}, which has only ${line.quantity}`, { path: ['earlier', i, 'quantity'], lineNo: e.lineNo });
    taken.set(e.lineNo, total);
  });
  return taken;
}

/** The lines this request returns, checked against what is left of each. */
export function requested(req: { items: readonly Taken[] }, byLine: Map<number, LineFacts>, taken: Map<number, number>): Map<number, number> {
  if (req.items.length === 0) fail('choose at least one item to return', { path: ['items'], say: { ja: '返品・交換する商品の数量を入力してください。', en: 'Choose at least one item to return.' } });
  const wanted = new Map<number, number>();
  req.items.forEach((it, i) => {
    const n = it.lineNo;
    const line = byLine.get(n);
    if (!line) fail(`line ${n} is not on this order`, { path: ['items', i, 'lineNo'], lineNo: n, say: { ja: `${n}行目の商品はこのご注文にありません。`, en: `Line ${n} is not on this order.` } });
    if (wanted.has(n)) fail(`line ${n} is listed twice`, { path: ['items', i, 'lineNo'], lineNo: n, say: { ja: `${n}行目の商品が2回入力されています。`, en: `Line ${n} is listed twice.` } });
    if (!isCount(it.quantity)) fail(`the quantity of line ${n} must be a positive whole number`, { path: ['items', i, 'quantity'], lineNo: n, quantity: it.quantity });
    const left = line.quantity - (taken.get(n) ?? 0);
    if (it.quantity > left) {
      const say =
        left === 0
          ? { ja: `${n}行目の商品は、すべてお申し込み済みです。`, en: `Every unit of line ${n} is already in a request.` }
          : { ja: `${n}行目の商品は、あと${left}点までお申し込みいただけます。`, en: `Only ${left} of line ${n} can still be returned.` };
      fail(left === 0 ? `none of line ${n} is left to return` : `only ${left} of line ${n} is left to return`, { path: ['items', i, 'quantity'], lineNo: n, left, say });
    }
    wanted.set(n, it.quantity);
  });
  return wanted;
}

export function checkExchange(items: ReadonlyArray<{ sku: string; quantity: number; unitPrice: number }>): void {
  items.forEach((x, i) => {
    if (!isCount(x.quantity)) fail(`the quantity of exchange item ${x.sku} must be a positive whole number`, { path: ['exchange', i, 'quantity'], sku: x.sku });
    if (!isYen(x.unitPrice)) fail(`the price of exchange item ${x.sku} must be whole yen, not negative`, { path: ['exchange', i, 'unitPrice'], sku: x.sku });
  });
}
