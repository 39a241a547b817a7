import { japaneseOf } from '../../core/messages.ts';

/**
 * The import report's reasons in Japanese. The parser words its reasons in English with the
 * cell's value in them (tested, and what the API has always answered); the report adds each
 * one's Japanese beside it, read back from those same templates, so a merchant reading the
 * console in Japanese is not handed English. A reason no rule knows keeps its English, after
 * a Japanese lead-in.
 */
const rules: Array<[RegExp, (...m: string[]) => string]> = [
  [/^expected a whole number of yen such as 1,980, got the fraction (".*")$/, (v) => `円単位の整数（例：1,980）で書いてください。${v} は小数です`],
  [/^expected a whole number of yen such as 1,980, got (".*")$/, (v) => `円単位の整数（例：1,980）で書いてください（${v}）`],
  [/^expected a whole number such as 2, got the fraction (".*")$/, (v) => `整数（例：2）で書いてください。${v} は小数です`],
  [/^expected a whole number such as 2, got (".*")$/, (v) => `整数（例：2）で書いてください（${v}）`],
  [/^the number (".*") is too large$/, (v) => `数値 ${v} が大きすぎます`],
  [/^expected a tax rate such as 10 or 8%, got (".*")$/, (v) => `税率は 10 や 8% のように書いてください（${v}）`],
  [/^expected a date such as .*, got (".*")$/, (v) => `日付は 2026/11/25、2026/11/25 14:03、2026-11-25T14:03:00+09:00 のように書いてください（${v}）`],
  [/^unknown payment method (".*?"); expected/, (v) => `支払方法 ${v} がわかりません。クレジットカード・代金引換・銀行振込・コンビニ払い などで書いてください`],
  [/^the order number is empty$/, () => '注文番号が空です'],
  [/^invalid order number (".*"): (.*)$/, (v, why) => `注文番号 ${v} が正しくありません：${reasonInJapanese(why!)}`],
  [/^the row has (\d+) fields but the header has (\d+)$/, (a, b) => `この行の列の数（${a}）が見出し行（${b}）と合いません`],
  [/^a value is required$/, () => '値を入れてください'],
  [/^the order is in ([A-Z]{3}); only orders in yen/, (c) => `この注文は ${c} 建てです。円（JPY）建ての注文だけを取り込めます`],
  [/^the shop’s prices exclude tax \(Total (\d+) yen = the lines and shipping \+ Taxes (\d+) yen\)/, (t, x) => `このストアの価格は税抜です（合計 ${t} 円は商品と送料に税 ${x} 円を足した額）。お客様が支払った額で取り込めないため、ストア連携で取り込んでください（明細ごとの税を加えます）`],
  [/^the order has 8% and 10% tax lines/, () => '8% と 10% の税が混在する注文で、どの商品がどちらの税率か判別できません。注文を分けるか、税率の列を付けて取り込んでください'],
  [/^order-level column (.*) differs from line (\d+)$/, (c, l) => `注文ごとの列「${c}」が ${l} 行目と違います`],
  [/^a coupon code needs a coupon discount/, () => 'クーポンコードにはクーポン値引額が必要です（値引きがなければ 0 と書いてください）'],
  [/^the order is invalid$/, () => 'この注文は取り込めません'],
  [/^order rejected: line (\d+) has an error$/, (l) => `${l} 行目に誤りがあるため、この注文は取り込みませんでした`],
  [/^expected ((?:\d+ or )+\d+)$/, (v) => `${v.replace(/ or /g, '・')} のいずれかにしてください`],
  [/^the order adds up to more than ([\d,]+) yen$/, (n) => `注文の合計が ${n} 円を超えています`],
  [/^the coupon \((\d+) yen\) exceeds the goods \((\d+) yen\)$/, (c, g) => `クーポン（${c} 円）が商品の合計（${g} 円）を超えています`],
  [/^sku (.*) appears twice at the same price; add the quantities$/, (s) => `SKU ${s} が同じ価格で2行あります。数量をまとめて1行にしてください`],
  [/^Too small: expected number to be >=(\d+)$/, (n) => `${n} 以上の数値にしてください`],
  [/^Too big: expected number to be <=(\d+)$/, (n) => `${n} 以下の数値にしてください`],
  [/^Too big: expected string to have <=(\d+) characters$/, (n) => `${n} 文字以内にしてください`],
];

export function reasonInJapanese(en: string): string {
  for (const [re, ja] of rules) {
    const m = re.exec(en);
    if (m) return ja(...m.slice(1));
  }
  // The order schema's own messages are written with said(): their twin is registered.
  return japaneseOf(en) ?? `この値を確認してください（${en}）`;
}
